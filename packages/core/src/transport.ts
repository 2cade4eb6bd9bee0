import type { KyInstance, Options as KyOptions } from 'ky';
import { type TransportAttempt, TransportError } from './errors.ts';
import { bodyOf, createNodeFetch, type DirectRequest, directRequestOption } from './node-fetch.ts';
import { backoff, delay, isRetryable, type RetryPolicy, retryDelay } from './retry.ts';
import type { HttpMethod } from './route.ts';

/** One signed attempt at a call. Built afresh for every attempt, so each carries its own nonce and time. */
export interface PreparedAttempt {
  /** Path and query exactly as signed, e.g. `/v3/parking/reminders/entry`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An HTTP response: its body as received (for signature checks) and as text. */
export interface RawResponse {
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
  /** Milliseconds for one attempt, from sending to the last byte of the response body. */
  readonly timeout: number;
  /** Most bytes a response body may have; past it the connection is cut. */
  readonly maxResponseBytes: number;
  readonly retry: RetryPolicy;
  readonly fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
  /** The fetch holding the merchant's client certificate, for calls sent with `clientCertificate`. */
  readonly certificateFetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
}

/** Per-call transport options. */
export interface SendOptions {
  readonly signal?: AbortSignal;
  /** Milliseconds for each attempt, body included, instead of the transport's `timeout`. */
  readonly timeout?: number;
  /** Send over the client-certificate connection (mutual TLS); only the routes that need it ask for it. */
  readonly clientCertificate?: boolean;
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

// ky loads with the first call, not with wxpark: importing ky builds a Request for its feature checks, which
// loads Node's fetch implementation (undici), tens of milliseconds that an import of wxpark need not pay.
let loadingKy: Promise<typeof import('ky')> | undefined;

/** ky's `isNetworkError`, without importing ky: the same test (its errors are named). */
function isNetworkError(error: unknown): boolean {
  return error instanceof Error && error.name === 'NetworkError';
}

/** Why this transport aborted an attempt itself (rather than the caller's signal). */
class AttemptAborted extends Error {
  // A declared field, not a parameter property: the source runs under Node's type stripping (example, benches).
  readonly reason: 'timeout' | 'too-large';

  constructor(reason: 'timeout' | 'too-large') {
    super(reason === 'timeout' ? 'timed out' : 'response body too large');
    this.reason = reason;
  }
}

function abortedBy(error: unknown, signal: AbortSignal): AttemptAborted | undefined {
  if (error instanceof AttemptAborted) return error;
  if (signal.reason instanceof AttemptAborted) return signal.reason;
  // createNodeFetch reads the body itself and enforces the same cap.
  return errorCodes(error).includes('RESPONSE_TOO_LARGE') ? new AttemptAborted('too-large') : undefined;
}

function describeFailure(error: unknown, aborted: AttemptAborted | undefined): string {
  if (aborted) return aborted.message;
  const codes = errorCodes(error).filter((code) => code !== 'ERR_NETWORK');
  const message = error instanceof Error ? error.message : String(error);
  return codes.length > 0 ? `${message} (${[...new Set(codes)].join(', ')})` : message;
}

/**
 * Reads a body as a stream, stopping at `limit` bytes: the abort cuts the connection, so a huge or endless
 * body costs at most `limit` bytes of memory.
 */
async function readCapped(response: Response, limit: number, abort: (reason: AttemptAborted) => void) {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    const tooLarge = new AttemptAborted('too-large');
    abort(tooLarge);
    throw tooLarge;
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      const tooLarge = new AttemptAborted('too-large');
      abort(tooLarge);
      await reader.cancel().catch(() => {});
      throw tooLarge;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Sends calls over ky with failover: a call moves to the next backup host only when the current host could
 * not be reached at all (GETs also on a timeout). A POST that may have arrived is never sent again.
 * Connections are kept alive between calls (by the node:http agents of `createNodeFetch`, or by the fetch given).
 */
export class Transport {
  readonly #settings: TransportSettings;
  readonly #hosts: readonly string[];
  /** On wxpark's own node:http fetch, the request goes to it beside ky's `Request` (see DirectRequest). */
  readonly #direct: boolean;
  #http: KyInstance | undefined;
  #certificateHttp: KyInstance | undefined;

  constructor(settings: TransportSettings) {
    this.#settings = settings;
    this.#hosts = [settings.baseUrl, ...settings.backupBaseUrls];
    this.#direct = settings.fetch === undefined;
  }

  /** ky is loaded and its instances created on the first call, so importing the SDK costs no ky. */
  async #client(clientCertificate: boolean | undefined): Promise<KyInstance | undefined> {
    loadingKy ??= import('ky');
    const { default: ky } = await loadingKy;
    const settings = this.#settings;
    // Static options only, resolved once: ky merges its defaults into every call's options.
    const base = {
      throwHttpErrors: false,
      // The attempt's own signal bounds it, body included; ky's timeout stops at the headers.
      timeout: false,
      // Retries are ours (see send).
      retry: 0,
    } as const;
    // wxpark's node:http fetch, measured faster than the global fetch on Node (apps/bench), refuses redirects
    // itself; the option keeps the global one selectable.
    this.#http ??= settings.fetch
      ? ky.create({ ...base, redirect: 'error', fetch: settings.fetch })
      : ky.create({ ...base, fetch: createNodeFetch({ maxBodyBytes: settings.maxResponseBytes }) });
    if (settings.certificateFetch)
      this.#certificateHttp ??= ky.create({ ...base, redirect: 'error', fetch: settings.certificateFetch });
    return clientCertificate ? this.#certificateHttp : this.#http;
  }

  /** The hosts a call may use, in order. */
  get hosts(): readonly string[] {
    return this.#hosts;
  }

  /**
   * Sends one call. `prepare` runs for every attempt, so every attempt carries a fresh nonce, timestamp and
   * signature. The loop is ours, not ky's `retry`: ky retries one URL only, so it cannot fail over to a
   * backup host; it cannot tell a failure before any byte left (a POST may then go to the next host) from one
   * after (the POST must never be sent again); and it would resend the same signed request.
   */
  async send(
    method: HttpMethod,
    prepare: () => Promise<PreparedAttempt>,
    options: SendOptions = {},
  ): Promise<RawResponse> {
    const attempts: TransportAttempt[] = [];
    const hosts = this.#hosts;
    const http =
      (options.clientCertificate ? this.#certificateHttp : this.#http) ??
      (await this.#client(options.clientCertificate));
    // The protocol checks this before preparing the call; kept here so no call can leave without it.
    if (!http) throw new Error('a client-certificate call on a client without clientCertificate');
    const retries = method === 'GET' ? this.#settings.retry.limit : 0;
    const direct = this.#direct && !options.clientCertificate;
    let path = '';
    for (let hostIndex = 0; hostIndex < hosts.length; hostIndex++) {
      const host = hosts[hostIndex]!;
      for (let retry = 0; ; retry++) {
        const attempt = await prepare();
        path = attempt.path;
        const url = host + attempt.path;
        const controller = new AbortController();
        const abort = (reason: AttemptAborted) => controller.abort(reason);
        const timer = setTimeout(
          () => abort(new AttemptAborted('timeout')),
          options.timeout ?? this.#settings.timeout,
        );
        const signal = options.signal
          ? AbortSignal.any([options.signal, controller.signal])
          : controller.signal;
        try {
          const response = await http(
            url,
            direct
              ? // ky forwards options it does not know to the fetch.
                ({ method, [directRequestOption]: directRequest(host, method, attempt, signal) } as KyOptions)
              : {
                  method,
                  headers: attempt.headers,
                  ...(attempt.body === undefined ? {} : { body: attempt.body }),
                  signal,
                },
          );
          const bytes =
            bodyOf(response) ?? (await readCapped(response, this.#settings.maxResponseBytes, abort));
          clearTimeout(timer);
          const wait =
            retry < retries && isRetryable({ status: response.status })
              ? retryDelay(retry, response.headers.get('retry-after'), this.#settings.retry.maxRetryAfter)
              : undefined;
          if (wait !== undefined) {
            attempts.push({ url, error: `HTTP ${response.status}` });
            await delay(wait, options.signal);
            continue;
          }
          return { url, status: response.status, headers: response.headers, bytes, body: utf8.decode(bytes) };
        } catch (error) {
          clearTimeout(timer);
          if (options.signal?.aborted) throw options.signal.reason;
          const aborted = abortedBy(error, controller.signal);
          attempts.push({ url, error: describeFailure(error, aborted) });
          const timedOut = aborted?.reason === 'timeout';
          const unreachable = !aborted && isUnreachable(error);
          // Only a GET may be repeated after a failure that the server might have seen.
          const repeatable =
            unreachable || (method === 'GET' && (timedOut || (!aborted && isNetworkError(error))));
          if (repeatable && retry < retries) {
            await delay(backoff(retry), options.signal);
            continue;
          }
          if ((unreachable || (method === 'GET' && timedOut)) && hostIndex < hosts.length - 1) break;
          throw toTransportError(error, aborted, method, attempt.path, attempts);
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

function directRequest(
  base: string,
  method: string,
  attempt: PreparedAttempt,
  signal: AbortSignal,
): DirectRequest {
  return attempt.body === undefined
    ? { base, path: attempt.path, method, headers: attempt.headers, signal }
    : { base, path: attempt.path, method, headers: attempt.headers, body: attempt.body, signal };
}

/**
 * A copy of an error chain with only names, messages and network codes: the HTTP library's errors hold the
 * request, whose `Authorization` header must never reach an error, a log line or `util.inspect`.
 */
export function redactCause(error: unknown, depth = 0): Error | undefined {
  if (error === undefined || error === null || depth > 8) return undefined;
  if (!(error instanceof Error)) return new Error(typeof error === 'string' ? error : typeof error);
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  const cause = redactCause(error.cause, depth + 1);
  const copy: Error & { code?: string; syscall?: string } =
    error instanceof AggregateError
      ? new AggregateError(
          error.errors.map((inner) => redactCause(inner, depth + 1)),
          error.message,
          cause ? { cause } : undefined,
        )
      : new Error(error.message, cause ? { cause } : undefined);
  copy.name = error.name;
  if (typeof code === 'string') copy.code = code;
  if (typeof syscall === 'string') copy.syscall = syscall;
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

const mayHaveArrived =
  'the call may have arrived; query its state before sending it again with the same parameters';

function toTransportError(
  error: unknown,
  aborted: AttemptAborted | undefined,
  method: string,
  path: string,
  attempts: TransportAttempt[],
): TransportError {
  const tried = attempts.map((a) => `${a.url}: ${a.error}`).join('; ');
  const base = { method, path, attempts };
  if (aborted?.reason === 'too-large') {
    return new TransportError({
      ...base,
      code: 'RESPONSE_TOO_LARGE',
      message: `${method} ${path}: the response body passed maxResponseBytes, so the connection was cut (${tried})`,
      hint: 'the call reached the server and may have been processed: query its state before sending it again; raise maxResponseBytes only if responses this large are expected',
    });
  }
  if (aborted?.reason === 'timeout') {
    return new TransportError({
      ...base,
      code: 'TIMEOUT',
      message: `${method} ${path} got no complete response in time (${tried})`,
      ...(method === 'GET' ? {} : { hint: mayHaveArrived }),
    });
  }
  const cause = redactCause(error);
  if (isUnreachable(error)) {
    return new TransportError({
      ...base,
      code: 'UNREACHABLE',
      message: `${method} ${path} could not reach any host (${tried})`,
      ...(cause ? { cause } : {}),
    });
  }
  return new TransportError({
    ...base,
    code: 'NETWORK',
    message: `${method} ${path} failed on the network (${tried})`,
    ...(method === 'GET' ? {} : { hint: `${mayHaveArrived}; it was not sent again` }),
    ...(cause ? { cause } : {}),
  });
}
