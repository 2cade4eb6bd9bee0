import type { KnownError } from '@wxpark/core';

// The codes the APIv3 documents list: the common HTTP status/code table of 基本规则
// (pay.weixin.qq.com/docs/merchant/development/interface-rules/basic-rules.html), the 微信支付分停车 release
// notes (2022-04: INVALID_REQUEST added to 查询车牌服务开通信息, 创建停车入场, 查询订单), a 404 NOT_FOUND
// 车牌不存在 reported for 扣费受理 (developer community), and the error list of 退款申请. Retryable only where
// WeChat says to send the same call again.

const common = {
  PARAM_ERROR: { retryable: false, hint: 'a field was refused: detail.field names it; fix the data' },
  INVALID_REQUEST: {
    retryable: false,
    hint: 'well formed but against a business rule (the message says which): fix the state, do not resend as is',
  },
  SIGN_ERROR: {
    retryable: false,
    hint: 'WeChat Pay could not verify the Authorization: check serialNo and privateKey',
  },
  NO_AUTH: {
    retryable: false,
    hint: 'the merchant lacks this product permission, or sub_mchid is not served by it',
  },
  FREQUENCY_LIMITED: { retryable: true, hint: 'rate limited: slow down, then send the same call again' },
  SYSTEM_ERROR: {
    retryable: true,
    hint: 'WeChat Pay had a system error: send the same call again unchanged',
  },
} as const satisfies Record<string, KnownError>;

// 停车缴费服务 (/v3/parking/reminders/*): its pages (doc/v3/partner/4019557757 entry, 4019557725 exit,
// 4019557765 payment, 4020338487 ext-payment, 4020339052 开发指引) give no route-level error list
// (../shared/spec wechatpay-parking.md, C: "No code list was found for /v3/parking/reminders/*"), so these
// routes list the common codes of 基本规则, and the queries add its 404 RESOURCE_NOT_EXISTS (B3.7).

/** 同步车辆入场/出场通知, 同步支付信息, 同步扩展支付信息, 查询停车费. */
export const reminderErrors = {
  ...common,
  INVALID_REQUEST: {
    retryable: false,
    hint: 'well formed but against a rule of the stay (the message says which; the documents require out_serial_number, parking_id and plate_number to match the entry): fix the data, do not resend as is',
  },
  NO_AUTH: {
    retryable: false,
    hint: 'the merchant lacks 停车缴费服务 (service providers and platform merchants only), or the lot is not enabled for it',
  },
} as const satisfies Record<string, KnownError>;

/** 停车场进件申请 and withdrawal. */
export const parkingLotApplyErrors = { ...common } as const satisfies Record<string, KnownError>;

/** 查询停车场信息, 查询停车场进件申请单, 查询停车场进件申请单列表. */
export const parkingLotQueryErrors = {
  ...common,
  RESOURCE_NOT_EXISTS: {
    retryable: false,
    hint: 'no such lot or application: check out_parking_lot_id / wx_parking_lot_id / parking_lot_audit_no',
  },
} as const satisfies Record<string, KnownError>;

/** 查询车牌服务开通信息, 创建停车入场. */
export const scoreParkingErrors = { ...common } as const satisfies Record<string, KnownError>;

/** 扣费受理. */
export const transactionErrors = {
  ...common,
  NOT_FOUND: {
    retryable: false,
    hint: 'WeChat Pay does not know the plate or entry: create the entry first',
  },
} as const satisfies Record<string, KnownError>;

/** 查询订单. */
export const transactionQueryErrors = {
  ...common,
  ORDER_NOT_EXIST: {
    retryable: false,
    hint: 'no such order: 扣费受理 never arrived, so it may be sent again with the same out_trade_no',
  },
} as const satisfies Record<string, KnownError>;

/** 退款申请 and 查询单笔退款. */
export const refundErrors = {
  ...common,
  NOT_ENOUGH: {
    retryable: false,
    hint: 'the merchant balance cannot cover the refund: top up, then send it again',
  },
  USER_ACCOUNT_ABNORMAL: {
    retryable: false,
    hint: "the payer's account is closed or frozen: refund another way",
  },
  MCH_NOT_EXISTS: { retryable: false, hint: 'the merchant does not exist: check mchId / sub_mchid' },
  RESOURCE_NOT_EXISTS: {
    retryable: false,
    hint: 'no such order or refund: check out_trade_no / transaction_id / out_refund_no',
  },
} as const satisfies Record<string, KnownError>;
