import {
  type ApiV3Key,
  createApiV3Key,
  createRsaSigner,
  createV2ApiKey,
  describeValue,
  type KeyInput,
  loadPlatformPublicKey,
  type RequestSigner,
  type V2ApiKey,
} from '@wxpark/signer';
import corePackage from '../package.json' with { type: 'json' };
import {
  type ClientCertificateOptions,
  type ResolvedClientCertificate,
  resolveClientCertificate,
} from './client-certificate.ts';
import { ValidationError, type ValidationIssue, WxparkError } from './errors.ts';
import type { PlatformKeyProvider } from './platform-keys.ts';
import type { RetryPolicy } from './retry.ts';
import type { ProtocolPlug } from './route.ts';

/** The primary WeChat Pay API host. */
export const defaultBaseUrl = 'https://api.mch.weixin.qq.com';
/** The default cap on a response body: 4 MiB, far above any response of the parking APIs. */
export const defaultMaxResponseBytes = 4 * 1024 * 1024;
/** WeChat Pay's published backup host (cross-city disaster recovery), used only with the default `baseUrl`. */
export const defaultBackupBaseUrls: readonly string[] = ['https://api2.mch.weixin.qq.com'];

/** APIv2 credentials. */
export interface V2Options {
  /** APIv2 密钥: the 32-character key from the merchant console (API安全). Kept redacted. */
  apiKey: string | V2ApiKey;
}

/** APIv3 credentials and WeChat Pay's keys. */
export interface V3Options {
  /** 商户API证书序列号: the serial of the merchant API certificate (apiclient_cert.pem), hex. */
  serialNo: string;
  /**
   * 商户API私钥 (apiclient_key.pem), PEM. Parsed once. Give this or `signer`.
   * @default undefined (then `signer` is required)
   */
  privateKey?: KeyInput;
  /**
   * Signs with a key held elsewhere (KMS, HSM). Give this or `privateKey`.
   * @default undefined (then `privateKey` is required)
   */
  signer?: RequestSigner;
  /**
   * APIv3密钥: 32 bytes; decrypts platform certificates and callbacks. Kept redacted.
   * @default undefined (no certificate download and no encrypted callbacks)
   */
  apiV3Key?: string | ApiV3Key;
  /**
   * 微信支付公钥 and its id (`PUB_KEY_ID_…`, from the merchant console): public-key mode, the mode for
   * merchants registered recently. In this mode alone `/v3/certificates` is never called.
   * @default undefined (certificate mode)
   */
  publicKey?: { id: string; key: KeyInput };
  /**
   * Platform certificates: `'download'` fetches them from `GET /v3/certificates` (needs `apiV3Key`), keeps
   * them fresh and refetches on an unknown serial; or give PEMs you already hold. With `publicKey` too, both
   * are trusted (a switch-over), and the public key is the one WeChat is asked to answer with.
   * @default 'download' when `publicKey` is absent and `apiV3Key` is given
   */
  certificates?: 'download' | readonly (string | Buffer)[];
  /**
   * A key provider of your own (it replaces `publicKey` and `certificates`).
   * @default undefined (a provider built from `publicKey` and `certificates`)
   */
  platformKeys?: PlatformKeyProvider;
  /**
   * Seconds a response's or callback's timestamp may differ from this machine's clock, either way.
   * @default 300
   */
  windowSeconds?: number;
}

/** How GETs are retried; see {@link ClientOptions.retry}. */
export interface RetryOptions {
  /**
   * Retries of a GET after its first attempt (0 to 10). Other methods are never retried.
   * @default 2
   */
  limit?: number;
  /**
   * Most milliseconds a `Retry-After` may ask to wait; a server asking for longer gets no retry and its
   * response is returned (as an `ApiError` with `isRetryable: true`).
   * @default the client's `timeout`
   */
  maxRetryAfter?: number;
}

/**
 * Settings for {@link createClient}. Only the credentials of the protocols a composed package uses are
 * required, and only those are checked (`v2` and `clientCertificate` with APIv2 routes, `v3` with APIv3
 * routes); everything else has a default for production.
 *
 * @example
 * ```ts
 * const options: ClientOptions = {
 *   mchId: '1900000100',
 *   appId: 'wx8888888888888888', // APIv2 calls get it as appid when their data leaves it out
 *   v2: { apiKey: process.env.WXPAY_V2_KEY! },
 *   v3: {
 *     serialNo: process.env.WXPAY_SERIAL_NO!,
 *     privateKey: readFileSync('apiclient_key.pem'),
 *     apiV3Key: process.env.WXPAY_V3_KEY!,
 *     publicKey: { id: 'PUB_KEY_ID_0119000001002024000000000000', key: readFileSync('pub_key.pem') },
 *   },
 *   timeout: 5_000,
 * };
 * ```
 */
export interface ClientOptions {
  /**
   * 商户号 (mchid) of the merchant or service provider making the calls. Required for APIv3 calls. APIv2
   * calls get it as `mch_id` when their data leaves it out; data that gives another `mch_id` is refused.
   * @default undefined (APIv2 data must carry `mch_id`)
   */
  mchId?: string;
  /**
   * 公众账号ID (appid, `wx…`) for APIv2 calls: filled in as `appid` when their data leaves it out; data
   * that gives another `appid` is refused. APIv3 calls take their app ids from their data.
   * @default undefined (APIv2 data must carry `appid`)
   */
  appId?: string;
  /**
   * APIv2 credentials; required when a package with APIv2 routes is composed.
   * @default undefined
   */
  v2?: V2Options;
  /**
   * APIv3 credentials; required when a package with APIv3 routes is composed.
   * @default undefined
   */
  v3?: V3Options;
  /**
   * The API host, without a trailing slash. Setting it (to the sandbox, a staging proxy) also turns off the
   * default backup host, so test traffic can never reach WeChat Pay's production backup.
   * @default 'https://api.mch.weixin.qq.com'
   */
  baseUrl?: string;
  /**
   * Hosts to try, in order, when the previous one could not be reached at all (DNS, connect or TLS
   * failure). A call that may have arrived is never sent again. Pass `[]` to disable failover.
   * @default ['https://api2.mch.weixin.qq.com'] when `baseUrl` is not given either; `[]` when it is
   */
  backupBaseUrls?: readonly string[];
  /**
   * Milliseconds one attempt may take, from sending the request to the last byte of the response body. A
   * POST that timed out may have arrived: it fails with `TransportError` code `TIMEOUT` and is not resent.
   * @default 10000
   */
  timeout?: number;
  /**
   * Most bytes a response body may have. The body is read as a stream and the connection cut past this,
   * with a `TransportError` of code `RESPONSE_TOO_LARGE`. Far above any response of the parking APIs.
   * @default 4194304 (4 MiB)
   */
  maxResponseBytes?: number;
  /**
   * When a call is sent again, by method and failure (the rule `ApiError.isRetryable` also follows):
   *
   * - **GET**: retried up to `limit` times on a connection failure, a timeout, a network error, or an HTTP
   *   408, 429, 500, 502, 503 or 504 response. Each retry is signed afresh and waits what `Retry-After` asks
   *   (seconds or an HTTP date; longer than `maxRetryAfter` ends the retries), else 100 ms doubling up to 2 s.
   * - **POST, PUT, PATCH, DELETE**: never sent twice. Only a failure before any byte could reach the host
   *   (DNS, connect, TLS) moves the call to the next backup host; a call that may have arrived fails with a
   *   hint to query its state first.
   *
   * @default { limit: 2, maxRetryAfter: timeout }
   * @example
   * ```ts
   * createClient({ …, retry: { limit: 0 } }, packages); // never retry, not even a GET
   * ```
   */
  retry?: RetryOptions;
  /**
   * The `User-Agent` header (WeChat Pay requires one).
   * @default 'wxpark/<core version> (node <version>)'
   */
  userAgent?: string;
  /**
   * The fetch calls go through. The default is wxpark's own on `node:http`/`node:https` keep-alive agents,
   * lighter per call than Node's global fetch; pass `globalThis.fetch` for that one, or undici's `fetch` with
   * a proxy dispatcher.
   * @default a keep-alive node:http(s) fetch
   */
  fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
  /**
   * The merchant's API client certificate (API证书), sent only on the routes WeChat Pay serves over mutual
   * TLS (APIv2 `/secapi/pay/refund`); every other call goes through `fetch` without it. Loaded once by
   * `createClient` when a package with APIv2 routes is composed (a wrong passphrase is an `INVALID_OPTIONS`
   * error there) and held in one keep-alive `https.Agent` per client. A route that needs it fails before any I/O when it is missing.
   * @default undefined (no client certificate)
   */
  clientCertificate?: ClientCertificateOptions;
}

/** APIv3 settings after checking: keys parsed once, defaults applied. */
export interface ResolvedV3 {
  readonly serialNo: string;
  readonly signer: RequestSigner;
  readonly apiV3Key?: ApiV3Key;
  readonly publicKey?: { id: string; key: KeyInput };
  readonly certificates: 'download' | readonly (string | Buffer)[];
  readonly platformKeys?: PlatformKeyProvider;
  readonly windowSeconds: number;
}

/**
 * {@link ClientOptions} after `createClient` checked them and applied the defaults: secrets wrapped
 * (`V2ApiKey`, `ApiV3Key`), the backup-host rule applied, retry and size limits filled in.
 */
export interface ResolvedOptions {
  readonly mchId?: string;
  readonly appId?: string;
  readonly v2ApiKey?: V2ApiKey;
  readonly v3?: ResolvedV3;
  readonly baseUrl: string;
  readonly backupBaseUrls: readonly string[];
  readonly timeout: number;
  readonly maxResponseBytes: number;
  readonly retry: RetryPolicy;
  readonly userAgent: string;
  readonly fetch?: ClientOptions['fetch'];
  readonly clientCertificate?: ResolvedClientCertificate;
}

/** The part of {@link ResolvedOptions} a protocol checks itself (`ProtocolPlug.resolveOptions`). */
export type ProtocolOptions = Pick<ResolvedOptions, 'v2ApiKey' | 'v3' | 'clientCertificate'>;

const coreVersion: string = corePackage.version;

function checkUrl(value: unknown, path: string, issues: ValidationIssue[]): string {
  // User info would be echoed by fetch's own error, a password with it; fetch refuses such URLs anyway.
  const expected = 'an absolute http(s) URL without user info, a trailing slash, query or fragment';
  if (typeof value !== 'string') {
    issues.push({ path, expected, received: describeValue(value) });
    return '';
  }
  try {
    const url = new URL(value);
    if (
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.search ||
      url.hash ||
      url.username ||
      url.password ||
      value.endsWith('/')
    )
      throw 0;
  } catch {
    issues.push({ path, expected, received: describeValue(value) });
  }
  return value;
}

/** Checks client options once, at creation. Throws `ValidationError` with code `INVALID_OPTIONS`. */
export function resolveOptions(
  options: ClientOptions,
  plugs: readonly (ProtocolPlug | undefined)[] = [],
): ResolvedOptions {
  const issues: ValidationIssue[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError({
      code: 'INVALID_OPTIONS',
      issues: [{ path: 'options', expected: 'an object', received: describeValue(options) }],
    });
  }
  if (
    options.mchId !== undefined &&
    !(typeof options.mchId === 'string' && /^\d{1,32}$/.test(options.mchId))
  ) {
    issues.push({
      path: 'options.mchId',
      expected: 'a string of digits (商户号)',
      received: describeValue(options.mchId),
    });
  }
  if (
    options.appId !== undefined &&
    !(typeof options.appId === 'string' && /^wx[0-9A-Za-z]{16}$/.test(options.appId))
  ) {
    issues.push({
      path: 'options.appId',
      expected: 'an app id: wx and 16 letters or digits (公众账号ID)',
      received: describeValue(options.appId),
    });
  }
  const baseUrl = checkUrl(options.baseUrl ?? defaultBaseUrl, 'options.baseUrl', issues);
  // The production backup pairs only with the production host: a test host gets no backup unless named.
  const backups = options.backupBaseUrls ?? (options.baseUrl === undefined ? defaultBackupBaseUrls : []);
  if (!Array.isArray(backups)) {
    issues.push({
      path: 'options.backupBaseUrls',
      expected: 'an array of URLs',
      received: describeValue(backups),
    });
  } else {
    backups.forEach((url, index) => {
      checkUrl(url, `options.backupBaseUrls[${index}]`, issues);
    });
  }
  const timeout = options.timeout ?? 10_000;
  if (!Number.isInteger(timeout) || timeout <= 0 || timeout > 2_147_483_647) {
    issues.push({
      path: 'options.timeout',
      expected: 'a positive integer of milliseconds',
      received: describeValue(timeout),
    });
  }
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 1024 || maxResponseBytes > 1_073_741_824) {
    issues.push({
      path: 'options.maxResponseBytes',
      expected: 'an integer of bytes from 1024 to 1 GiB',
      received: describeValue(maxResponseBytes),
    });
  }
  const retry = resolveRetry(options.retry, timeout, issues);
  // Each protocol checks its own options (keys parsed once): a bundle carries only the checks, key loaders
  // and certificate support of the protocols its route packages bring.
  const protocolOptions = plugs.map((plug) => plug?.resolveOptions?.(options, issues));
  if (issues.length > 0)
    throw new ValidationError({ code: 'INVALID_OPTIONS', context: 'createClient', issues });
  const common: ResolvedOptions = {
    ...(options.mchId === undefined ? {} : { mchId: options.mchId }),
    ...(options.appId === undefined ? {} : { appId: options.appId }),
    baseUrl,
    backupBaseUrls: backups,
    timeout,
    maxResponseBytes,
    retry,
    userAgent: options.userAgent ?? `wxpark/${coreVersion} (node ${process.versions.node})`,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  return Object.assign(common, ...protocolOptions);
}

/** APIv2 options (the key, and the client certificate its refund routes need): checked by `apiV2`. */
export function resolveV2(options: ClientOptions, issues: ValidationIssue[]): ProtocolOptions {
  let v2ApiKey: V2ApiKey | undefined;
  const apiKey = options.v2?.apiKey;
  if (apiKey === undefined) {
    issues.push({
      path: 'options.v2.apiKey',
      expected: 'the APIv2 key (a composed package has APIv2 routes)',
      received: 'nothing',
    });
  } else if (typeof apiKey === 'string') {
    try {
      v2ApiKey = createV2ApiKey(apiKey);
    } catch (error) {
      // The key itself must never be echoed: report only its length.
      if (!WxparkError.isInstance(error)) throw error;
      issues.push({
        path: 'options.v2.apiKey',
        expected: 'a 32-character APIv2 key',
        received: `a string of ${apiKey.length} characters`,
      });
    }
  } else {
    v2ApiKey = apiKey;
  }
  const clientCertificate =
    options.clientCertificate === undefined
      ? undefined
      : resolveClientCertificate(options.clientCertificate, options.mchId, issues);
  return {
    ...(v2ApiKey === undefined ? {} : { v2ApiKey }),
    ...(clientCertificate ? { clientCertificate } : {}),
  };
}

/** APIv3 options (merchant key and serial, APIv3 key, WeChat Pay's keys): checked by `apiV3`. */
export function resolveV3Options(options: ClientOptions, issues: ValidationIssue[]): ProtocolOptions {
  const v3 = resolveV3(options, issues);
  return v3 === undefined ? {} : { v3 };
}

function resolveV3(options: ClientOptions, issues: ValidationIssue[]): ResolvedV3 | undefined {
  const v3 = options.v3;
  if (options.mchId === undefined) {
    issues.push({
      path: 'options.mchId',
      expected: 'the 商户号 (a composed package has APIv3 routes)',
      received: 'nothing',
    });
  }
  if (v3 === undefined || typeof v3 !== 'object' || v3 === null) {
    issues.push({
      path: 'options.v3',
      expected: 'APIv3 credentials (a composed package has APIv3 routes)',
      received: describeValue(v3),
    });
    return undefined;
  }
  const before = issues.length;
  if (typeof v3.serialNo !== 'string' || !/^[0-9A-Fa-f]{1,64}$/.test(v3.serialNo)) {
    issues.push({
      path: 'options.v3.serialNo',
      expected: 'the merchant API certificate serial in hex',
      received: describeValue(v3.serialNo),
    });
  }
  let signer: RequestSigner | undefined;
  if ((v3.privateKey === undefined) === (v3.signer === undefined)) {
    issues.push({
      path: 'options.v3.privateKey',
      expected: 'exactly one of privateKey or signer',
      received: v3.privateKey === undefined ? 'neither' : 'both',
    });
  } else if (v3.signer !== undefined) {
    signer = v3.signer;
  } else {
    signer = guard(issues, 'options.v3.privateKey', 'an RSA private key in PEM (apiclient_key.pem)', () =>
      createRsaSigner(v3.privateKey!),
    );
  }
  let apiV3Key: ApiV3Key | undefined;
  if (typeof v3.apiV3Key === 'string') {
    const given = v3.apiV3Key;
    apiV3Key = guard(
      issues,
      'options.v3.apiV3Key',
      'the 32-byte APIv3 key',
      () => createApiV3Key(given),
      `a string of ${Buffer.byteLength(given)} bytes`,
    );
  } else if (v3.apiV3Key !== undefined) {
    apiV3Key = v3.apiV3Key;
  }
  let publicKey: { id: string; key: KeyInput } | undefined;
  if (v3.publicKey !== undefined) {
    const { id, key } = v3.publicKey ?? {};
    // Parsed once here, so a bad key is an options issue and the client reuses the parsed key; the id is
    // shown only when it looks like one.
    const loaded = guard(
      issues,
      'options.v3.publicKey',
      'the WeChat Pay public key: { id: "PUB_KEY_ID_…", key: PEM }',
      () => loadPlatformPublicKey(id as string, key as KeyInput),
      typeof id === 'string' && /^PUB_KEY_ID_\d{1,40}$/.test(id)
        ? `id ${id} with an unusable key`
        : `id ${describeValue(id)}`,
    );
    if (loaded) publicKey = { id: loaded.id, key: loaded.publicKey };
  }
  const certificates =
    v3.certificates ?? (v3.publicKey === undefined && v3.platformKeys === undefined ? 'download' : []);
  if (certificates === 'download' && v3.platformKeys === undefined && apiV3Key === undefined) {
    issues.push({
      path: 'options.v3.publicKey',
      expected:
        'the WeChat Pay public key ({ id: "PUB_KEY_ID_…", key }), or apiV3Key so platform certificates can be downloaded',
      received: 'neither',
    });
  }
  const windowSeconds = v3.windowSeconds ?? 300;
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 3600) {
    issues.push({
      path: 'options.v3.windowSeconds',
      expected: 'an integer from 1 to 3600',
      received: describeValue(windowSeconds),
    });
  }
  if (issues.length > before || !signer) return undefined;
  return {
    serialNo: v3.serialNo.toUpperCase(),
    signer,
    ...(apiV3Key ? { apiV3Key } : {}),
    ...(publicKey ? { publicKey } : {}),
    certificates,
    ...(v3.platformKeys ? { platformKeys: v3.platformKeys } : {}),
    windowSeconds,
  };
}

function resolveRetry(given: unknown, timeout: number, issues: ValidationIssue[]): RetryPolicy {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    issues.push({
      path: 'options.retry',
      expected: 'an object ({ limit, maxRetryAfter })',
      received: describeValue(given),
    });
    return { limit: 0, maxRetryAfter: 0 };
  }
  const { limit = 2, maxRetryAfter = timeout } = (given ?? {}) as RetryOptions;
  if (!Number.isInteger(limit) || limit < 0 || limit > 10) {
    issues.push({
      path: 'options.retry.limit',
      expected: 'an integer from 0 to 10',
      received: describeValue(limit),
    });
  }
  if (!Number.isInteger(maxRetryAfter) || maxRetryAfter < 0 || maxRetryAfter > 2_147_483_647) {
    issues.push({
      path: 'options.retry.maxRetryAfter',
      expected: 'a non-negative integer of milliseconds',
      received: describeValue(maxRetryAfter),
    });
  }
  return { limit, maxRetryAfter };
}

/** A protocol was composed without the credentials it needs (normally caught when options are checked). */
export function missingCredentials(expected: string): ValidationError {
  return new ValidationError({
    code: 'INVALID_OPTIONS',
    context: 'createClient',
    issues: [{ path: 'options', expected, received: 'not configured' }],
  });
}

/** Runs a key loader; its failure becomes an issue that never echoes the key. */
function guard<T>(
  issues: ValidationIssue[],
  path: string,
  expected: string,
  load: () => T,
  received = 'a value that could not be used',
): T | undefined {
  try {
    return load();
  } catch (error) {
    if (!WxparkError.isInstance(error)) throw error;
    issues.push({ path, expected, received: `${received} (${error.code})` });
    return undefined;
  }
}
