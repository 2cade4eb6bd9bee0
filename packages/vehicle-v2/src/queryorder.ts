import {
  answerOf,
  defineRoute,
  objectOf,
  openEnum,
  optional,
  refine,
  string,
  text,
  transform,
} from '@wxpark/core';
import { queryOrderErrors } from './error-codes.ts';
import {
  id32,
  mchId,
  nonceStr,
  signType,
  toWire,
  type V2AnswerEnvelope,
  type V2RequestEnvelope,
  v2AnswerFields,
} from './fields.ts';

/** 查询订单 request (direct merchant). Give transaction_id or out_trade_no. */
export interface TransitQueryOrderRequest extends V2RequestEnvelope {
  /** 微信订单号. */
  transaction_id?: string;
  /** 商户订单号. */
  out_trade_no?: string;
}

/** 查询订单 request (service provider). */
export interface PartnerTransitQueryOrderRequest extends TransitQueryOrderRequest {
  sub_appid?: string;
  sub_mch_id: string;
}

/** 交易状态 of a PAP deduction (open). */
export type TransitTradeState =
  | 'SUCCESS'
  | 'REFUND'
  | 'NOTPAY'
  | 'CLOSED'
  | 'REVOKED'
  | 'USERPAYING'
  | 'PAYERROR'
  | 'ACCEPT'
  | (string & {});

/** 查询订单 answer, verified. Coupon fields are numbered: `coupon_id_0`, `coupon_fee_0`, … */
export interface TransitQueryOrderResponse extends V2AnswerEnvelope {
  sub_appid?: string;
  sub_mch_id?: string;
  openid?: string;
  sub_openid?: string;
  is_subscribe?: 'Y' | 'N' | (string & {});
  trade_type?: string;
  /** 交易状态. */
  trade_state: TransitTradeState;
  bank_type?: string;
  /** 订单金额 (fen, as digits). */
  total_fee?: string;
  fee_type?: string;
  cash_fee?: string;
  transaction_id?: string;
  out_trade_no?: string;
  attach?: string;
  /** 支付完成时间: yyyyMMddHHmmss. */
  time_end?: string;
  trade_state_desc?: string;
  [field: string]: string | undefined;
}

const tradeNo = optional(string({ maxLength: 32 }));
const base = {
  appid: id32,
  mch_id: mchId,
  nonce_str: nonceStr,
  sign_type: signType,
  transaction_id: tradeNo,
  out_trade_no: tradeNo,
};
const eitherId = (v: { transaction_id?: string | undefined; out_trade_no?: string | undefined }) =>
  v.transaction_id || v.out_trade_no
    ? undefined
    : { path: 'out_trade_no', expected: 'present, or transaction_id present' };
const defaults = { sign_type: 'HMAC-SHA256' };

const optionalText = optional(text());
const queryOrderAnswer = answerOf<TransitQueryOrderResponse>()({
  ...v2AnswerFields,
  sub_appid: optionalText,
  sub_mch_id: optionalText,
  openid: optionalText,
  sub_openid: optionalText,
  is_subscribe: optional(openEnum(['Y', 'N'])),
  trade_type: optionalText,
  trade_state: openEnum([
    'SUCCESS',
    'REFUND',
    'NOTPAY',
    'CLOSED',
    'REVOKED',
    'USERPAYING',
    'PAYERROR',
    'ACCEPT',
  ]),
  bank_type: optionalText,
  total_fee: optionalText,
  fee_type: optionalText,
  cash_fee: optionalText,
  transaction_id: optionalText,
  out_trade_no: optionalText,
  attach: optionalText,
  time_end: optionalText,
  trade_state_desc: optionalText,
});

/** 查询订单 (direct merchant): `POST /transit/queryorder`. */
export const transitQueryOrder = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/transit/queryorder',
  title: '查询订单',
  errors: queryOrderErrors,
  docs: 'https://pay.weixin.qq.com/wiki/doc/api/vehicle_v2.php?chapter=20_96&index=3',
  request: transform(refine(objectOf<TransitQueryOrderRequest>()(base), eitherId), (f) =>
    toWire(f, defaults),
  ),
  response: queryOrderAnswer,
});

/** 查询订单 (service provider): `POST /transit/partnerpay/queryorder`. */
export const partnerTransitQueryOrder = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/transit/partnerpay/queryorder',
  title: '查询订单（服务商）',
  errors: queryOrderErrors,
  request: transform(
    refine(
      objectOf<PartnerTransitQueryOrderRequest>()({ ...base, sub_appid: optional(id32), sub_mch_id: mchId }),
      eitherId,
    ),
    (f) => toWire(f, defaults),
  ),
  response: queryOrderAnswer,
});
