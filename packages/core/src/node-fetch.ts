import type { ClientRequest, Agent as HttpAgent, IncomingMessage, RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

/** The `fetch` signature ky calls. */
export type FetchFunction = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/** Settings for {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /**
   * Largest answer body accepted, in bytes; a larger one (announced or streamed) fails the call.
   * @default 16777216 (16 MiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Milliseconds an idle keep-alive connection is kept before it is closed (shorter when the server's
   * `Keep-Alive: timeout=…` hint says so).
   * @default 4000
   */
  readonly idleTimeout?: number;
}

type Builtins = {
  http: typeof import('node:http').request;
  https: typeof import('node:https').request;
};

// The bytes of each answer this fetch read, by Response: the transport takes them from here instead of
// reading the Response's body stream a second time. Weak, so an answer nobody reads is simply collected.
const bodies = new WeakMap<Response, Uint8Array>();

/** The body bytes of a Response from {@link createNodeFetch}, already read and within the cap. */
export function bodyOf(response: Response): Uint8Array | undefined {
  return bodies.get(response);
}

type Agents = { http: HttpAgent; https: HttpsAgent; request: Builtins };

// One pair of keep-alive agents per idle timeout, shared by every client in the process (as undici's global
// dispatcher is): an application that creates a client per request still reuses connections. node:http and
// node:https load on the first request, so importing wxpark does not pay for them.
const agentPairs = new Map<number, Agents>();

function agentsFor(idleTimeout: number): Agents {
  let agents = agentPairs.get(idleTimeout);
  if (!agents) {
    const http = process.getBuiltinModule('node:http');
    const https = process.getBuiltinModule('node:https');
    const settings = { keepAlive: true, timeout: idleTimeout, scheduling: 'lifo' as const };
    agents = {
      http: new http.Agent(settings),
      https: new https.Agent(settings),
      request: { http: http.request, https: https.request },
    };
    agentPairs.set(idleTimeout, agents);
  }
  return agents;
}

const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * A request the transport hands to {@link createNodeFetch} beside ky's own `Request`, as the fetch option
 * {@link directRequestOption} (ky forwards options it does not know to `fetch`): the headers, body and
 * signal go straight to node:http instead of through a `Request`'s `Headers` and body stream and back.
 * Its answer is a `Response` without a body stream: the bytes are read whole and taken with {@link bodyOf}.
 */
export interface DirectRequest {
  /** The host's base URL as configured (`https://api.mch.weixin.qq.com`); parsed once per base. */
  readonly base: string;
  /** Path and query exactly as signed. */
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Bounds the attempt, answer body included. */
  readonly signal: AbortSignal;
}

/** The fetch option that carries a {@link DirectRequest}. */
export const directRequestOption = 'wxparkDirectRequest';

interface Target {
  readonly secure: boolean;
  readonly host: string;
  readonly port?: string;
  /** The base URL's own path (a gateway prefix), without its trailing slash. */
  readonly prefix: string;
}

// Base URLs are few (a host and its backups): each is parsed once.
const targets = new Map<string, Target>();

function targetOf(url: URL): Target {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:')
    throw new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) });
  return {
    secure,
    host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    ...(url.port ? { port: url.port } : {}),
    prefix: url.pathname.replace(/\/+$/, ''),
  };
}

function baseTarget(base: string): Target {
  let target = targets.get(base);
  if (!target) {
    target = targetOf(new URL(base));
    if (targets.size < 64) targets.set(base, target);
  }
  return target;
}

/**
 * A `fetch` for Node on `node:http`/`node:https` keep-alive agents (shared in the process): the same
 * contract as the global `fetch` for what wxpark sends (a method, headers, a string or bytes body, an
 * `AbortSignal`), with less work per request than undici's fetch. The answer is read whole before the
 * `Response` is returned, within `maxBodyBytes`. Redirects are never followed (WeChat Pay does not send
 * them): with `redirect: 'error'`, as ky is set up, a 3xx rejects; otherwise it is returned as it came.
 * No `accept-encoding` is sent, so answers arrive uncompressed.
 *
 * Failures reject as the global `fetch` does: a `TypeError('fetch failed')` whose `cause` is Node's error
 * (with its `code` and `syscall`, e.g. `ECONNREFUSED` from `connect`), or the signal's reason on abort.
 * Proxies and `dispatcher` are not supported: pass the global `fetch` (or undici's) for those.
 *
 * Given a {@link DirectRequest} (the init option {@link directRequestOption}), it sends that and ignores
 * the `Request`, and never follows a redirect.
 *
 * The modules load on the first request, so importing this costs nothing.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchFunction {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const idleTimeout = options.idleTimeout ?? 4_000;
  const settings = { maxBodyBytes, idleTimeout };
  return async function nodeFetch(input, init) {
    const direct = (init as { [directRequestOption]?: DirectRequest } | undefined)?.[directRequestOption];
    if (direct) {
      direct.signal.throwIfAborted();
      const target = baseTarget(direct.base);
      const headers: Record<string, string> = { ...direct.headers };
      if (direct.body !== undefined) headers['content-length'] = String(Buffer.byteLength(direct.body));
      headers.accept ??= '*/*';
      return exchangeWhole(
        settings,
        target,
        target.prefix + direct.path,
        direct.method,
        headers,
        direct.body,
        {
          signal: direct.signal,
          redirect: 'error',
          lean: true,
        },
      );
    }
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const signal = init?.signal ?? request?.signal ?? undefined;
    const redirect = init?.redirect ?? request?.redirect ?? 'follow';
    signal?.throwIfAborted();
    const headers: Record<string, string> = {};
    const given = init?.headers ?? request?.headers;
    if (given)
      for (const [name, value] of given instanceof Headers ? given : new Headers(given))
        headers[name] = value;
    let body: Uint8Array | string | undefined;
    if (init?.body !== undefined && init.body !== null) body = await readBody(init.body);
    else if (request?.body) body = await readRequestBody(request.body);
    if (body !== undefined) {
      headers['content-length'] = String(
        typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      );
      if (typeof init?.body === 'string' && headers['content-type'] === undefined)
        headers['content-type'] = 'text/plain;charset=UTF-8';
    }
    headers.accept ??= '*/*';
    return exchangeWhole(settings, targetOf(url), url.pathname + url.search, method, headers, body, {
      signal,
      redirect,
      lean: false,
    });
  };
}

/**
 * Sends one request on the shared agents and reads its answer whole. A `lean` answer carries no body
 * stream (its bytes are only in {@link bodyOf}); otherwise the `Response` also holds them, as fetch's does.
 */
async function exchangeWhole(
  settings: { maxBodyBytes: number; idleTimeout: number },
  target: Target,
  path: string,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | string | undefined,
  how: { signal: AbortSignal | undefined; redirect: RequestInit['redirect']; lean: boolean },
): Promise<Response> {
  const { signal } = how;
  const loaded = agentsFor(settings.idleTimeout);
  const requestOptions: RequestOptions = {
    method,
    headers,
    agent: target.secure ? loaded.https : loaded.http,
    host: target.host,
    ...(target.port ? { port: target.port } : {}),
    path,
  };
  const answer = await exchange(
    target.secure ? loaded.request.https : loaded.request.http,
    requestOptions,
    body,
    signal,
  );
  const status = answer.statusCode ?? 0;
  if (how.redirect === 'error' && redirectStatuses.has(status)) {
    answer.destroy();
    throw new TypeError('fetch failed', { cause: new Error(`unexpected redirect (HTTP ${status})`) });
  }
  const bytes = await readAnswer(answer, settings.maxBodyBytes, signal);
  try {
    const noBody = nullBodyStatuses.has(status) || method === 'HEAD';
    const response = new Response(noBody || how.lean ? null : bytes, {
      status,
      statusText: answer.statusMessage ?? '',
    });
    // Appended to the Response's own Headers: one Headers object, not a second one copied into it.
    const responseHeaders = response.headers;
    const raw = answer.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
    bodies.set(response, noBody ? new Uint8Array(0) : bytes);
    return response;
  } catch (error) {
    throw new TypeError('fetch failed', { cause: error });
  }
}

async function readBody(body: NonNullable<RequestInit['body']>): Promise<Uint8Array | string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body;
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/**
 * Reads a Request's body and releases the reader: ky cancels the body of the request it sent once the call
 * settles, and cancelling a stream still locked by a reader throws (an error built, with its stack, per call).
 */
async function readRequestBody(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  reader.releaseLock();
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

function exchange(
  send: (options: RequestOptions, callback: (answer: IncomingMessage) => void) => ClientRequest,
  options: RequestOptions,
  body: Uint8Array | string | undefined,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let request: ClientRequest;
    const onAbort = () => {
      reject(signal!.reason);
      request.destroy();
    };
    try {
      request = send(options, (answer) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(answer);
      });
    } catch (error) {
      // Headers Node refuses (a character it will not send) or a bad host: the request never left.
      reject(new TypeError('fetch failed', { cause: error }));
      return;
    }
    request.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TypeError('fetch failed', { cause: error }));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

function readAnswer(
  answer: IncomingMessage,
  maxBodyBytes: number,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const declared = Number(declaredLength(answer.rawHeaders));
  if (declared > maxBodyBytes) {
    answer.destroy();
    return Promise.reject(tooLarge(maxBodyBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(error);
      answer.destroy();
    };
    const onAbort = () => fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    answer.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBodyBytes) fail(tooLarge(maxBodyBytes));
      else chunks.push(chunk);
    });
    answer.on('end', () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      const joined = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      resolve(new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength));
    });
    // `aborted`/`error`: the connection broke mid-answer ("terminated", as undici says).
    answer.on('error', (error) => fail(new TypeError('terminated', { cause: error })));
    answer.on('aborted', () =>
      fail(new TypeError('terminated', { cause: new Error('the answer was cut off') })),
    );
  });
}

/** `Content-Length` from the raw headers: `answer.headers` would build a whole header object to read one. */
function declaredLength(raw: readonly string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 14 && raw[i]!.toLowerCase() === 'content-length') return raw[i + 1];
  return undefined;
}

function tooLarge(maxBodyBytes: number): TypeError {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error(`the answer body is larger than ${maxBodyBytes} bytes`), {
      code: 'RESPONSE_TOO_LARGE',
    }),
  });
}
