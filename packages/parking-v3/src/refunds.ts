import {
  answerOf,
  anyObject,
  array,
  defineRoute,
  integer,
  objectOf,
  oneOf,
  openEnum,
  optional,
  refine,
  string,
  text,
} from '@wxpark/core';
import { refundErrors } from './error-codes.ts';

// Fields as the official 退款申请 / 查询单笔退款 pages list them, direct merchant and service provider
// (pay.weixin.qq.com/docs/merchant/products/refund/apilist.html, pay.weixin.qq.com/doc/v3/partner/4012886219).

/** 退款状态. */
export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';
const refundStatuses = ['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL'] as const;

/** 退款出资账户及金额. */
export interface RefundFrom {
  /** 出资账户类型. */
  account: 'AVAILABLE' | 'UNAVAILABLE';
  /** 出资金额 (fen). */
  amount: number;
}

/** 金额信息 of a 退款申请. */
export interface RefundRequestAmount {
  /** 退款金额 (fen): at most what is left of the order after earlier refunds. */
  refund: number;
  /** 退款出资账户及金额. */
  from?: RefundFrom[];
  /** 原订单金额 (fen). */
  total: number;
  /** 退款币种: CNY only. */
  currency: 'CNY';
}

/** 退款商品. */
export interface RefundGoodsDetail {
  /** 商户侧商品编码. */
  merchant_goods_id: string;
  /** 微信支付商品编码. */
  wechatpay_goods_id?: string;
  goods_name?: string;
  /** 商品单价 (fen). */
  unit_price: number;
  /** 商品退款金额 (fen). */
  refund_amount: number;
  /** 商品退货数量. */
  refund_quantity: number;
}

/**
 * 退款申请 request: `transaction_id` or `out_trade_no` names the paid order (one of them is required);
 * `sub_mchid` for service providers only.
 */
export interface RefundCreateRequest {
  /** 子商户号: service providers only. */
  sub_mchid?: string;
  /** 微信支付订单号. */
  transaction_id?: string;
  /** 商户订单号. */
  out_trade_no?: string;
  /** 商户退款单号: the same number sent again refunds once. */
  out_refund_no: string;
  /** 退款原因, shown to the user. */
  reason?: string;
  /** 退款结果回调url: receives REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED. */
  notify_url?: string;
  /** 退款资金来源. */
  funds_account?: 'AVAILABLE' | 'UNSETTLED';
  amount: RefundRequestAmount;
  goods_detail?: RefundGoodsDetail[];
}

/** 查询单笔退款 request. */
export interface RefundQueryRequest {
  /** 商户退款单号. */
  out_refund_no: string;
  /** 子商户号: service providers only. */
  sub_mchid?: string;
}

/** 金额信息 of a refund as WeChat reports it. */
export interface RefundAmount {
  /** 订单金额 (fen). */
  total: number;
  /** 退款金额 (fen). */
  refund: number;
  from?: { account: string; amount: number }[];
  /** 用户支付金额. */
  payer_total: number;
  /** 用户退款金额. */
  payer_refund: number;
  /** 应结退款金额. */
  settlement_refund: number;
  /** 应结订单金额. */
  settlement_total: number;
  /** 优惠退款金额. */
  discount_refund: number;
  currency: string;
  /** 手续费退款金额. */
  refund_fee?: number;
}

/** A refund (退款单), as 退款申请 and 查询单笔退款 answer it. */
export interface Refund {
  /** 微信支付退款单号. */
  refund_id: string;
  out_refund_no: string;
  transaction_id: string;
  out_trade_no: string;
  /** 退款渠道: ORIGINAL, BALANCE, OTHER_BALANCE, OTHER_BANKCARD. */
  channel: 'ORIGINAL' | 'BALANCE' | 'OTHER_BALANCE' | 'OTHER_BANKCARD' | (string & {});
  /** 退款入账账户, e.g. 支付用户零钱. */
  user_received_account: string;
  /** 退款成功时间: present once `status` is SUCCESS. */
  success_time?: string;
  /** 退款创建时间. */
  create_time: string;
  /** 退款状态: PROCESSING until WeChat settles it; ABNORMAL needs a manual re-send in the console. */
  status: RefundStatus | (string & {});
  /** 资金账户. */
  funds_account?:
    | 'UNSETTLED'
    | 'AVAILABLE'
    | 'UNAVAILABLE'
    | 'OPERATION'
    | 'BASIC'
    | 'ECNY_BASIC'
    | (string & {});
  amount: RefundAmount;
  /** 优惠退款信息. */
  promotion_detail?: Record<string, unknown>[];
}

const subMchid = optional(string({ maxLength: 32, pattern: /^\d+$/, patternName: 'digits' }));
const optionalText = optional(text());

const refundAnswer = answerOf<Refund>()({
  refund_id: text(),
  out_refund_no: text(),
  transaction_id: text(),
  out_trade_no: text(),
  channel: openEnum(['ORIGINAL', 'BALANCE', 'OTHER_BALANCE', 'OTHER_BANKCARD']),
  user_received_account: text(),
  success_time: optionalText,
  create_time: text(),
  status: openEnum(refundStatuses),
  funds_account: optional(
    openEnum(['UNSETTLED', 'AVAILABLE', 'UNAVAILABLE', 'OPERATION', 'BASIC', 'ECNY_BASIC']),
  ),
  amount: answerOf<RefundAmount>()({
    total: integer(),
    refund: integer(),
    from: optional(
      array(answerOf<{ account: string; amount: number }>()({ account: text(), amount: integer() })),
    ),
    payer_total: integer(),
    payer_refund: integer(),
    settlement_refund: integer(),
    settlement_total: integer(),
    discount_refund: integer(),
    currency: text(),
    refund_fee: optional(integer()),
  }),
  promotion_detail: optional(array(anyObject())),
});

const requestRules = objectOf<RefundCreateRequest>()({
  sub_mchid: subMchid,
  transaction_id: optional(string({ maxLength: 32 })),
  out_trade_no: optional(string({ maxLength: 32 })),
  out_refund_no: string({
    maxLength: 64,
    pattern: /^[0-9A-Za-z_\-|*@]+$/,
    patternName: 'letters, digits, _-|*@',
  }),
  reason: optional(string({ maxLength: 80 })),
  notify_url: optional(
    string({ maxLength: 256, pattern: /^https?:\/\/[^\s?#]+$/, patternName: 'an http(s) URL without query' }),
  ),
  funds_account: optional(oneOf(['AVAILABLE', 'UNSETTLED'])),
  amount: refine(
    objectOf<RefundRequestAmount>()({
      refund: integer({ min: 1 }),
      from: optional(
        array(
          objectOf<RefundFrom>()({
            account: oneOf(['AVAILABLE', 'UNAVAILABLE']),
            amount: integer({ min: 1 }),
          }),
        ),
      ),
      total: integer({ min: 1 }),
      currency: oneOf(['CNY']),
    }),
    (amount) =>
      amount.refund > amount.total
        ? {
            path: 'amount.refund',
            expected: `at most amount.total (${amount.total})`,
            received: String(amount.refund),
          }
        : undefined,
  ),
  goods_detail: optional(
    array(
      objectOf<RefundGoodsDetail>()({
        merchant_goods_id: string({ maxLength: 32 }),
        wechatpay_goods_id: optional(string({ maxLength: 32 })),
        goods_name: optional(string({ maxLength: 256 })),
        unit_price: integer({ min: 0 }),
        refund_amount: integer({ min: 0 }),
        refund_quantity: integer({ min: 1 }),
      }),
    ),
  ),
});

/** 退款申请: `POST /v3/refund/domestic/refunds`. The answer is an acceptance; query or await the notice. */
export const refundCreate = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: '/v3/refund/domestic/refunds',
  title: '退款申请',
  errors: refundErrors,
  docs: 'https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create.html',
  // transaction_id and out_trade_no: 二选一 (one of them), checked before any I/O.
  request: refine(requestRules, (value) =>
    value.transaction_id === undefined && value.out_trade_no === undefined
      ? {
          path: 'out_trade_no',
          expected: 'out_trade_no or transaction_id (one of them)',
          received: 'neither',
        }
      : undefined,
  ),
  response: refundAnswer,
});

/** 查询单笔退款: `GET /v3/refund/domestic/refunds/{out_refund_no}`. */
export const refundQuery = defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: '/v3/refund/domestic/refunds/{out_refund_no}',
  title: '查询单笔退款',
  errors: refundErrors,
  docs: 'https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/query-by-out-refund-no.html',
  v3: { pathParams: ['out_refund_no'] },
  request: objectOf<RefundQueryRequest>()({
    out_refund_no: string({ maxLength: 64 }),
    sub_mchid: subMchid,
  }),
  response: refundAnswer,
});

/** 退款结果通知 resource (REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED). */
export interface RefundNoticeResource {
  /** 直连商户号 (direct merchants). */
  mchid?: string;
  /** 服务商户号 (service providers). */
  sp_mchid?: string;
  /** 子商户号 (service providers). */
  sub_mchid?: string;
  out_trade_no: string;
  transaction_id: string;
  out_refund_no: string;
  refund_id: string;
  /** 退款状态. */
  refund_status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL' | (string & {});
  /** 退款成功时间: for SUCCESS. */
  success_time?: string;
  user_received_account: string;
  amount: {
    total: number;
    refund: number;
    payer_total: number;
    payer_refund: number;
  };
}
