import {
  createAuthorization,
  encryptSensitive,
  type RequestSigner,
  readWechatpayHeaders,
  SignerError,
  verifyV3Signature,
} from '@wxpark/signer';
import { ApiError, type ApiErrorCode, type ApiErrorDetail, SignatureError, WxparkError } from './errors.ts';
import type { PlatformKeyProvider } from './platform-keys.ts';
import { isRetryable } from './retry.ts';
import type { AnyRoute } from './route.ts';
import type { PreparedAttempt, RawAnswer } from './transport.ts';

/** Merchant identity and keys for APIv3 signing and verification. */
export interface V3Credentials {
  readonly mchId: string;
  readonly serialNo: string;
  readonly signer: RequestSigner;
  readonly keys: PlatformKeyProvider;
  readonly windowSeconds: number;
  readonly now?: () => number;
}

/** A v3 call whose body and URL are fixed; only its Authorization changes between attempts. */
export interface V3PreparedCall {
  readonly url: string;
  readonly body?: string;
  /** The `Wechatpay-Serial` to send; absent means the key provider's preference, null means none. */
  readonly serial?: string | null;
}

const signatureHints: Partial<Record<string, string>> = {
  SIGNATURE_MISMATCH:
    'check the configured WeChat Pay public key or platform certificates; a body that was parsed and re-serialised will not verify',
  TIMESTAMP_OUT_OF_WINDOW:
    'check this machine’s clock (NTP): it differs from WeChat Pay’s by more than the allowed window',
  UNKNOWN_SERIAL:
    'the answer names a key this client does not hold: configure v3.publicKey (PUB_KEY_ID_…) or platform certificates',
  SIGNATURE_PROBE:
    'WeChat Pay sends such probes on purpose to check that signatures are verified; refusing it is correct',
};

/** Signs, encodes and verifies APIv3 calls for one client. */
export class V3Protocol {
  readonly #credentials: V3Credentials;

  constructor(credentials: V3Credentials) {
    this.#credentials = credentials;
  }

  get keys(): PlatformKeyProvider {
    return this.#credentials.keys;
  }

  /** Fixes the URL and JSON body once per call; encrypts fields the route marks sensitive. */
  async prepareCall(route: AnyRoute, wire: Record<string, unknown>): Promise<V3PreparedCall> {
    const rules = route.v3 ?? {};
    const fields: Record<string, unknown> = { ...wire };
    let path = route.path;
    for (const name of rules.pathParams ?? []) {
      path = path.replace(`{${name}}`, encodeURIComponent(String(fields[name])));
      delete fields[name];
    }
    const queryNames =
      route.method === 'GET' || route.method === 'DELETE' ? Object.keys(fields) : (rules.query ?? []);
    const query = new URLSearchParams();
    for (const name of queryNames) {
      if (fields[name] !== undefined) query.append(name, String(fields[name]));
      delete fields[name];
    }
    let serial: string | undefined;
    if (rules.sensitive?.length) {
      const key = await this.#credentials.keys.encryptionKey();
      serial = key.id;
      for (const name of rules.sensitive) {
        if (typeof fields[name] === 'string') fields[name] = encryptSensitive(fields[name] as string, key);
      }
    }
    const search = query.toString();
    const url = search ? `${path}?${search}` : path;
    const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
    return { url, ...(hasBody ? { body: JSON.stringify(fields) } : {}), ...(serial ? { serial } : {}) };
  }

  /** Builds one attempt with a fresh timestamp, nonce and signature. */
  async prepare(route: AnyRoute, call: V3PreparedCall, userAgent: string): Promise<PreparedAttempt> {
    const { mchId, serialNo, signer } = this.#credentials;
    const authorization = await createAuthorization({
      mchId,
      serialNo,
      signer,
      method: route.method,
      url: call.url,
      body: call.body ?? '',
    });
    const serial =
      call.serial === null ? undefined : (call.serial ?? (await this.#credentials.keys.preferredSerial()));
    return {
      path: call.url,
      headers: {
        authorization,
        accept: 'application/json',
        'user-agent': userAgent,
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(serial ? { 'wechatpay-serial': serial } : {}),
      },
      ...(call.body === undefined ? {} : { body: call.body }),
    };
  }

  /**
   * Verifies and reads an answer. Every 2xx must carry a valid signature; an error answer is verified when
   * it carries signature headers, and marked unverified otherwise.
   */
  async read(route: AnyRoute, answer: RawAnswer): Promise<unknown> {
    const requestId = answer.headers.get('request-id') ?? undefined;
    const ok = answer.status >= 200 && answer.status < 300;
    const headers = readWechatpayHeaders(answer.headers);
    const signed = headers.signature !== undefined || headers.serial !== undefined;
    if (ok || signed) await this.verify(headers, answer.bytes, route.path, requestId);
    if (!ok) throw toApiError(route, answer, requestId, signed);
    if (answer.status === 204 || answer.body === '') return {};
    try {
      return JSON.parse(answer.body) as unknown;
    } catch (error) {
      throw new WxparkError({
        code: 'MALFORMED_RESPONSE',
        message: `${route.path} answered a body that is not JSON`,
        cause: error,
      });
    }
  }

  async verify(
    headers: ReturnType<typeof readWechatpayHeaders>,
    body: string | Uint8Array,
    path: string,
    requestId?: string,
  ): Promise<void> {
    try {
      await verifyV3Signature({
        headers,
        body,
        verifier: this.#credentials.keys,
        windowSeconds: this.#credentials.windowSeconds,
        ...(this.#credentials.now ? { now: this.#credentials.now } : {}),
      });
    } catch (error) {
      throw toSignatureError(error, path, requestId);
    }
  }
}

/** Wraps a signer failure as the `SignatureError` callers catch, with a hint for the common causes. */
export function toSignatureError(error: unknown, path: string, requestId?: string): WxparkError {
  if (!SignerError.isInstance(error))
    return WxparkError.isInstance(error)
      ? error
      : new WxparkError({ code: 'VERIFY_FAILED', message: `${path}: verification failed`, cause: error });
  const hint = error.hint ?? signatureHints[error.code];
  return new SignatureError({
    code: error.code,
    message: `${path}: ${error.message}`,
    ...(hint ? { hint } : {}),
    cause: error,
    path,
    ...(requestId ? { requestId } : {}),
  });
}

function toApiError(
  route: AnyRoute,
  answer: RawAnswer,
  requestId: string | undefined,
  signed: boolean,
): ApiError {
  let code: ApiErrorCode = 'HTTP_STATUS';
  let message = `${route.method} ${route.path} answered HTTP ${answer.status}`;
  let detail: ApiErrorDetail | undefined;
  try {
    const parsed = JSON.parse(answer.body) as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof parsed.code === 'string') code = parsed.code;
    if (typeof parsed.message === 'string')
      message = `${route.method} ${route.path}: ${code}: ${parsed.message}`;
    if (typeof parsed.detail === 'object' && parsed.detail !== null) detail = parsed.detail as ApiErrorDetail;
  } catch {
    // Not every error answer has a JSON body (gateways, 502s): keep the status-based code.
  }
  const hint =
    code === 'SIGN_ERROR'
      ? 'check v3.serialNo and v3.privateKey belong to the same merchant API certificate, and mchId is that merchant'
      : undefined;
  return new ApiError({
    code,
    message,
    ...(hint ? { hint } : {}),
    status: answer.status,
    protocol: 'v3',
    method: route.method,
    path: route.path,
    ...(requestId ? { requestId } : {}),
    ...(detail ? { detail } : {}),
    signatureVerified: signed,
    isRetryable: isRetryable({ status: answer.status, code, verified: signed }),
  });
}
