import type { KnownError } from '@wxpark/core';

// The err_code values the APIv2 documents list per route: the generic APIv2 codes of 错误码列表
// (pay.weixin.qq.com/doc/v2/partner/4011940964) and those seen for the vehicle routes (../shared/spec
// wechatpay-parking.md "v2 err_code values"); 申请退款 and 查询退款 from their own pages (jsapi.php?chapter=9_4,
// chapter=9_5). Retryable only where the documents say to send the same call again.

const sameAgain = 'send the same call again with the same parameters (the same out_trade_no / out_refund_no)';
const common = {
  SYSTEMERROR: { retryable: true, hint: `WeChat Pay had a system error: ${sameAgain}` },
  PARAM_ERROR: { retryable: false, hint: 'a field was refused: err_code_des names it; fix the data' },
  NOAUTH: {
    retryable: false,
    hint: 'the merchant (or sub-merchant) lacks the car-owner platform permission: apply for it in the console',
  },
  INVALID_REQUEST: {
    retryable: false,
    hint: 'the data is well formed but breaks a business rule (err_code_des says which; "Permission denied" means no car-owner permission)',
  },
  SIGNERROR: {
    retryable: false,
    hint: 'WeChat Pay could not verify the sign: check v2.apiKey and sign_type',
  },
  FREQUENCY_LIMITED: { retryable: true, hint: 'rate limited: slow down, then send the same call again' },
} as const satisfies Record<string, KnownError>;

/** 用户入场通知 and 用户状态查询. */
export const vehicleErrors = { ...common } as const satisfies Record<string, KnownError>;

/** 申请扣款. */
export const payApplyErrors = { ...common } as const satisfies Record<string, KnownError>;

/** 查询订单. */
export const queryOrderErrors = {
  ...common,
  ORDERNOTEXIST: {
    retryable: false,
    hint: 'no such order: the deduction never arrived, so 申请扣款 may be sent again with the same out_trade_no',
  },
} as const satisfies Record<string, KnownError>;

const request = {
  APPID_NOT_EXIST: { retryable: false, hint: 'the appid does not exist: check appid' },
  MCHID_NOT_EXIST: { retryable: false, hint: 'the mch_id does not exist: check mchId' },
  REQUIRE_POST_METHOD: { retryable: false, hint: 'the call must be a POST' },
  XML_FORMAT_ERROR: { retryable: false, hint: 'the body was not XML WeChat Pay could read' },
  INVALID_TRANSACTIONID: {
    retryable: false,
    hint: 'transaction_id is not a WeChat order number of this merchant',
  },
} as const satisfies Record<string, KnownError>;

/** 申请退款. */
export const refundErrors = {
  ...common,
  ...request,
  BIZERR_NEED_RETRY: { retryable: true, hint: `refused under concurrency: ${sameAgain}` },
  TRADE_OVERDUE: {
    retryable: false,
    hint: 'the order is past the refund period (a year after payment): refund another way',
  },
  ERROR: { retryable: false, hint: 'refund refused: err_code_des gives the reason' },
  USER_ACCOUNT_ABNORMAL: {
    retryable: false,
    hint: "the payer's account is closed or frozen: refund another way",
  },
  INVALID_REQ_TOO_MUCH: {
    retryable: false,
    hint: 'too many invalid refund requests: fix them before trying again',
  },
  NOTENOUGH: {
    retryable: false,
    hint: 'the merchant balance cannot cover the refund: top up, then send it again',
  },
  ORDERNOTEXIST: { retryable: false, hint: 'no such order: check out_trade_no / transaction_id' },
} as const satisfies Record<string, KnownError>;

/** 查询退款. */
export const refundQueryErrors = {
  SYSTEMERROR: common.SYSTEMERROR,
  PARAM_ERROR: common.PARAM_ERROR,
  SIGNERROR: common.SIGNERROR,
  ...request,
  REFUNDNOTEXIST: { retryable: false, hint: 'no such refund: check the number you queried by' },
} as const satisfies Record<string, KnownError>;
