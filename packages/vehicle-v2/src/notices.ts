import { createHash } from 'node:crypto';
import {
  createNoticeHandler,
  type NoticeHandler,
  type NoticeHandlerOptions,
  type NoticeProtocol,
  SignatureError,
  WxparkError,
} from '@wxpark/core';
import { createV2ApiKey, type V2ApiKey, type V2SignType, verifyV2 } from '@wxpark/signer';
import { buildXml, parseXml, XmlError } from '@wxpark/xml';
import { decryptRefundNotice, type RefundResultNotice } from './refund-notice.ts';

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

/**
 * A verified APIv2 vehicle notice (callback). `fields` holds the non-empty fields only: an empty element
 * is not signed by WeChat's rule, so anyone could add one, and it must not change what the notice is.
 */
export type V2Notice =
  | {
      readonly kind: 'plate-state';
      readonly id: string;
      readonly fields: PlateStateNotice;
      /**
       * `vehicle_event_createtime` (China time) as a `Date`, absent when WeChat left it out or it is not
       * yyyyMMddHHmmss. Plate-state notices can arrive out of order: keep, per plate, the latest by this.
       */
      readonly eventTime?: Date;
    }
  | { readonly kind: 'pay-result'; readonly id: string; readonly fields: PayResultNotice }
  | {
      readonly kind: 'refund';
      readonly id: string;
      /**
       * The decrypted req_info of the 退款结果通知. The notice carries no sign: only the APIv2 key that
       * encrypted req_info vouches for it, and AES-ECB has no integrity check of its own, so a refund that
       * moves money should be confirmed with 查询退款 before anything irreversible.
       */
      readonly fields: RefundResultNotice;
    }
  | { readonly kind: 'other'; readonly id: string; readonly fields: Readonly<Record<string, string>> };

/** The notice kinds a handler can declare: 车牌状态变更通知, 扣费结果通知, 退款结果通知. */
export type V2NoticeKind = 'plate-state' | 'pay-result' | 'refund';

/** A notice of a declared kind, as `onNotice` receives it. */
export type DeclaredV2Notice = Extract<V2Notice, { kind: V2NoticeKind }>;

/** Settings for verifying APIv2 notices. */
export interface V2NoticeKeys {
  /** APIv2 密钥: it verifies signed notices and decrypts 退款结果通知. */
  apiKey: string | V2ApiKey;
  /**
   * The sign type the merchant is configured for. A notice without `sign_type` is verified with it; a notice
   * that states another one (or an empty one) is refused, so a forger cannot pick a weaker algorithm.
   * @default 'HMAC-SHA256'
   */
  signType?: V2SignType;
}

/**
 * Parses and verifies an APIv2 notice from its raw body, exactly as received. Verification works on the
 * fields as received; after it, empty fields are dropped, and the kind, the typed fields and the dedup `id`
 * come from the non-empty ones only. A parsed object is refused by type: re-serialising a body changes it.
 *
 * A 退款结果通知 is the one APIv2 notice WeChat does not sign: its `req_info` is encrypted with a key derived
 * from the APIv2 key instead (AES-256-ECB), and decrypting it is the only proof it came from WeChat Pay.
 * Its outer fields (appid, mch_id, sub_mch_id) are proven by nothing and are not returned.
 *
 * @throws `SignatureError` (MISSING_SIGN, SIGN_TYPE_MISMATCH, SIGNATURE_MISMATCH; DECRYPT_FAILED for a
 * req_info that does not decrypt), `WxparkError` MALFORMED_NOTICE (a req_info without the refund's ids),
 * `XmlError`.
 */
export function verifyV2Notice(rawBody: string | Uint8Array, keys: V2NoticeKeys): V2Notice {
  const key = typeof keys.apiKey === 'string' ? createV2ApiKey(keys.apiKey) : keys.apiKey;
  const signType = keys.signType ?? 'HMAC-SHA256';
  const received = parseXml(rawBody);
  if (!received.sign && received.req_info !== undefined) {
    const fields = decryptRefundNotice(received.req_info, key);
    return { kind: 'refund', id: refundId(fields), fields };
  }
  if (!received.sign) {
    throw new SignatureError({
      code: 'MISSING_SIGN',
      message: 'the APIv2 notice carries no sign (nor, as a 退款结果通知 would, a req_info)',
      path: 'notice',
    });
  }
  // The sign type is ours to choose. An absent one means the merchant's own (no downgrade is possible that
  // way); a stated one, even empty, must be exactly it, or a forger could pick the weaker MD5.
  const stated = received.sign_type;
  if (stated !== undefined && stated !== signType) {
    throw new SignatureError({
      code: 'SIGN_TYPE_MISMATCH',
      message: `the APIv2 notice says sign_type ${JSON.stringify(stated)}, expected ${signType}`,
      path: 'notice',
    });
  }
  if (!verifyV2(received, key, signType)) {
    throw new SignatureError({
      code: 'SIGNATURE_MISMATCH',
      message: 'the APIv2 notice sign does not match its fields',
      hint: 'verify the raw body as received, with the APIv2 key (not the APIv3 key) of the merchant in mch_id',
      path: 'notice',
    });
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(received)) if (value !== '') fields[name] = value;
  if (fields.vehicle_event_type !== undefined) {
    const eventTime = chinaCompactTime(fields.vehicle_event_createtime);
    return {
      kind: 'plate-state',
      id: plateStateId(fields),
      fields: fields as PlateStateNotice,
      ...(eventTime ? { eventTime } : {}),
    };
  }
  if (fields.out_trade_no !== undefined) {
    return { kind: 'pay-result', id: payResultId(fields), fields: fields as PayResultNotice };
  }
  return { kind: 'other', id: digest('other', fields, Object.keys(fields)), fields };
}

/**
 * One plate event: the same id for WeChat's retries of it, whatever empty elements were added. Without an
 * event time two events of one plate could look alike, so the nonce keeps them apart.
 */
function plateStateId(fields: Record<string, string>): string {
  const names = ['mch_id', 'sub_mch_id', 'plate_number', 'vehicle_event_type', 'vehicle_event_des'];
  names.push(fields.vehicle_event_createtime === undefined ? 'nonce_str' : 'vehicle_event_createtime');
  return digest('plate-state', fields, names);
}

/** One deduction has one result: the order and its outcome identify it. */
function payResultId(fields: Record<string, string>): string {
  const names = ['mch_id', 'sub_mch_id', 'out_trade_no', 'transaction_id', 'result_code', 'trade_state'];
  return digest('pay-result', fields, names);
}

/** One refund ends once: the refund and its status identify it (a retry of WeChat's has the same). */
function refundId(fields: Record<string, string | undefined>): string {
  const names = ['out_refund_no', 'refund_id', 'refund_status'];
  return digest('refund', fields as Record<string, string>, names);
}

/** yyyyMMddHHmmss in China time (UTC+8, no daylight saving) to a Date; undefined unless a real instant. */
function chinaCompactTime(text: string | undefined): Date | undefined {
  const parts = text?.match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour - 8, minute, second));
  // Date.UTC rolls 20261332… over into another day: such a text names no instant.
  const back = new Date(date.getTime() + 8 * 3_600_000);
  return back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60
    ? date
    : undefined;
}

function digest(kind: string, fields: Record<string, string>, names: readonly string[]): string {
  const hash = createHash('sha256');
  for (const name of [...names].sort()) {
    const value = fields[name];
    if (name !== 'sign' && value !== undefined) hash.update(`${name}=${value}\n`);
  }
  return `${kind}:${hash.digest('hex').slice(0, 40)}`;
}

/** The XML reply WeChat Pay expects: SUCCESS stops its retries, FAIL asks for a retry. */
export function buildV2NoticeReply(ok: boolean, message = ok ? 'OK' : 'FAIL'): string {
  return buildXml({ return_code: ok ? 'SUCCESS' : 'FAIL', return_msg: message });
}

/** Settings for {@link createV2NoticeHandler}. */
export interface V2NoticeHandlerOptions
  extends V2NoticeKeys,
    NoticeHandlerOptions<DeclaredV2Notice, unknown> {
  /**
   * Processes one verified notice of a declared kind. Throwing replies FAIL, and WeChat retries later.
   * Repeated and concurrent deliveries of one notice (same `notice.id`) run it once.
   */
  onNotice(notice: DeclaredV2Notice): void | Promise<void>;
  /**
   * The kinds this endpoint handles. Any other verified notice goes to `onError` as `UNDECLARED_NOTICE` and
   * is answered FAIL (HTTP 500), so WeChat sends it again rather than losing it.
   * Declare `'refund'` to receive 退款结果通知 (the notify_url of 申请退款).
   * @default ['plate-state', 'pay-result']
   */
  kinds?: readonly V2NoticeKind[];
}

/** An APIv2 notice endpoint: `.node(req, res)`, `.fetch(request)`, `.koa(ctx)`, `.hono(c)`, `.process(…)`. */
export type V2NoticeHandler = NoticeHandler;

const xml = 'text/xml; charset=utf-8';

/**
 * Creates an APIv2 notice (callback) endpoint: reads the raw body (or the bytes a framework kept), verifies
 * it, runs `onNotice` once per notice, and replies as WeChat expects: SUCCESS after `onNotice` resolved,
 * FAIL (and a retry by WeChat) otherwise. See the status table in the `@wxpark/core` README.
 *
 * @example
 * ```ts
 * const v2Notices = createV2NoticeHandler({
 *   apiKey: process.env.WXPAY_V2_KEY!,
 *   onNotice: async (notice) => {
 *     if (notice.kind === 'pay-result') await orders.settle(notice.fields.out_trade_no, notice.fields);
 *     else await plates.update(notice.fields.plate_number, notice.fields);
 *   },
 *   onError: (error) => logger.warn(error),
 * });
 * http.createServer((req, res) => void v2Notices.node(req, res));
 * ```
 */
export function createV2NoticeHandler(options: V2NoticeHandlerOptions): V2NoticeHandler {
  const keys: V2NoticeKeys = {
    apiKey: typeof options.apiKey === 'string' ? createV2ApiKey(options.apiKey) : options.apiKey,
    ...(options.signType ? { signType: options.signType } : {}),
  };
  const kinds = new Set<string>(options.kinds ?? ['plate-state', 'pay-result']);
  const protocol: NoticeProtocol<V2Notice> = {
    verify: (body) => verifyV2Notice(body, keys),
    idOf: (notice) => `v2:${notice.id}`,
    undeclared(notice) {
      if (kinds.has(notice.kind)) return undefined;
      return new WxparkError({
        code: 'UNDECLARED_NOTICE',
        message: `a verified APIv2 notice of kind ${notice.kind} reached a handler that declares only ${[...kinds].join(', ')}`,
        hint: 'point this notify_url at the endpoint that handles it; WeChat sends it again until it is answered SUCCESS',
      });
    },
    success: () => ({ status: 200, body: buildV2NoticeReply(true), contentType: xml }),
    failure: (status, code) => ({ status, body: buildV2NoticeReply(false, code), contentType: xml }),
    refusalStatus(error) {
      if (XmlError.isInstance(error)) return 400;
      if (WxparkError.isInstance(error) && error.code === 'MALFORMED_NOTICE') return 400;
      return SignatureError.isInstance(error) ? 401 : 500;
    },
  };
  return createNoticeHandler(protocol, options as NoticeHandlerOptions<V2Notice, unknown>);
}
