import type { IncomingMessage } from 'node:http';
import { WxparkError } from '../errors.ts';

/** Where a notice body can be read from. */
export type RawBodySource = IncomingMessage | Request;

/**
 * A node:http request as frameworks leave it: the stream, plus the bytes or the parsed value a body parser
 * put on it (`req.rawBody` from NestJS `rawBody: true` and raw-body plugins, `req.body` from
 * `express.raw()`, `express.text()` or `express.json()`).
 */
export type NodeNoticeRequest = IncomingMessage & { rawBody?: unknown; body?: unknown };

const defaultMaxBytes = 1_048_576;

/**
 * Reads a notice's body exactly as received, as bytes. Signatures cover these bytes; a body that a
 * framework already parsed (and would re-serialise differently) is refused with a hint naming the fix.
 *
 * Bytes a framework kept are used as they are: `req.rawBody` or `req.body` as a `Buffer`, `Uint8Array` or
 * string. Otherwise the stream is read, when nothing read it before.
 *
 * @throws `WxparkError` with code `BODY_TOO_LARGE` past `maxBytes`, or `BODY_ALREADY_READ` when the bytes
 * are gone (a parsed object, a consumed stream or a used `Request`).
 */
export async function readRawBody(
  source: RawBodySource,
  maxBytes: number = defaultMaxBytes,
): Promise<Uint8Array> {
  if (source instanceof Request) {
    if (source.bodyUsed) throw alreadyRead('consumed');
    return readStream(source.body, source.headers.get('content-length'), maxBytes);
  }
  const request = source as NodeNoticeRequest;
  const carried = bytesOf(request.rawBody) ?? bytesOf(request.body);
  if (carried) return capped(carried, maxBytes);
  // Some parsers (Express 4's json()) set `body = {}` for a type they skip and leave the stream unread.
  if (!request.readableDidRead && !request.readableEnded) {
    return readNodeStream(request, maxBytes);
  }
  throw alreadyRead(request.body !== undefined && request.body !== null ? 'parsed' : 'consumed');
}

/** The bytes of a body a framework kept, or undefined when it is not bytes or text. */
export function bytesOf(value: unknown): Uint8Array | undefined {
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return undefined;
}

/** Refuses a kept body larger than `maxBytes`. */
export function capped(bytes: Uint8Array, maxBytes: number = defaultMaxBytes): Uint8Array {
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

/** Reads a Fetch body stream, cancelling it past `maxBytes`. */
export async function readStream(
  stream: ReadableStream<Uint8Array> | null,
  declaredLength: string | null | undefined,
  maxBytes: number = defaultMaxBytes,
): Promise<Uint8Array> {
  if (Number(declaredLength ?? 0) > maxBytes) throw tooLarge(maxBytes);
  if (!stream) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

async function readNodeStream(request: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    size += bytes.byteLength;
    if (size > maxBytes) {
      request.destroy();
      throw tooLarge(maxBytes);
    }
    chunks.push(bytes);
  }
  return concat(chunks, size);
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): WxparkError {
  return new WxparkError({
    code: 'BODY_TOO_LARGE',
    message: `the notice body is larger than ${maxBytes} bytes`,
  });
}

/**
 * The bytes were read by something else. This is a server misconfiguration, never the sender's fault, so
 * the handlers answer it 500 and WeChat keeps retrying until it is fixed.
 */
export function alreadyRead(how: 'parsed' | 'consumed'): WxparkError {
  return new WxparkError({
    code: 'BODY_ALREADY_READ',
    message:
      how === 'parsed'
        ? 'the notice body was parsed into an object by a body parser, and its exact bytes are gone; the signature covers those bytes'
        : 'the notice body was read by something else before the notice handler, and its bytes are gone',
    hint: 'give the notice route the raw bytes: mount the handler before any body parser, or use express.raw({ type: () => true }) on that route, NestJS rawBody: true, or the Koa, Hono or Fastify entry of the handler',
  });
}
