import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRawBody, SignatureError, WxparkError } from '@wxpark/core';
import { createV2ApiKey, type V2ApiKey, type V2SignType, verifyV2 } from '@wxpark/signer';
import { buildXml, parseXml } from '@wxpark/xml';

/** 车牌状态变更通知: sent to the notify_url of 用户入场通知. */
export interface PlateStateNotice {
  appid: string;
  mch_id: string;
  sub_appid?: string;
  sub_mch_id?: string;
  nonce_str: string;
  sign_type?: string;
  sign: string;
  /** 车牌号. */
  plate_number: string;
  /** 车牌状态: NORMAL or BLOCKED (open). */
  vehicle_event_type: 'NORMAL' | 'BLOCKED' | (string & {});
  /** 原因 when BLOCKED: OVERDUE, REMOVE, PAUSE (open). */
  vehicle_event_des?: string;
  deduct_mode?: string;
  /** 事件时间: yyyyMMddHHmmss. Events may arrive out of order: drop ones older than what you hold. */
  vehicle_event_createtime?: string;
  [field: string]: string | undefined;
}

/** 扣费结果通知: sent to the notify_url of 申请扣款. */
export interface PayResultNotice {
  return_code: string;
  appid: string;
  mch_id: string;
  nonce_str: string;
  sign: string;
  result_code: string;
  openid?: string;
  out_trade_no: string;
  transaction_id?: string;
  /** SUCCESS or PAY_FAIL (open). */
  trade_state?: string;
  total_fee?: string;
  time_end?: string;
  [field: string]: string | undefined;
}

/** A verified APIv2 vehicle callback. */
export type V2Notice =
  | { readonly kind: 'plate-state'; readonly fields: PlateStateNotice }
  | { readonly kind: 'pay-result'; readonly fields: PayResultNotice }
  | { readonly kind: 'other'; readonly fields: Readonly<Record<string, string>> };

/** Settings for verifying APIv2 callbacks. */
export interface V2CallbackOptions {
  /** APIv2 密钥. */
  apiKey: string | V2ApiKey;
  /**
   * The sign type the callback must use; a body claiming another one is refused.
   * @default 'HMAC-SHA256'
   */
  signType?: V2SignType;
}

/**
 * Parses and verifies an APIv2 callback from its raw body, exactly as received. A parsed object is
 * refused by type: re-serialising a body changes it, and a changed body will not verify.
 *
 * @throws `SignatureError` (MISSING_SIGN, SIGN_TYPE_MISMATCH, SIGNATURE_MISMATCH), `XmlError`.
 */
export function verifyV2Notice(rawBody: string | Uint8Array, options: V2CallbackOptions): V2Notice {
  const key = typeof options.apiKey === 'string' ? createV2ApiKey(options.apiKey) : options.apiKey;
  const signType = options.signType ?? 'HMAC-SHA256';
  const fields = parseXml(rawBody);
  if (!fields.sign) {
    throw new SignatureError({
      code: 'MISSING_SIGN',
      message: 'the APIv2 callback carries no sign',
      path: 'callback',
    });
  }
  // The sign type is ours to choose: trusting the body's own claim would let a forger pick the weaker one.
  const claimed = fields.sign_type ?? 'MD5';
  if (claimed !== signType) {
    throw new SignatureError({
      code: 'SIGN_TYPE_MISMATCH',
      message: `the APIv2 callback says sign_type ${claimed}, expected ${signType}`,
      path: 'callback',
    });
  }
  if (!verifyV2(fields, key, signType)) {
    throw new SignatureError({
      code: 'SIGNATURE_MISMATCH',
      message: 'the APIv2 callback sign does not match its fields',
      hint: 'verify the raw body as received, with the APIv2 key (not the APIv3 key)',
      path: 'callback',
    });
  }
  if (fields.vehicle_event_type !== undefined)
    return { kind: 'plate-state', fields: fields as PlateStateNotice };
  if (fields.out_trade_no !== undefined) return { kind: 'pay-result', fields: fields as PayResultNotice };
  return { kind: 'other', fields };
}

/** The XML reply WeChat Pay expects: SUCCESS stops its retries, FAIL asks for a retry. */
export function buildV2NoticeReply(ok: boolean, message = ok ? 'OK' : 'FAIL'): string {
  return buildXml({ return_code: ok ? 'SUCCESS' : 'FAIL', return_msg: message });
}

/** Settings for {@link createV2NoticeHandler}. */
export interface V2NoticeHandlerOptions extends V2CallbackOptions {
  /**
   * Processes one verified callback. Deliveries repeat (WeChat retries until it sees SUCCESS), so make this
   * idempotent. Throwing replies FAIL, and WeChat retries later.
   */
  onNotice(notice: V2Notice): void | Promise<void>;
  /** Told of every refused or failed delivery (for logs); its return value is ignored. */
  onError?(error: unknown): void;
  /** @default 1048576 */
  maxBodyBytes?: number;
}

/** A callback endpoint for node:http servers and for Fetch-style frameworks. */
export interface V2NoticeHandler {
  /** For node:http, Express (mounted before body parsers), Fastify's raw request, … */
  node(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** For Hono, Next.js route handlers, Bun, Deno, … */
  fetch(request: Request): Promise<Response>;
}

/**
 * Creates a handler that reads the raw body, verifies it, runs `onNotice`, and replies as WeChat expects:
 * SUCCESS after `onNotice` resolved, FAIL (and a retry by WeChat) otherwise.
 */
export function createV2NoticeHandler(options: V2NoticeHandlerOptions): V2NoticeHandler {
  const key = typeof options.apiKey === 'string' ? createV2ApiKey(options.apiKey) : options.apiKey;
  const settings: V2CallbackOptions = {
    apiKey: key,
    ...(options.signType ? { signType: options.signType } : {}),
  };
  async function handle(raw: () => Promise<Uint8Array>): Promise<{ status: number; body: string }> {
    try {
      const notice = verifyV2Notice(await raw(), settings);
      await options.onNotice(notice);
      return { status: 200, body: buildV2NoticeReply(true) };
    } catch (error) {
      options.onError?.(error);
      // A forgery is 401, a malformed body 400, and our own failure 500, so WeChat retries only the last.
      const refused = WxparkError.isInstance(error);
      const status = SignatureError.isInstance(error) ? 401 : refused ? 400 : 500;
      return { status, body: buildV2NoticeReply(false, refused ? error.code : 'FAIL') };
    }
  }
  return {
    async node(request, response) {
      const reply = await handle(() => readRawBody(request, options.maxBodyBytes));
      response.writeHead(reply.status, { 'content-type': 'text/xml; charset=utf-8' }).end(reply.body);
    },
    async fetch(request) {
      const reply = await handle(() => readRawBody(request, options.maxBodyBytes));
      return new Response(reply.body, {
        status: reply.status,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
      });
    },
  };
}
