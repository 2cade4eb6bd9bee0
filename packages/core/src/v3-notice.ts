import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ApiV3Key,
  createApiV3Key,
  decryptResource,
  type EncryptedResource,
  type PlatformKey,
  PlatformKeySet,
  readWechatpayHeaders,
  type SignatureVerifier,
  verifyV3Signature,
} from '@wxpark/signer';
import { SignatureError, WxparkError } from './errors.ts';
import { readRawBody } from './raw-body.ts';
import { toSignatureError } from './v3-signature.ts';

/** A verified, decrypted APIv3 callback. */
export interface V3Notice<Resource = unknown, EventType extends string = string> {
  /** 通知ID: the same across WeChat's retries of one notification. */
  readonly id: string;
  /** 通知创建时间 (RFC 3339). */
  readonly create_time: string;
  /** 通知类型, e.g. `VEHICLE.ENTRANCE_STATE_CHANGE`. */
  readonly event_type: EventType;
  readonly resource_type: string;
  /** 回调摘要. */
  readonly summary: string;
  /** The `resource.original_type` WeChat declared, when present. */
  readonly original_type?: string;
  /** The decrypted resource, parsed from JSON. */
  readonly resource: Resource;
}

/** The keys that verify and decrypt APIv3 callbacks. */
export interface V3NoticeKeys {
  /** WeChat Pay's keys: a client's provider, a verifier of your own, or the keys themselves. */
  verifier: SignatureVerifier | readonly PlatformKey[];
  /** APIv3密钥. */
  apiV3Key: string | ApiV3Key;
  /** @default 300 */
  windowSeconds?: number;
  /** @default Date.now */
  now?: () => number;
}

interface Envelope {
  id?: unknown;
  create_time?: unknown;
  event_type?: unknown;
  resource_type?: unknown;
  summary?: unknown;
  resource?: EncryptedResource;
}

/**
 * Verifies an APIv3 callback from its raw body exactly as received and its headers, then decrypts its
 * resource. A parsed object is refused by type: re-serialising a body changes its bytes.
 *
 * @throws `SignatureError` (bad, missing or probe signature, unknown key, stale or future timestamp),
 * `WxparkError` MALFORMED_NOTICE, or DECRYPT_FAILED (usually the wrong APIv3 key).
 */
export async function verifyV3Notice(
  rawBody: string | Uint8Array,
  headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>,
  keys: V3NoticeKeys,
): Promise<V3Notice> {
  const verifier = Array.isArray(keys.verifier)
    ? new PlatformKeySet(keys.verifier)
    : (keys.verifier as SignatureVerifier);
  const wechatpay = readWechatpayHeaders(headers as Headers);
  try {
    await verifyV3Signature({
      headers: wechatpay,
      body: rawBody,
      verifier,
      windowSeconds: keys.windowSeconds ?? 300,
      ...(keys.now ? { now: keys.now } : {}),
    });
  } catch (error) {
    throw toSignatureError(error, 'callback');
  }
  const text = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch (error) {
    throw new WxparkError({
      code: 'MALFORMED_NOTICE',
      message: 'the callback body is not JSON',
      cause: error,
    });
  }
  const resource = envelope.resource;
  if (
    typeof envelope.id !== 'string' ||
    typeof envelope.event_type !== 'string' ||
    !resource ||
    typeof resource !== 'object'
  ) {
    throw new WxparkError({
      code: 'MALFORMED_NOTICE',
      message: 'the callback lacks id, event_type or resource',
    });
  }
  const apiV3Key = typeof keys.apiV3Key === 'string' ? createApiV3Key(keys.apiV3Key) : keys.apiV3Key;
  const plaintext = decryptResource(resource, apiV3Key);
  let decrypted: unknown;
  try {
    decrypted = JSON.parse(plaintext);
  } catch {
    // Some resources (e.g. certificates) are not JSON: hand over the text.
    decrypted = plaintext;
  }
  return {
    id: envelope.id,
    create_time: String(envelope.create_time ?? ''),
    event_type: envelope.event_type,
    resource_type: String(envelope.resource_type ?? ''),
    summary: String(envelope.summary ?? ''),
    ...(typeof resource.original_type === 'string' ? { original_type: resource.original_type } : {}),
    resource: decrypted,
  };
}

/** What a notice handler replies with when `onNotice` returns a reply body (e.g. fee queries). */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing acknowledges the notice.
export type V3NoticeReply = object | undefined | void;

/** Settings for {@link createV3NoticeHandler}. */
export interface V3NoticeHandlerOptions<N extends V3Notice = V3Notice> extends V3NoticeKeys {
  /**
   * Processes one verified notice. WeChat delivers at least once: make this idempotent by `notice.id`.
   * Resolve to acknowledge (an object resolves as a JSON 200 reply body); throw to ask WeChat to retry.
   */
  onNotice(notice: N): V3NoticeReply | Promise<V3NoticeReply>;
  /** Told of every refused or failed delivery; its return value is ignored. */
  onError?(error: unknown): void;
  /** @default 1048576 */
  maxBodyBytes?: number;
  /**
   * How many processed notice ids to remember, so a delivery repeated while this process runs is
   * acknowledged without running `onNotice` again. 0 turns it off.
   * @default 10000
   */
  rememberProcessed?: number;
}

/** A callback endpoint for node:http servers and Fetch-style frameworks. */
export interface V3NoticeHandler {
  node(request: IncomingMessage, response: ServerResponse): Promise<void>;
  fetch(request: Request): Promise<Response>;
}

interface Reply {
  status: number;
  body: string;
}

/**
 * Creates a handler that reads the raw body, verifies and decrypts it, runs `onNotice`, and replies as
 * WeChat expects: 204 (or 200 with the returned body) on success, 4xx for a notice that failed verification,
 * 500 `{"code":"FAIL"}` when `onNotice` threw (WeChat retries it).
 */
export function createV3NoticeHandler<N extends V3Notice = V3Notice>(
  options: V3NoticeHandlerOptions<N>,
): V3NoticeHandler {
  const apiV3Key = typeof options.apiV3Key === 'string' ? createApiV3Key(options.apiV3Key) : options.apiV3Key;
  const keys: V3NoticeKeys = { ...options, apiV3Key };
  const remember = options.rememberProcessed ?? 10_000;
  // A repeat gets the reply the first delivery got (a fee query's answer must not turn into a bare 204).
  const processed = new Map<string, Reply>();

  async function handle(body: Uint8Array, headers: Headers | IncomingMessage['headers']): Promise<Reply> {
    let notice: V3Notice;
    try {
      notice = await verifyV3Notice(body, headers, keys);
    } catch (error) {
      options.onError?.(error);
      const code = WxparkError.isInstance(error) ? error.code : 'FAIL';
      // A forged or stale notice is refused for good (4xx); a decryption failure is usually our own
      // misconfigured APIv3 key, so answer 5xx and let WeChat retry once it is fixed.
      const status = SignatureError.isInstance(error) ? 401 : code === 'MALFORMED_NOTICE' ? 400 : 500;
      return { status, body: JSON.stringify({ code: 'FAIL', message: code }) };
    }
    const earlier = processed.get(notice.id);
    if (earlier) return earlier;
    try {
      const result = await options.onNotice(notice as N);
      const reply: Reply = result ? { status: 200, body: JSON.stringify(result) } : { status: 204, body: '' };
      if (remember > 0) {
        processed.set(notice.id, reply);
        if (processed.size > remember) processed.delete(processed.keys().next().value as string);
      }
      return reply;
    } catch (error) {
      options.onError?.(error);
      return { status: 500, body: JSON.stringify({ code: 'FAIL', message: 'processing failed' }) };
    }
  }

  async function read(source: IncomingMessage | Request): Promise<Uint8Array | Reply> {
    try {
      return await readRawBody(source, options.maxBodyBytes);
    } catch (error) {
      options.onError?.(error);
      return {
        status: 413,
        body: JSON.stringify({ code: 'FAIL', message: WxparkError.isInstance(error) ? error.code : 'FAIL' }),
      };
    }
  }

  return {
    async node(request, response) {
      const body = await read(request);
      const reply = body instanceof Uint8Array ? await handle(body, request.headers) : body;
      response
        .writeHead(reply.status, reply.body ? { 'content-type': 'application/json' } : {})
        .end(reply.body);
    },
    async fetch(request) {
      const body = await read(request);
      const reply = body instanceof Uint8Array ? await handle(body, request.headers) : body;
      return new Response(reply.status === 204 ? null : reply.body, {
        status: reply.status,
        headers: reply.body ? { 'content-type': 'application/json' } : {},
      });
    },
  };
}
