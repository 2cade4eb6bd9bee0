import { buildV3SignMessage, type ParsedAuthorization, parseAuthorization } from '@wxpark/signer';
import type { RouteRequest } from '../http/router.ts';
import type { SandboxState } from '../state.ts';
import type { SandboxMerchant, SandboxMerchantV3 } from '../types.ts';
import { type V3Answer, v3Error } from './reply.ts';

/** How far the `Authorization` timestamp may be from the sandbox clock, as WeChat allows. */
const windowSeconds = 300;
const scheme = 'WECHATPAY2-SHA256-RSA2048';

/** A merchant whose request signature verified. */
export type V3Merchant = SandboxMerchant & { v3: SandboxMerchantV3 };

function signError(
  message: string,
  name: string,
  expected: string,
  received: string,
  stage: 'signature' | 'merchant' = 'signature',
): V3Answer {
  return { ...v3Error(401, 'SIGN_ERROR', message), why: { stage, name, expected, received } };
}

/** A body shown inside the string to sign: long ones cut, so the inspector stays readable. */
function shortBody(body: string): string {
  return body.length > 300 ? `${body.slice(0, 300)}…(${body.length} characters)` : body;
}

/**
 * Checks the `Authorization` header as WeChat does, in its order: present and readable, the scheme, a known
 * merchant with an API certificate, the certificate serial, the timestamp window, then the signature over
 * `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` with the path and query exactly as received.
 * Every refusal is 401 SIGN_ERROR; the messages follow WeChat's published list of causes.
 */
export async function authenticate(
  state: SandboxState,
  request: RouteRequest,
  body: string,
): Promise<{ merchant: V3Merchant } | V3Answer> {
  const header = request.headers.authorization;
  const form = `${scheme} mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`;
  if (typeof header !== 'string' || header === '') {
    return signError('Http头缺少Authorization', 'Authorization', form, '(absent)');
  }
  if (!header.startsWith(`${scheme} `)) {
    // Only the scheme word is shown: the rest may be a credential of another kind.
    return signError(
      `Http头Authorization认证类型不正确，仅支持${scheme}`,
      'Authorization scheme',
      scheme,
      header.split(' ')[0]!.slice(0, 40),
    );
  }
  let auth: ParsedAuthorization;
  try {
    auth = parseAuthorization(header);
  } catch (error) {
    return signError('Http头Authorization值格式错误', 'Authorization', form, (error as Error).message);
  }
  const merchant = state.findMerchant(auth.mchid);
  const known = state.config.merchants.map((m) => m.mchId).join(', ');
  if (!merchant) {
    return signError(
      `商户号${auth.mchid}不存在`,
      'Authorization mchid',
      `a merchant of the sandbox (${known})`,
      auth.mchid,
    );
  }
  if (!merchant.v3) {
    return signError(
      '商户未申请过证书',
      'Authorization mchid',
      'a merchant with APIv3 credentials',
      auth.mchid,
    );
  }
  if (auth.serial_no.toUpperCase() !== merchant.v3.serialNo.toUpperCase()) {
    return signError(
      '商户证书序列号有误',
      'Authorization serial_no',
      `${merchant.v3.serialNo} (the API certificate of ${merchant.mchId})`,
      auth.serial_no,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const timestamp = /^\d{1,12}$/.test(auth.timestamp) ? Number(auth.timestamp) : Number.NaN;
  if (!(Math.abs(now - timestamp) <= windowSeconds)) {
    return signError(
      'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟',
      'Authorization timestamp',
      `Unix seconds within ${windowSeconds} s of ${now}`,
      Number.isNaN(timestamp) ? auth.timestamp : `${auth.timestamp} (${timestamp - now} s off)`,
    );
  }
  const message = buildV3SignMessage(request.method, request.target, auth.timestamp, auth.nonce_str, body);
  const verified = await state.v3.merchantKeys.verify(merchant.mchId, message, auth.signature);
  if (!verified) {
    const signed = buildV3SignMessage(
      request.method,
      request.target,
      auth.timestamp,
      auth.nonce_str,
      shortBody(body),
    );
    return signError(
      '错误的签名，导致验签失败',
      'Authorization signature',
      `SHA256-RSA2048 by the private key of ${merchant.v3.serialNo} over ${JSON.stringify(signed)}`,
      'a signature that does not verify (not shown)',
    );
  }
  return { merchant: merchant as V3Merchant };
}
