import {
  type ApiV3Key,
  createAuthorization,
  encryptSensitive,
  readWechatpayHeaders,
  verifyV3Signature,
} from '@wxpark/signer';
import { certificatesRoute, readCertificates } from './certificates.ts';
import { ApiError, type ApiErrorCode, type ApiErrorDetail, WxparkError } from './errors.ts';
import { missingCredentials, type ResolvedV3, resolveV3Options } from './options.ts';
import { createPlatformKeys, type PlatformKeyProvider } from './platform-keys.ts';
import { isRetryable } from './retry.ts';
import type { AnyRoute, Protocol, ProtocolContext, ProtocolPlug, ProtocolResult } from './route.ts';
import type { PreparedAttempt, RawResponse, SendOptions, Transport } from './transport.ts';
import { toSignatureError } from './v3-signature.ts';

/** A v3 call whose body and URL are fixed; only its Authorization changes between attempts. */
export interface V3PreparedCall {
  readonly url: string;
  readonly body?: string;
  /** The `Wechatpay-Serial` to send; absent means the key provider's preference, null means none. */
  readonly serial?: string | null;
}

/**
 * The APIv3 half of one client: signs each attempt's `Authorization`, encrypts sensitive fields, verifies
 * every response, and holds WeChat Pay's keys (fetching `/v3/certificates` in certificate mode).
 */
export class V3Protocol implements Protocol {
  readonly keys: PlatformKeyProvider;
  readonly #mchId: string;
  readonly #v3: ResolvedV3;
  readonly #transport: Transport;
  readonly #userAgent: string;

  constructor(context: ProtocolContext) {
    const { options, transport } = context;
    if (!options.v3 || !options.mchId)
      throw missingCredentials('options.mchId and options.v3 (serialNo, privateKey, platform keys)');
    const v3 = options.v3;
    this.#mchId = options.mchId;
    this.#v3 = v3;
    this.#transport = transport;
    this.#userAgent = options.userAgent;
    const apiV3Key = v3.apiV3Key;
    const download =
      v3.certificates === 'download' && apiV3Key ? () => this.#downloadCertificates(apiV3Key) : undefined;
    this.keys =
      v3.platformKeys ??
      createPlatformKeys({
        ...(v3.publicKey ? { publicKey: v3.publicKey } : {}),
        ...(Array.isArray(v3.certificates) ? { certificates: v3.certificates } : {}),
        ...(download ? { download } : {}),
      });
  }

  async call(route: AnyRoute, wire: Record<string, unknown>, config: SendOptions): Promise<ProtocolResult> {
    const call = await this.prepareCall(route, wire);
    const response = await this.#transport.send(route.method, () => this.prepare(route, call), config);
    return { response, data: await this.read(route, response) };
  }

  async #downloadCertificates(apiV3Key: ApiV3Key) {
    const call = await this.prepareCall(certificatesRoute, {});
    // No Wechatpay-Serial here: choosing one would need the very certificates being fetched.
    const response = await this.#transport.send('GET', () =>
      this.prepare(certificatesRoute, { ...call, serial: null }),
    );
    return readCertificates(response, apiV3Key, this.#v3.windowSeconds);
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
    const query = queryNames.length > 0 ? new URLSearchParams() : undefined;
    for (const name of queryNames) {
      if (fields[name] !== undefined) query?.append(name, String(fields[name]));
      delete fields[name];
    }
    let serial: string | undefined;
    if (rules.sensitive?.length) {
      const key = await this.keys.encryptionKey();
      serial = key.id;
      for (const name of rules.sensitive) {
        if (typeof fields[name] === 'string') fields[name] = encryptSensitive(fields[name] as string, key);
      }
    }
    const search = query?.toString();
    const url = search ? `${path}?${search}` : path;
    const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
    return { url, ...(hasBody ? { body: JSON.stringify(fields) } : {}), ...(serial ? { serial } : {}) };
  }

  /** Builds one attempt with a fresh timestamp, nonce and signature. */
  async prepare(route: AnyRoute, call: V3PreparedCall): Promise<PreparedAttempt> {
    const authorization = await createAuthorization({
      mchId: this.#mchId,
      serialNo: this.#v3.serialNo,
      signer: this.#v3.signer,
      method: route.method,
      url: call.url,
      body: call.body ?? '',
    });
    const serial = call.serial === null ? undefined : (call.serial ?? (await this.keys.preferredSerial()));
    const headers: Record<string, string> = {
      authorization,
      accept: 'application/json',
      'user-agent': this.#userAgent,
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (serial) headers['wechatpay-serial'] = serial;
    return call.body === undefined
      ? { path: call.url, headers }
      : { path: call.url, headers, body: call.body };
  }

  /**
   * Verifies and reads a response. Every 2xx must carry a valid signature; an error response is verified when
   * it carries signature headers, and marked unverified otherwise.
   */
  async read(route: AnyRoute, response: RawResponse): Promise<unknown> {
    const requestId = response.headers.get('request-id') ?? undefined;
    const ok = response.status >= 200 && response.status < 300;
    const headers = readWechatpayHeaders(response.headers);
    const signed = headers.signature !== undefined || headers.serial !== undefined;
    if (ok || signed) await this.#verify(headers, response.bytes, route, requestId);
    if (!ok) throw toApiError(route, response, requestId, signed);
    if (response.status === 204 || response.body === '') return {};
    try {
      return JSON.parse(response.body) as unknown;
    } catch (error) {
      throw new WxparkError({
        code: 'MALFORMED_RESPONSE',
        message: `${route.path} answered a body that is not JSON`,
        hint: 'the call reached WeChat Pay and may have been processed: query its state before sending it again',
        cause: error,
      });
    }
  }

  async #verify(
    headers: ReturnType<typeof readWechatpayHeaders>,
    body: string | Uint8Array,
    route: AnyRoute,
    requestId?: string,
  ): Promise<void> {
    try {
      await verifyV3Signature({
        headers,
        body,
        verifier: this.keys,
        windowSeconds: this.#v3.windowSeconds,
      });
    } catch (error) {
      throw toSignatureError(error, route.path, requestId, { serial: headers.serial, method: route.method });
    }
  }
}

/** The APIv3 support a package with APIv3 routes brings to a client: `definePackage({ …, v3: apiV3 })`. */
export const apiV3: ProtocolPlug = {
  resolveOptions: resolveV3Options,
  create: (context) => new V3Protocol(context),
};

function toApiError(
  route: AnyRoute,
  response: RawResponse,
  requestId: string | undefined,
  signed: boolean,
): ApiError {
  let code: ApiErrorCode = 'HTTP_STATUS';
  let message = `${route.method} ${route.path} answered HTTP ${response.status}`;
  let detail: ApiErrorDetail | undefined;
  try {
    const parsed = JSON.parse(response.body) as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof parsed.code === 'string') code = parsed.code;
    if (typeof parsed.message === 'string')
      message = `${route.method} ${route.path}: ${code}: ${parsed.message}`;
    if (typeof parsed.detail === 'object' && parsed.detail !== null) detail = parsed.detail as ApiErrorDetail;
  } catch {
    // Not every error response has a JSON body (gateways, 502s): keep the status-based code.
  }
  const hint =
    code === 'SIGN_ERROR'
      ? 'check v3.serialNo and v3.privateKey belong to the same merchant API certificate, and mchId is that merchant'
      : undefined;
  return new ApiError({
    code,
    message,
    ...(hint ? { hint } : {}),
    status: response.status,
    protocol: 'v3',
    method: route.method,
    path: route.path,
    ...(requestId ? { requestId } : {}),
    ...(detail ? { detail } : {}),
    signatureVerified: signed,
    isRetryable: isRetryable({ status: response.status, code, verified: signed }),
  });
}
