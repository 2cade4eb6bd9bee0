import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { CallbackError, SandboxUsageError } from '../errors.ts';
import { jsonReply, noContentReply, type Reply } from '../http/reply.ts';
import type { RouteHandler, RouteRequest, Router } from '../http/router.ts';
import type { SandboxState } from '../state.ts';
import type { JournalEvent } from './journal.ts';
import { inspectorPage } from './page.ts';
import { sendSampleNotice } from './samples.ts';
import { inspectState } from './snapshot.ts';

/** The inspector's routes live under this prefix: the sandbox's own, never recorded, never hostile. */
export const inspectorPath = '/inspector';

/** Pages watching at once; more are refused so a forgotten tab loop cannot pile up streams. */
export const maxWatchers = 16;

/** A comment line now and then keeps proxies and the browser from closing an idle stream. */
const keepAliveMs = 15_000;

/** State pushes are coalesced: at most one per this interval. */
const stateEveryMs = 150;

function sse(response: ServerResponse, event: string, data: unknown): void {
  // JSON.stringify never emits a raw newline, so one `data:` line carries the whole value.
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function page(): Reply {
  const nonce = randomBytes(16).toString('base64');
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Everything is inline and nothing is fetched from elsewhere: the page works offline.
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body: inspectorPage(nonce),
  };
}

function events(state: SandboxState): Reply {
  if (state.journal.subscribers >= maxWatchers) {
    return jsonReply(503, { error: `at most ${maxWatchers} inspector pages may watch at once` });
  }
  return {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: '',
    note: 'inspector stream',
    stream(response) {
      let stateTimer: NodeJS.Timeout | undefined;
      const pushState = () => {
        stateTimer ??= setTimeout(() => {
          stateTimer = undefined;
          if (!response.destroyed) sse(response, 'state', inspectState(state));
        }, stateEveryMs);
      };
      response.write('retry: 2000\n\n');
      sse(response, 'hello', { capacity: state.journal.capacity });
      for (const entry of state.journal.entries()) sse(response, 'entry', entry);
      sse(response, 'state', inspectState(state));
      const unsubscribe = state.journal.subscribe((event: JournalEvent) => {
        if (response.destroyed) return;
        if (event.type === 'clear') sse(response, 'clear', {});
        else if (event.type === 'entry') sse(response, 'entry', event.entry);
        pushState();
      });
      const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), keepAliveMs);
      keepAlive.unref();
      const stop = () => {
        unsubscribe();
        clearInterval(keepAlive);
        clearTimeout(stateTimer);
      };
      response.once('close', stop);
      state.shutdown.signal.addEventListener('abort', () => response.destroy(), { once: true });
    },
  };
}

function readJsonAction(request: RouteRequest): Record<string, unknown> {
  // Only JSON: a cross-site form or `text/plain` fetch cannot trigger an action without a CORS preflight,
  // which the sandbox never grants.
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    throw new SandboxUsageError('content-type: expected application/json');
  }
  if (request.bodyTruncated) throw new SandboxUsageError('body: too large');
  let value: unknown;
  try {
    value = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new SandboxUsageError('body: expected JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandboxUsageError('body: expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function guarded(handler: RouteHandler): RouteHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof SandboxUsageError) return jsonReply(400, { error: error.message });
      if (error instanceof CallbackError) return jsonReply(502, { error: error.message });
      throw error;
    }
  };
}

/**
 * The inspector: the page (`GET /inspector`), its live stream of requests, notices and state (Server-Sent
 * Events), the state as JSON, and the one action of its own (sample notices). Hostile modes and certificate
 * rotation go through the admin routes.
 */
export function addInspectorRoutes(router: Router, state: SandboxState): void {
  const add = (method: string, path: string, handler: RouteHandler) =>
    router.add(method, `${inspectorPath}${path}`, 'admin', guarded(handler));
  add('GET', '', () => page());
  add('GET', '/', () => page());
  add('GET', '/events', () => events(state));
  add('GET', '/state', () => jsonReply(200, inspectState(state)));
  add('GET', '/entries', () => jsonReply(200, state.journal.entries()));
  add('DELETE', '/entries', () => {
    state.journal.clear();
    return noContentReply();
  });
  add('POST', '/notices', async (request) =>
    jsonReply(200, await sendSampleNotice(state, readJsonAction(request))),
  );
}
