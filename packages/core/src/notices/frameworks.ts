import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { alreadyRead, bytesOf, capped, readRawBody, readStream } from './body.ts';
import type { NoticeHandler } from './pipeline.ts';

// Structural types only: the frameworks are never imported, so none of them becomes a dependency.

/** The part of a Koa context the notice handler uses. */
export interface KoaContextLike {
  readonly req: IncomingMessage;
  readonly request: { readonly rawBody?: unknown; readonly body?: unknown };
  status: number;
  body: unknown;
  type: string;
}

/** The part of Hono's `c.req` the notice handler uses. */
export interface HonoRequestLike {
  readonly raw: Request;
  /** Hono keeps each body a middleware read here, by the method that read it (`text`, `arrayBuffer`, …). */
  readonly bodyCache?: Readonly<Record<string, unknown>>;
}

/** The part of a Hono context the notice handler uses. */
export interface HonoContextLike {
  readonly req: HonoRequestLike;
}

/** Reads a Koa request's body: `ctx.request.rawBody` (or a Buffer/string body) after a parser, else `ctx.req`. */
export async function readKoaBody(ctx: KoaContextLike, maxBytes: number): Promise<Uint8Array> {
  const kept = bytesOf(ctx.request.rawBody) ?? bytesOf(ctx.request.body);
  if (kept) return capped(kept, maxBytes);
  return readRawBody(ctx.req, maxBytes);
}

/**
 * Reads a Hono request's body: the bytes or text a middleware already read (Hono caches them), else the
 * raw request. A body only cached as parsed JSON or form data is refused, since its bytes are gone.
 */
export async function readHonoBody(request: HonoRequestLike, maxBytes: number): Promise<Uint8Array> {
  const cache = request.bodyCache ?? {};
  if (cache.arrayBuffer) return capped(new Uint8Array((await cache.arrayBuffer) as ArrayBuffer), maxBytes);
  if (cache.text) return capped(new TextEncoder().encode((await cache.text) as string), maxBytes);
  if (cache.blob) return capped(new Uint8Array(await ((await cache.blob) as Blob).arrayBuffer()), maxBytes);
  if (Object.keys(cache).length > 0) throw alreadyRead('parsed');
  if (request.raw.bodyUsed) throw alreadyRead('consumed');
  return readStream(request.raw.body, request.raw.headers.get('content-length'), maxBytes);
}

/** The part of a Fastify reply the notice routes use. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload?: string): FastifyReplyLike;
}

/** The part of a Fastify instance the notice plugin uses. */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => void,
  ): void;
  post(
    path: string,
    handler: (request: { body: unknown; headers: IncomingHttpHeaders }, reply: FastifyReplyLike) => unknown,
  ): unknown;
}

/** Settings for {@link createFastifyNoticePlugin}. */
export interface FastifyNoticePluginOptions {
  /** Each notice route's path and its handler, e.g. `{ '/wxpay/v3/notify': parkingNotices }`. */
  routes: Readonly<Record<string, NoticeHandler>>;
  /**
   * The largest body the routes accept; Fastify answers a larger one 413 itself.
   * @default 1048576
   */
  bodyLimit?: number;
}

/**
 * A Fastify plugin that registers the notice routes with a parser that hands over the raw bytes of any
 * content type. Register it without `fastify-plugin`: Fastify then keeps the parser inside the plugin's own
 * scope, so the app's other routes keep the default JSON parser, and the APIv2 XML notice is never
 * answered 415 (unsupported media type) by Fastify.
 *
 * @example
 * ```ts
 * const app = Fastify();
 * app.register(createFastifyNoticePlugin({ routes: { '/wxpay/v3/notify': parkingNotices } }));
 * ```
 */
export function createFastifyNoticePlugin(
  options: FastifyNoticePluginOptions,
): (fastify: FastifyInstanceLike) => Promise<void> {
  const bodyLimit = options.bodyLimit ?? 1_048_576;
  return async (fastify) => {
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
      done(null, body);
    });
    for (const [path, handler] of Object.entries(options.routes)) {
      fastify.post(path, async (request, reply) => {
        // No body at all (no content type and no length) reaches here as undefined: verify zero bytes.
        const body = request.body === undefined ? new Uint8Array(0) : (request.body as Uint8Array);
        const answer = await handler.process(body, request.headers);
        reply.code(answer.status);
        if (answer.contentType && answer.body) reply.header('content-type', answer.contentType);
        return reply.send(answer.body || undefined);
      });
    }
  };
}
