import {
  type ApiV3Key,
  createApiV3Key,
  decryptResource,
  type EncryptedResource,
  type PlatformKey,
  PlatformKeySet,
  readWechatpayHeaders,
  type SignatureVerifier,
  SignerError,
  verifyV3Signature,
} from '@wxpark/signer';
import { SignatureError, ValidationError, WxparkError } from '../errors.ts';
import { runSchema, type Schema } from '../schema.ts';
import { toSignatureError } from '../v3-signature.ts';
import {
  createNoticeHandler,
  type NoticeHandler,
  type NoticeHandlerOptions,
  type NoticeProtocol,
} from './pipeline.ts';

/** A verified, decrypted APIv3 notice (callback). */
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

/** The keys that verify and decrypt APIv3 notices. */
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
 * Verifies an APIv3 notice from its raw body exactly as received and its headers, then decrypts its
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
    throw toSignatureError(error, 'notice');
  }
  const text = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch (error) {
    throw new WxparkError({
      code: 'MALFORMED_NOTICE',
      message: 'the notice body is not JSON',
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
      message: 'the notice lacks id, event_type or resource',
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

/** What `onNotice` may return: an object is sent as the JSON 200 reply body (e.g. a fee query's answer). */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing acknowledges the notice.
export type V3NoticeReply = object | undefined | void;

/** Settings for {@link createV3NoticeHandler}. */
export interface V3NoticeHandlerOptions<N extends V3Notice = V3Notice>
  extends V3NoticeKeys,
    NoticeHandlerOptions<N, V3NoticeReply> {
  /**
   * The `event_type`s this endpoint handles. A genuine notice of another type never reaches `onNotice`: it
   * goes to `onError` as `UNDECLARED_NOTICE` and is answered 500, so WeChat keeps it and sends it again
   * (for about a day) until a handler that declares it is deployed.
   * @default every event type
   */
  eventTypes?: readonly string[];
  /**
   * Event types whose reply carries data, with the rule that reply must pass. For these, a missing or
   * malformed reply is `INVALID_NOTICE_REPLY` (to `onError`, answered 500), never an empty 204.
   * @default {}
   */
  replyRules?: Readonly<Record<string, Schema<unknown, unknown>>>;
}

/** An APIv3 notice endpoint: `.node(req, res)`, `.fetch(request)`, `.koa(ctx)`, `.hono(c)`, `.process(…)`. */
export type V3NoticeHandler = NoticeHandler;

/**
 * Creates an APIv3 notice endpoint. It reads the raw body (or the bytes a framework kept), verifies the
 * signature and decrypts the resource, runs `onNotice` once per notice id (concurrent and repeated
 * deliveries get the first one's reply), and answers as WeChat expects: 204, or 200 with the returned
 * object; see the status table in the README for every refusal.
 *
 * @example
 * ```ts
 * const notices = createV3NoticeHandler({
 *   ...getNoticeKeys(client),
 *   eventTypes: ['VEHICLE.ENTRANCE_STATE_CHANGE'],
 *   onNotice: async (notice) => { await recordStateChange(notice.id, notice.resource); },
 *   onError: (error) => logger.warn(error),
 * });
 * http.createServer((req, res) => void notices.node(req, res));
 * ```
 */
export function createV3NoticeHandler<N extends V3Notice = V3Notice>(
  options: V3NoticeHandlerOptions<N>,
): V3NoticeHandler {
  const apiV3Key = typeof options.apiV3Key === 'string' ? createApiV3Key(options.apiV3Key) : options.apiV3Key;
  const keys: V3NoticeKeys = {
    verifier: options.verifier,
    apiV3Key,
    ...(options.windowSeconds === undefined ? {} : { windowSeconds: options.windowSeconds }),
    ...(options.now ? { now: options.now } : {}),
  };
  const declared = options.eventTypes ? new Set(options.eventTypes) : undefined;
  const replyRules = options.replyRules ?? {};
  const protocol: NoticeProtocol<N> = {
    verify: async (body, headers) => (await verifyV3Notice(body, headers as Headers, keys)) as N,
    idOf: (notice) => `v3:${notice.id}`,
    undeclared(notice) {
      if (!declared || declared.has(notice.event_type)) return undefined;
      return new WxparkError({
        code: 'UNDECLARED_NOTICE',
        message: `a verified notice of event_type ${JSON.stringify(notice.event_type)} (id ${notice.id}) reached a handler that declares only ${[...declared].join(', ')}`,
        hint: 'add the event type to the handler, or point this notice at the endpoint that handles it; WeChat sends it again until it is answered 2xx',
      });
    },
    success(notice, result) {
      const rule = Object.hasOwn(replyRules, notice.event_type) ? replyRules[notice.event_type] : undefined;
      if (rule) {
        const checked = runSchema(rule, result);
        if (!checked.ok) {
          throw new ValidationError({
            code: 'INVALID_NOTICE_REPLY',
            issues: checked.issues,
            context: `the reply to ${notice.event_type}`,
          });
        }
        return json(200, checked.value);
      }
      return result && typeof result === 'object' ? json(200, result) : { status: 204, body: '' };
    },
    failure: (status, code) => json(status, { code: 'FAIL', message: code }),
    refusalStatus(error) {
      // A decryption failure is usually our own wrong APIv3 key: 500 lets WeChat retry once it is fixed.
      if (SignerError.isInstance(error)) return 500;
      if (WxparkError.isInstance(error) && error.code === 'MALFORMED_NOTICE') return 400;
      return SignatureError.isInstance(error) ? 401 : 500;
    },
  };
  return createNoticeHandler(protocol, options);
}

function json(status: number, value: unknown) {
  return { status, body: JSON.stringify(value), contentType: 'application/json' };
}
