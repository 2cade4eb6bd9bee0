import type { IncomingMessage } from 'node:http';
import { WxparkError } from './errors.ts';

/** Where a callback body can be read from. */
export type RawBodySource = IncomingMessage | Request;

/**
 * Reads a callback's body exactly as received, as bytes. Signatures cover these bytes; a body that a
 * framework already parsed and re-serialised will not verify, so a consumed stream is refused with a hint.
 *
 * Throws `WxparkError` with code `BODY_TOO_LARGE` past `maxBytes`, or `BODY_ALREADY_READ`.
 */
export async function readRawBody(source: RawBodySource, maxBytes = 1_048_576): Promise<Uint8Array> {
  if (source instanceof Request) {
    if (source.bodyUsed) throw alreadyRead();
    const declared = Number(source.headers.get('content-length') ?? 0);
    if (declared > maxBytes) throw tooLarge(maxBytes);
    const bytes = new Uint8Array(await source.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
    return bytes;
  }
  if (source.readableEnded || (source as { body?: unknown }).body !== undefined) throw alreadyRead();
  const declared = Number(source.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.byteLength;
    if (size > maxBytes) {
      source.destroy();
      throw tooLarge(maxBytes);
    }
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

function tooLarge(maxBytes: number): WxparkError {
  return new WxparkError({
    code: 'BODY_TOO_LARGE',
    message: `the callback body is larger than ${maxBytes} bytes`,
  });
}

function alreadyRead(): WxparkError {
  return new WxparkError({
    code: 'BODY_ALREADY_READ',
    message: 'the callback body was already read by another handler',
    hint: 'mount the wxpark handler before any body parser (express.json, express.text, …), or pass the raw body (express.raw()) to the verify function',
  });
}
