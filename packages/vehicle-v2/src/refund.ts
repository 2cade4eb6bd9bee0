import {
  answerOf,
  defineRoute,
  integer,
  objectOf,
  oneOf,
  optional,
  refine,
  string,
  text,
  transform,
} from '@wxpark/core';
import { refundErrors, refundQueryErrors } from './error-codes.ts';
import { fen, id32, mchId, nonceStr, notifyUrl, toWire, v2AnswerFields } from './fields.ts';

// Fields as the APIv2 申请退款 (/secapi/pay/refund, 请求需要双向证书) and 查询退款 (/pay/refundquery) pages list
// them (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4 and chapter=9_5); the vehicle pages link them.

/** 签名类型 of the refund APIs: both the generic APIv2 types. @default 'HMAC-SHA256' */
export type RefundSignType = 'HMAC-SHA256' | 'MD5';

/** 申请退款 request. `sub_mch_id` (and `sub_appid`) for service providers. Give transaction_id or out_trade_no. */
export interface PayRefundRequest {
  appid: string;
  mch_id: string;
  sub_appid?: string;
  sub_mch_id?: string;
  nonce_str?: string;
  /** @default 'HMAC-SHA256' */
  sign_type?: RefundSignType;
  /** 微信订单号. */
  transaction_id?: string;
  /** 商户订单号. */
  out_trade_no?: string;
  /** 商户退款单号: the same number sent again refunds once. */
  out_refund_no: string;
  /** 订单金额 (fen). */
  total_fee: number;
  /** 退款金额 (fen): all refunds of an order add up to at most total_fee. */
  refund_fee: number;
  /** 退款货币种类. @default 'CNY' */
  refund_fee_type?: 'CNY';
  /** 退款原因, shown to the user. */
  refund_desc?: string;
  /** 退款资金来源. */
  refund_account?: 'REFUND_SOURCE_UNSETTLED_FUNDS' | 'REFUND_SOURCE_RECHARGE_FUNDS';
  /** 退款结果通知url. */
  notify_url?: string;
}

/** 申请退款 answer, verified: the refund is accepted; its result comes from 查询退款 (or the notice). */
export interface PayRefundResponse {
  return_code: 'SUCCESS';
  return_msg?: string;
  appid: string;
  mch_id: string;
  sub_appid?: string;
  sub_mch_id?: string;
  nonce_str: string;
  sign: string;
  result_code: 'SUCCESS';
  transaction_id: string;
  out_trade_no: string;
  out_refund_no: string;
  /** 微信退款单号. */
  refund_id: string;
  /** 退款金额 (fen, digits). */
  refund_fee: string;
  settlement_refund_fee?: string;
  total_fee: string;
  settlement_total_fee?: string;
  fee_type?: string;
  cash_fee: string;
  cash_fee_type?: string;
  cash_refund_fee?: string;
  coupon_refund_fee?: string;
  coupon_refund_count?: string;
  [field: string]: string | undefined;
}

/** 查询退款 request: one of transaction_id, out_trade_no, out_refund_no, refund_id (四选一). */
export interface PayRefundQueryRequest {
  appid: string;
  mch_id: string;
  sub_appid?: string;
  sub_mch_id?: string;
  nonce_str?: string;
  /** @default 'HMAC-SHA256' */
  sign_type?: RefundSignType;
  transaction_id?: string;
  out_trade_no?: string;
  out_refund_no?: string;
  refund_id?: string;
  /** 偏移量: with more than 10 refunds, the index of the first one returned. */
  offset?: number;
}

/** 退款状态 of 查询退款 (`refund_status_$n`). */
export type V2RefundStatus = 'SUCCESS' | 'REFUNDCLOSE' | 'PROCESSING' | 'CHANGE' | (string & {});

/**
 * 查询退款 answer, verified. The refunds are numbered from 0: `out_refund_no_0`, `refund_id_0`,
 * `refund_fee_0`, `refund_status_0` ({@link V2RefundStatus}), `refund_recv_accout_0`,
 * `refund_success_time_0`, … up to `refund_count` − 1.
 */
export interface PayRefundQueryResponse {
  return_code: 'SUCCESS';
  return_msg?: string;
  appid: string;
  mch_id: string;
  sub_appid?: string;
  sub_mch_id?: string;
  nonce_str: string;
  sign: string;
  result_code: 'SUCCESS';
  total_refund_count?: string;
  transaction_id: string;
  out_trade_no: string;
  total_fee: string;
  settlement_total_fee?: string;
  fee_type?: string;
  cash_fee: string;
  /** 退款笔数: how many numbered refunds follow. */
  refund_count: string;
  [field: string]: string | undefined;
}

const tradeNo = optional(string({ maxLength: 32 }));
const signType = optional(oneOf(['HMAC-SHA256', 'MD5']));
const identity = {
  appid: id32,
  mch_id: mchId,
  sub_appid: optional(id32),
  sub_mch_id: optional(mchId),
  nonce_str: nonceStr,
  sign_type: signType,
};
const defaults = { sign_type: 'HMAC-SHA256' };
const optionalText = optional(text());

/** 申请退款: `POST /secapi/pay/refund`, over mutual TLS with the merchant's API client certificate. */
export const payRefund = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/secapi/pay/refund',
  title: '申请退款',
  errors: refundErrors,
  docs: 'https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4',
  v2: { clientCertificate: true },
  request: transform(
    refine(
      objectOf<PayRefundRequest>()({
        ...identity,
        transaction_id: tradeNo,
        out_trade_no: tradeNo,
        out_refund_no: string({
          maxLength: 64,
          pattern: /^[0-9A-Za-z_\-|*@]+$/,
          patternName: 'letters, digits, _-|*@',
        }),
        total_fee: fen,
        refund_fee: fen,
        refund_fee_type: optional(oneOf(['CNY'])),
        refund_desc: optional(string({ maxLength: 80 })),
        refund_account: optional(oneOf(['REFUND_SOURCE_UNSETTLED_FUNDS', 'REFUND_SOURCE_RECHARGE_FUNDS'])),
        notify_url: optional(notifyUrl),
      }),
      (v) => {
        if (!v.transaction_id && !v.out_trade_no) {
          return { path: 'out_trade_no', expected: 'present, or transaction_id present' };
        }
        return Number(v.refund_fee) > Number(v.total_fee)
          ? {
              path: 'refund_fee',
              expected: `at most total_fee (${v.total_fee})`,
              received: String(v.refund_fee),
            }
          : undefined;
      },
    ),
    (f) => toWire(f, defaults),
  ),
  response: answerOf<PayRefundResponse>()({
    ...v2AnswerFields,
    sub_appid: optionalText,
    sub_mch_id: optionalText,
    transaction_id: text(),
    out_trade_no: text(),
    out_refund_no: text(),
    refund_id: text(),
    refund_fee: text(),
    settlement_refund_fee: optionalText,
    total_fee: text(),
    settlement_total_fee: optionalText,
    fee_type: optionalText,
    cash_fee: text(),
    cash_fee_type: optionalText,
    cash_refund_fee: optionalText,
    coupon_refund_fee: optionalText,
    coupon_refund_count: optionalText,
  }),
});

/** 查询退款: `POST /pay/refundquery` (no client certificate). */
export const payRefundQuery = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/pay/refundquery',
  title: '查询退款',
  errors: refundQueryErrors,
  docs: 'https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5',
  request: transform(
    refine(
      objectOf<PayRefundQueryRequest>()({
        ...identity,
        transaction_id: tradeNo,
        out_trade_no: tradeNo,
        out_refund_no: optional(string({ maxLength: 64 })),
        refund_id: optional(string({ maxLength: 32 })),
        offset: optional(integer({ min: 0 })),
      }),
      (v) =>
        v.transaction_id || v.out_trade_no || v.out_refund_no || v.refund_id
          ? undefined
          : {
              path: 'out_refund_no',
              expected: 'one of transaction_id, out_trade_no, out_refund_no, refund_id',
            },
    ),
    (f) => toWire(f, defaults),
  ),
  response: answerOf<PayRefundQueryResponse>()({
    ...v2AnswerFields,
    sub_appid: optionalText,
    sub_mch_id: optionalText,
    total_refund_count: optionalText,
    transaction_id: text(),
    out_trade_no: text(),
    total_fee: text(),
    settlement_total_fee: optionalText,
    fee_type: optionalText,
    cash_fee: text(),
    refund_count: text(),
  }),
});

/** One refund of a 查询退款 answer, read from its numbered fields. */
export interface V2RefundEntry {
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  refund_status: V2RefundStatus;
  refund_recv_accout?: string;
  refund_success_time?: string;
}

/** Reads the numbered refunds (`out_refund_no_0`, …) of a verified 查询退款 answer, `refund_count` of them. */
export function readRefunds(answer: PayRefundQueryResponse): V2RefundEntry[] {
  const count = Number(answer.refund_count);
  const entries: V2RefundEntry[] = [];
  for (let n = 0; n < count; n++) {
    const field = (name: string) => answer[`${name}_${n}`];
    entries.push({
      out_refund_no: field('out_refund_no') ?? '',
      refund_id: field('refund_id') ?? '',
      refund_fee: Number(field('refund_fee')),
      refund_status: field('refund_status') ?? '',
      ...(field('refund_recv_accout') ? { refund_recv_accout: field('refund_recv_accout')! } : {}),
      ...(field('refund_success_time') ? { refund_success_time: field('refund_success_time')! } : {}),
    });
  }
  return entries;
}
