import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { WxparkError } from '../errors.ts';
import { alreadyRead, bytesOf, capped, readRawBody } from './body.ts';
import {
  type HonoContextLike,
  type HonoRequestLike,
  type KoaContextLike,
  readHonoBody,
  readKoaBody,
} from './frameworks.ts';
import { createMemoryNoticeStore, type NoticeStore, type StoredNoticeReply } from './store.ts';

/** Notice headers as node:http, Fetch or a framework hands them over. */
export type NoticeHeaders =
  | Headers
  | IncomingHttpHeaders
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** What a notice handler answers: status, body and its content type. */
export type NoticeReply = StoredNoticeReply;

/**
 * One notice protocol (APIv2 XML or APIv3 JSON) as the shared pipeline sees it. Route packages implement
 * it; applications use the handlers built on it.
 */
export interface NoticeProtocol<Notice> {
  /** Verifies the raw body and headers and returns the notice, or throws. */
  verify(body: Uint8Array, headers: NoticeHeaders): Notice | Promise<Notice>;
  /** The id that deduplicates deliveries, unique across protocols (`v3:…`, `v2:…`). */
  idOf(notice: Notice): string;
  /** The error for a notice the handler does not declare, or undefined for one it does. */
  undeclared(notice: Notice): WxparkError | undefined;
  /** The reply to a processed notice, from what `onNotice` returned; throws when that is not a valid reply. */
  success(notice: Notice, result: unknown): NoticeReply;
  /** The reply that refuses a delivery or asks WeChat to send it again. */
  failure(status: number, code: string): NoticeReply;
  /** The status that refuses a delivery whose verification threw `error`. */
  refusalStatus(error: unknown): number;
}

/** Settings every notice handler shares. */
export interface NoticeHandlerOptions<Notice, Result = unknown> {
  /**
   * Processes one verified notice. WeChat delivers at least once: concurrent and repeated deliveries of
   * one notice are coalesced and deduplicated through `store`, but a crash between your side effect and the
   * reply still means a second run, so keep this idempotent. Throw to have WeChat send the notice again.
   */
  onNotice(notice: Notice): Result | Promise<Result>;
  /**
   * Told of every refused or failed delivery (forgeries, misconfiguration, `onNotice` failures, notices the
   * handler does not declare); its return value is ignored. Without it, configuration mistakes are written
   * once to `console.warn`.
   */
  onError?(error: unknown): void;
  /**
   * The record of processed notices, shared by every instance that receives the same notices.
   * @default createMemoryNoticeStore()
   */
  store?: NoticeStore;
  /**
   * How long a claim on a notice lasts before another instance may process it (when this one died): longer
   * than `onNotice` ever takes.
   * @default 60000
   */
  leaseMs?: number;
  /** @default 1048576 */
  maxBodyBytes?: number;
}

/**
 * A notice endpoint, one pipeline with an entry per runtime: each reads the body exactly as received (or as
 * the framework kept it), verifies it, deduplicates it, runs `onNotice` and answers as WeChat expects.
 */
export interface NoticeHandler {
  /**
   * For node:http and frameworks on it (Express, NestJS, Fastify's raw request). Uses `req.rawBody` or a
   * `Buffer`/string `req.body` when a body parser kept the bytes; a parsed object is answered 500.
   */
  node(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** For Fetch-style runtimes (Next.js route handlers, Bun, Deno, Cloudflare); a used body is answered 500. */
  fetch(request: Request): Promise<Response>;
  /** For Koa: uses `ctx.request.rawBody` after a body parser, or reads `ctx.req`; answers through `ctx`. */
  koa(ctx: KoaContextLike): Promise<void>;
  /** For Hono: takes `c` or `c.req`, and uses the body a middleware already read (`c.req.text()`). */
  hono(context: HonoContextLike | HonoRequestLike): Promise<Response>;
  /** For anything else: the raw body as received and its headers in, the reply to send out. */
  process(rawBody: string | Uint8Array, headers: NoticeHeaders): Promise<NoticeReply>;
}

/** Codes whose cause is the server's setup: without `onError` they are written once to `console.warn`. */
const setupCodes = new Set(['BODY_ALREADY_READ', 'UNDECLARED_NOTICE', 'INVALID_NOTICE_REPLY']);

/**
 * Builds a {@link NoticeHandler} over one protocol: read → verify → classify → claim (coalescing concurrent
 * deliveries of one id in this process, and through `store` across instances) → `onNotice` → reply.
 *
 * For route packages; applications use `createV3NoticeHandler`, `createParkingNoticeHandler`, … instead.
 */
export function createNoticeHandler<Notice, Result>(
  protocol: NoticeProtocol<Notice>,
  options: NoticeHandlerOptions<Notice, Result>,
): NoticeHandler {
  const store = options.store ?? createMemoryNoticeStore();
  const leaseMs = options.leaseMs ?? 60_000;
  const maxBytes = options.maxBodyBytes ?? 1_048_576;
  const inFlight = new Map<string, { readonly startedAt: number; readonly reply: Promise<NoticeReply> }>();
  const warned = new Set<string>();

  function report(error: unknown): void {
    if (options.onError) {
      try {
        options.onError(error);
      } catch {
        // A failing logger must not change the reply WeChat gets.
      }
      return;
    }
    const code = WxparkError.isInstance(error) ? error.code : '';
    if (setupCodes.has(code) && !warned.has(code)) {
      warned.add(code);
      console.warn(
        `[wxpark] notice handler: ${(error as Error).message} (pass onError to see every failure)`,
      );
    }
  }

  function failed(error: unknown, status: number): NoticeReply {
    report(error);
    return protocol.failure(status, WxparkError.isInstance(error) ? error.code : 'FAIL');
  }

  async function run(read: () => Promise<Uint8Array>, headers: NoticeHeaders): Promise<NoticeReply> {
    let body: Uint8Array;
    try {
      body = await read();
    } catch (error) {
      const tooLarge = WxparkError.isInstance(error) && error.code === 'BODY_TOO_LARGE';
      return failed(error, tooLarge ? 413 : 500);
    }
    let notice: Notice;
    try {
      notice = await protocol.verify(body, headers);
    } catch (error) {
      return failed(error, protocol.refusalStatus(error));
    }
    // Genuine but not declared: 500, so WeChat sends it again until a handler that declares it is deployed.
    const undeclared = protocol.undeclared(notice);
    if (undeclared) return failed(undeclared, 500);
    const id = protocol.idOf(notice);
    const running = inFlight.get(id);
    // Past its lease a run is presumed stuck: the store lets the next delivery claim it again, and so do we.
    if (running && Date.now() - running.startedAt <= leaseMs) return running.reply;
    const entry = { startedAt: Date.now(), reply: settle(id, notice) };
    inFlight.set(id, entry);
    void entry.reply.finally(() => {
      if (inFlight.get(id) === entry) inFlight.delete(id);
    });
    return entry.reply;
  }

  async function settle(id: string, notice: Notice): Promise<NoticeReply> {
    let claim: Awaited<ReturnType<NoticeStore['claim']>>;
    try {
      claim = await store.claim(id, leaseMs);
    } catch (error) {
      return failed(error, 500);
    }
    if (claim.status === 'done') return claim.reply;
    // Another instance is processing it now; a 503 makes WeChat deliver it again later, when it is done.
    if (claim.status === 'busy') return protocol.failure(503, 'NOTICE_BUSY');
    let reply: NoticeReply;
    try {
      reply = protocol.success(notice, await options.onNotice(notice));
    } catch (error) {
      await store.release(id).catch(report);
      report(error);
      const code = WxparkError.isInstance(error) && setupCodes.has(error.code) ? error.code : 'FAIL';
      return protocol.failure(500, code);
    }
    // The work is done: a store that cannot record it costs at most one more run on WeChat's retry.
    await store.complete(id, reply).catch(report);
    return reply;
  }

  return {
    async node(request, response) {
      const reply = await run(() => readRawBody(request, maxBytes), request.headers);
      response.writeHead(reply.status, reply.contentType ? { 'content-type': reply.contentType } : {});
      response.end(reply.body);
    },
    async fetch(request) {
      return toResponse(await run(() => readRawBody(request, maxBytes), request.headers));
    },
    async koa(ctx) {
      const reply = await run(() => readKoaBody(ctx, maxBytes), ctx.req.headers);
      ctx.status = reply.status;
      if (reply.body) {
        ctx.body = reply.body;
        ctx.type = reply.contentType ?? 'text/plain';
      } else {
        ctx.body = null;
        ctx.status = reply.status;
      }
    },
    async hono(context) {
      const request = 'req' in context ? context.req : context;
      return toResponse(await run(() => readHonoBody(request, maxBytes), request.raw.headers));
    },
    process(rawBody, headers) {
      return run(async () => {
        const bytes = bytesOf(rawBody);
        if (!bytes) throw alreadyRead('parsed');
        return capped(bytes, maxBytes);
      }, headers);
    },
  };
}

function toResponse(reply: NoticeReply): Response {
  const empty = reply.status === 204 || reply.body === '';
  return new Response(empty ? null : reply.body, {
    status: reply.status,
    headers: reply.contentType && !empty ? { 'content-type': reply.contentType } : {},
  });
}
