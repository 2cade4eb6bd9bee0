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

function signError(message: string): V3Answer {
  return v3Error(401, 'SIGN_ERROR', message);
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
  if (typeof header !== 'string' || header === '') return signError('Http头缺少Authorization');
  if (!header.startsWith(`${scheme} `)) {
    return signError(`Http头Authorization认证类型不正确，仅支持${scheme}`);
  }
  let auth: ParsedAuthorization;
  try {
    auth = parseAuthorization(header);
  } catch {
    return signError('Http头Authorization值格式错误');
  }
  const merchant = state.findMerchant(auth.mchid);
  if (!merchant) return signError(`商户号${auth.mchid}不存在`);
  if (!merchant.v3) return signError('商户未申请过证书');
  if (auth.serial_no.toUpperCase() !== merchant.v3.serialNo.toUpperCase()) {
    return signError('商户证书序列号有误');
  }
  const timestamp = /^\d{1,12}$/.test(auth.timestamp) ? Number(auth.timestamp) : Number.NaN;
  if (!(Math.abs(Date.now() / 1000 - timestamp) <= windowSeconds)) {
    return signError('Http头Authorization中的timestamp与发起请求的时间不得超过5分钟');
  }
  const message = buildV3SignMessage(request.method, request.target, auth.timestamp, auth.nonce_str, body);
  const verified = await state.v3.merchantKeys.verify(merchant.mchId, message, auth.signature);
  if (!verified) return signError('错误的签名，导致验签失败');
  return { merchant: merchant as V3Merchant };
}
