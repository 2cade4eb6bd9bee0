import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { spoilReply } from '../admin/hostile.ts';
import { adminPrefix } from '../admin/routes.ts';
import type { SandboxState } from '../state.ts';
import { v3Error, v3Reply } from '../v3/reply.ts';
import { type Reply, textReply } from './reply.ts';
import type { Router } from './router.ts';

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
  response.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  response.end(reply.body);
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
      const { body, truncated } = await readBody(request);
      const url = new URL(target, 'http://sandbox.invalid');
      if (!url.pathname.startsWith(adminPrefix)) {
        state.requests.push({
          method,
          path: target,
          headers: flattenHeaders(request.headers),
          body: body.toString('utf8'),
          at: Date.now(),
        });
        if (state.requests.length > maxRecordedRequests) state.requests.shift();
      }

      const match = router.match(method, url.pathname);
      let reply: Reply;
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
        });
        const turn = match.kind === 'api' ? state.hostile.take() : undefined;
        if (turn?.mode === 'drop') {
          request.socket.destroy();
          logLine('dropped', '[hostile: drop]');
          return;
        }
        if (turn?.mode === 'slow') {
          await delay(turn.delayMs, undefined, { signal: state.shutdown.signal });
          reply = { ...reply, note: `${reply.note ?? ''} [slow ${turn.delayMs}ms]`.trim() };
        } else if (turn) {
          reply = await spoilReply(reply, turn.mode);
          reply = { ...reply, note: `${reply.note ?? ''} [hostile: ${turn.mode}]`.trim() };
        }
      } else if (url.pathname.startsWith('/v3/')) {
        // WeChat answers an unknown APIv3 path in its usual signed JSON, not a bare 404 page.
        const answer =
          match.allowed.length > 0
            ? v3Error(405, 'METHOD_NOT_ALLOWED', `${url.pathname} 仅支持 ${match.allowed.join(', ')}`)
            : v3Error(404, 'NOT_FOUND', `请求的资源 ${url.pathname} 不存在`);
        reply = await v3Reply(state.v3.keyring, answer);
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
      logLine(reply.status, reply.note);
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
