import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { TLSSocket } from 'node:tls';
import { spoilReply } from '../admin/hostile.ts';
import { adminPrefix } from '../admin/routes.ts';
import type { InspectedRequest } from '../inspector/journal.ts';
import { maskHeaders, showBody } from '../inspector/redact.ts';
import { inspectorPath } from '../inspector/routes.ts';
import type { SandboxState } from '../state.ts';
import { v3Error, v3Reply } from '../v3/reply.ts';
import { type Reply, textReply } from './reply.ts';
import type { RouteRequest, Router } from './router.ts';

/** Bytes of a request body kept; longer bodies are read to the end but flagged as truncated. */
export const maxBodyBytes = 64 * 1024;

/** Recorded requests kept, so a sandbox left running for days does not grow without bound. */
export const maxRecordedRequests = 1000;

async function readBody(request: IncomingMessage): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    const room = maxBodyBytes - size;
    if (chunk.length > room) truncated = true;
    if (room > 0) {
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(kept);
      size += kept.length;
    }
  }
  return { body: Buffer.concat(chunks), truncated };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.destroyed) return;
  if (reply.stream) {
    response.writeHead(reply.status, reply.headers);
    reply.stream(response);
    return;
  }
  response.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  response.end(reply.body);
}

function protocolOf(pathname: string): 'v2' | 'v3' | 'other' {
  if (pathname.startsWith('/v3/')) return 'v3';
  if (pathname.startsWith('/vehicle/') || pathname.startsWith('/transit/')) return 'v2';
  return 'other';
}

/** The inspector's record of an API request and the answer it got. */
function inspect(
  state: SandboxState,
  request: {
    method: string;
    target: string;
    pathname: string;
    headers: Record<string, string>;
    body: Buffer;
  },
  verdict: Reply['verdict'],
  answer: InspectedRequest['answer'],
  at: number,
  started: number,
): void {
  const merchant = verdict?.merchant;
  state.journal.addRequest({
    kind: 'request',
    at,
    method: request.method,
    path: request.target,
    protocol: protocolOf(request.pathname),
    ...(merchant ? { merchant } : {}),
    outcome: verdict?.outcome ?? 'refused',
    ...(verdict?.why
      ? { why: verdict.why }
      : verdict
        ? {}
        : {
            why: {
              stage: 'body' as const,
              name: 'path',
              expected: 'a path the sandbox serves',
              received: `${request.method} ${request.pathname}`,
            },
          }),
    headers: maskHeaders(request.headers),
    body: showBody(request.body.toString('utf8')),
    answer: { ...answer, headers: maskHeaders(answer.headers), body: showBody(answer.body) },
    ms: Math.round(performance.now() - started),
  });
}

/** The peer certificate of a request that came over TLS, if it sent one. */
function clientCertificateOf(request: IncomingMessage): Pick<RouteRequest, 'clientCertificate'> {
  const socket = request.socket;
  if (!(socket instanceof TLSSocket)) return {};
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return {};
  const cn = peer.subject?.CN;
  const commonName = Array.isArray(cn) ? cn[0] : cn;
  return {
    clientCertificate: { authorized: socket.authorized, ...(commonName ? { commonName } : {}) },
  };
}

/**
 * Serves one request: reads the body, records it (API paths only), routes it, lets a waiting hostile mode
 * spoil the answer, writes it and logs one line. Nothing a handler throws reaches the server: it becomes a
 * plain-text 500.
 */
export function createListener(state: SandboxState, router: Router, rateLimit?: number) {
  // Arrival times of the API calls answered in the last second, for `rateLimit`.
  const recent: number[] = [];
  const overRate = () => {
    if (!rateLimit) return false;
    const now = performance.now();
    while (recent.length > 0 && recent[0]! <= now - 1000) recent.shift();
    if (recent.length >= rateLimit) return true;
    recent.push(now);
    return false;
  };
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const logLine = (status: number | string, note = '') =>
      state.log(
        `${new Date().toISOString()} ${method} ${target} ${status} ${Math.round(performance.now() - started)}ms${note ? ` ${note}` : ''}`,
      );
    try {
      const at = Date.now();
      const { body, truncated } = await readBody(request);
      const url = new URL(target, 'http://sandbox.invalid');
      const match = router.match(method, url.pathname);
      // Admin and inspector routes are the sandbox's own: neither recorded nor hostile.
      const api = match.found
        ? match.kind === 'api'
        : !url.pathname.startsWith(adminPrefix) && !url.pathname.startsWith(inspectorPath);
      const headers = flattenHeaders(request.headers);
      if (api) {
        state.requests.push({ method, path: target, headers, body: body.toString('utf8'), at });
        if (state.requests.length > maxRecordedRequests) state.requests.shift();
      }
      const seen = { method, target, pathname: url.pathname, headers, body };

      let reply: Reply;
      let hostile: string | undefined;
      if (match.found && match.kind === 'api' && overRate()) {
        // WeChat refuses a call beyond the merchant's rate without processing it.
        reply = url.pathname.startsWith('/v3/')
          ? await v3Reply(state.v3.keyring, v3Error(429, 'FREQUENCY_LIMITED', '频率超限，请降低请求频率'))
          : textReply(429, 'FREQUENCY_LIMITED\n');
        reply.headers['retry-after'] = '1';
      } else if (match.found) {
        reply = await match.handler({
          method,
          target,
          url,
          headers: request.headers,
          body,
          bodyTruncated: truncated,
          params: match.params,
          ...clientCertificateOf(request),
        });
        const verdict = reply.verdict;
        const turn = match.kind === 'api' ? state.hostile.take() : undefined;
        if (turn?.mode === 'drop') {
          request.socket.destroy();
          logLine('dropped', '[hostile: drop]');
          inspect(
            state,
            seen,
            verdict,
            { status: 'dropped', note: 'socket destroyed', headers: {}, body: '', hostile: 'drop' },
            at,
            started,
          );
          return;
        }
        if (turn?.mode === 'slow') {
          await delay(turn.delayMs, undefined, { signal: state.shutdown.signal });
          reply = { ...reply, note: `${reply.note ?? ''} [slow ${turn.delayMs}ms]`.trim() };
        } else if (turn) {
          reply = await spoilReply(reply, turn.mode);
          reply = { ...reply, note: `${reply.note ?? ''} [hostile: ${turn.mode}]`.trim() };
        }
        hostile = turn?.mode;
        reply.verdict = verdict;
      } else if (url.pathname.startsWith('/v3/')) {
        // WeChat answers an unknown APIv3 path in its usual signed JSON, not a bare 404 page.
        const answer =
          match.allowed.length > 0
            ? v3Error(405, 'METHOD_NOT_ALLOWED', `${url.pathname} 仅支持 ${match.allowed.join(', ')}`)
            : v3Error(404, 'NOT_FOUND', `请求的资源 ${url.pathname} 不存在`);
        reply = await v3Reply(state.v3.keyring, answer);
        reply.verdict = undefined;
      } else if (match.allowed.length > 0) {
        reply = textReply(
          405,
          `${method} is not allowed on ${url.pathname}; use ${match.allowed.join(', ')}\n`,
        );
        reply.headers.allow = match.allowed.join(', ');
      } else {
        reply = textReply(404, `no sandbox route for ${method} ${url.pathname}\n`);
      }
      send(response, reply);
      if (!reply.stream) logLine(reply.status, reply.note);
      // An admin action (hostile mode, rotation, key mode, car owner) changes what the inspector's state shows.
      if (!api && method !== 'GET') state.journal.stateChanged();
      if (api) {
        const answer = {
          status: reply.status,
          note: reply.note ?? String(reply.status),
          headers: reply.headers,
          body: reply.body,
          ...(hostile ? { hostile } : {}),
        };
        inspect(state, seen, reply.verdict, answer, at, started);
      }
    } catch (error) {
      if (state.shutdown.signal.aborted || request.socket.destroyed) {
        response.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      logLine(500, `handler failed: ${message}`);
      if (response.headersSent) response.destroy();
      else send(response, textReply(500, `sandbox error: ${message}\n`));
    }
  };
}
