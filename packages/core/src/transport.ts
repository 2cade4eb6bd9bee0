import ky, { isNetworkError, isTimeoutError, type KyInstance } from 'ky';
import { type TransportAttempt, TransportError } from './errors.ts';
import type { HttpMethod } from './route.ts';

/** One signed attempt at a call. Built afresh for every attempt, so each carries its own nonce and time. */
export interface PreparedAttempt {
  /** Path and query exactly as signed, e.g. `/v3/parking/reminders/entry`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An HTTP answer with its body read as text. */
export interface RawAnswer {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** Transport settings after defaults were applied. */
export interface TransportSettings {
  readonly baseUrl: string;
  readonly backupBaseUrls: readonly string[];
  readonly timeout: number;
  readonly getRetryLimit: number;
  readonly fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
}

/** Per-call transport options. */
export interface SendOptions {
  readonly signal?: AbortSignal;
  readonly timeout?: number;
}

// Errors raised before a single byte of the request could reach the server: only these allow sending a
// non-idempotent call to the backup host.
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function errorCodes(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const codes: string[] = [];
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') codes.push(code);
  if (error instanceof AggregateError)
    for (const inner of error.errors) codes.push(...errorCodes(inner, seen));
  return [...codes, ...errorCodes((error as { cause?: unknown }).cause, seen)];
}

/** True when the request certainly never reached the server (DNS, connect or TLS failure). */
export function isUnreachable(error: unknown): boolean {
  const codes = errorCodes(error);
  return codes.length > 0 && codes.every((code) => unreachableCodes.has(code) || code === 'ERR_NETWORK');
}

function describeFailure(error: unknown): string {
  if (isTimeoutError(error)) return 'timed out';
  const codes = errorCodes(error).filter((code) => code !== 'ERR_NETWORK');
  const message = error instanceof Error ? error.message : String(error);
  return codes.length > 0 ? `${message} (${[...new Set(codes)].join(', ')})` : message;
}

/**
 * Sends calls over ky with failover: a call moves to the next backup host only when the current host could
 * not be reached at all (GETs also on a timeout). A POST that may have arrived is never sent again.
 * Connections are kept alive by Node's fetch (undici) between calls.
 */
export class Transport {
  readonly #settings: TransportSettings;
  readonly #http: KyInstance;

  constructor(settings: TransportSettings) {
    this.#settings = settings;
    this.#http = ky.create({
      throwHttpErrors: false,
      timeout: settings.timeout,
      // Retries are ours (see send): each attempt must be signed afresh.
      retry: { limit: 0 },
      redirect: 'error',
      ...(settings.fetch ? { fetch: settings.fetch } : {}),
    });
  }

  /** The hosts a call may use, in order. */
  get hosts(): readonly string[] {
    return [this.#settings.baseUrl, ...this.#settings.backupBaseUrls];
  }

  /**
   * Sends one call. `prepare` runs for every attempt (GET retries and failovers included), so every attempt
   * carries a fresh nonce, timestamp and signature: retries happen here rather than inside ky, whose
   * `beforeRequest` hook would run only once per call.
   */
  async send(
    method: HttpMethod,
    prepare: () => Promise<PreparedAttempt>,
    options: SendOptions = {},
  ): Promise<RawAnswer> {
    const attempts: TransportAttempt[] = [];
    const hosts = this.hosts;
    const retries = method === 'GET' ? this.#settings.getRetryLimit : 0;
    let path = '';
    for (let hostIndex = 0; hostIndex < hosts.length; hostIndex++) {
      const host = hosts[hostIndex]!;
      for (let retry = 0; ; retry++) {
        const attempt = await prepare();
        path = attempt.path;
        const url = host + attempt.path;
        try {
          const response = await this.#http(url, {
            method,
            headers: attempt.headers,
            ...(attempt.body === undefined ? {} : { body: attempt.body }),
            ...(options.signal ? { signal: options.signal } : {}),
            timeout: options.timeout ?? this.#settings.timeout,
          });
          const body = await response.text();
          if (retry < retries && retryableStatuses.has(response.status)) {
            attempts.push({ url, error: `HTTP ${response.status}` });
            await delay(backoff(retry, response.headers.get('retry-after')), options.signal);
            continue;
          }
          return { url, status: response.status, headers: response.headers, body };
        } catch (error) {
          attempts.push({ url, error: describeFailure(error) });
          if (options.signal?.aborted) throw error;
          const unreachable = isUnreachable(error);
          // Only a GET may be repeated after a failure that the server might have seen.
          const repeatable =
            unreachable || (method === 'GET' && (isNetworkError(error) || isTimeoutError(error)));
          if (repeatable && retry < retries) {
            await delay(backoff(retry, null), options.signal);
            continue;
          }
          if ((unreachable || (method === 'GET' && isTimeoutError(error))) && hostIndex < hosts.length - 1)
            break;
          throw toTransportError(error, method, attempt.path, attempts);
        }
      }
    }
    throw new TransportError({
      code: 'UNREACHABLE',
      message: `${method} ${path}: no host configured`,
      method,
      path,
      attempts,
    });
  }
}

const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

function backoff(retry: number, retryAfter: string | null): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 2_000);
  return Math.min(100 * 2 ** retry, 2_000);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function toTransportError(
  error: unknown,
  method: string,
  path: string,
  attempts: TransportAttempt[],
): TransportError {
  const tried = attempts.map((a) => `${a.url}: ${a.error}`).join('; ');
  if (isTimeoutError(error)) {
    return new TransportError({
      code: 'TIMEOUT',
      message: `${method} ${path} got no answer in time (${tried})`,
      hint:
        method === 'GET'
          ? undefined
          : 'the call may have arrived; query its state before sending it again with the same parameters',
      cause: error,
      method,
      path,
      attempts,
    });
  }
  if (isUnreachable(error)) {
    return new TransportError({
      code: 'UNREACHABLE',
      message: `${method} ${path} could not reach any WeChat Pay host (${tried})`,
      cause: error,
      method,
      path,
      attempts,
    });
  }
  return new TransportError({
    code: 'NETWORK',
    message: `${method} ${path} failed on the network (${tried})`,
    hint:
      isNetworkError(error) && method !== 'GET'
        ? 'the call may have arrived, so it was not sent again'
        : undefined,
    cause: error,
    method,
    path,
    attempts,
  });
}
