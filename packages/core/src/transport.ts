import ky, { isNetworkError, isTimeoutError, type KyInstance } from 'ky';
import { type TransportAttempt, TransportError } from './errors.ts';
import { backoff, delay, isRetryable, type RetryPolicy, retryDelay } from './retry.ts';
import type { HttpMethod } from './route.ts';

/** One signed attempt at a call. Built afresh for every attempt, so each carries its own nonce and time. */
export interface PreparedAttempt {
  /** Path and query exactly as signed, e.g. `/v3/parking/reminders/entry`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An HTTP answer: its body as received (for signature checks) and as text. */
export interface RawAnswer {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  /** The bytes exactly as received: what a signature covers. */
  readonly bytes: Uint8Array;
  /** The bytes decoded as UTF-8, for parsing. */
  readonly body: string;
}

const utf8 = new TextDecoder();

/** Transport settings after defaults were applied. */
export interface TransportSettings {
  readonly baseUrl: string;
  readonly backupBaseUrls: readonly string[];
  readonly timeout: number;
  readonly retry: RetryPolicy;
  readonly fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
}

/** Per-call transport options. */
export interface SendOptions {
  readonly signal?: AbortSignal;
  readonly timeout?: number;
}

// Failures that happen before a single byte of the request can reach the server: only these allow sending a
// non-idempotent call to the backup host. Socket errors count only when raised by `connect` itself: the same
// codes (EHOSTUNREACH, ENETUNREACH) also arrive on a socket that has already carried the request.
const connectCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const lookupCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const beforeRequestCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

interface ErrorFact {
  code: string;
  syscall?: string;
}

function errorFacts(error: unknown, seen = new Set<unknown>()): ErrorFact[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const facts: ErrorFact[] = [];
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (typeof code === 'string') facts.push({ code, ...(typeof syscall === 'string' ? { syscall } : {}) });
  if (error instanceof AggregateError)
    for (const inner of error.errors) facts.push(...errorFacts(inner, seen));
  return [...facts, ...errorFacts((error as { cause?: unknown }).cause, seen)];
}

function errorCodes(error: unknown): string[] {
  return errorFacts(error).map((fact) => fact.code);
}

function beforeRequest(fact: ErrorFact): boolean {
  if (fact.code === 'ERR_NETWORK') return true; // ky's wrapper: decided by the causes beneath it
  if (connectCodes.has(fact.code)) return fact.syscall === 'connect';
  return lookupCodes.has(fact.code) || beforeRequestCodes.has(fact.code);
}

/** True when the request certainly never reached the server (DNS, connect or TLS failure). */
export function isUnreachable(error: unknown): boolean {
  const facts = errorFacts(error);
  return facts.some((fact) => fact.code !== 'ERR_NETWORK') && facts.every(beforeRequest);
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
    const retries = method === 'GET' ? this.#settings.retry.limit : 0;
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
          const bytes = new Uint8Array(await response.arrayBuffer());
          const body = utf8.decode(bytes);
          const wait =
            retry < retries && isRetryable({ status: response.status })
              ? retryDelay(retry, response.headers.get('retry-after'), this.#settings.retry.maxRetryAfter)
              : undefined;
          if (wait !== undefined) {
            attempts.push({ url, error: `HTTP ${response.status}` });
            await delay(wait, options.signal);
            continue;
          }
          return { url, status: response.status, headers: response.headers, bytes, body };
        } catch (error) {
          attempts.push({ url, error: describeFailure(error) });
          if (options.signal?.aborted) throw error;
          const unreachable = isUnreachable(error);
          // Only a GET may be repeated after a failure that the server might have seen.
          const repeatable =
            unreachable || (method === 'GET' && (isNetworkError(error) || isTimeoutError(error)));
          if (repeatable && retry < retries) {
            await delay(backoff(retry), options.signal);
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
