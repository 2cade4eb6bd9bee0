import type { KnownError } from '@wxpark/core';

// 智慧商圈's pages (smart-business-circle/parkings/update-parkings.html, points/notify-points.html, wiki
// chapter8_6_5, 8_6_7) give no route-level error list (../shared/spec wechatpay-parking.md, C: "No code list
// was found for … /v3/businesscircle/*"). Each route lists the common codes of 基本规则
// (pay.weixin.qq.com/docs/merchant/development/interface-rules/basic-rules.html; spec B3.7), with hints from
// the pages' own rules (the caller must serve the brand; the appid must be bound to it). Retryable only where
// WeChat says to send the same call again.

const common = {
  PARAM_ERROR: { retryable: false, hint: 'a field was refused: detail.field names it; fix the data' },
  INVALID_REQUEST: {
    retryable: false,
    hint: 'well formed but against a business rule (the message says which, e.g. a shopper who has not authorised 商圈积分): fix the state, do not resend as is',
  },
  SIGN_ERROR: {
    retryable: false,
    hint: 'WeChat Pay could not verify the Authorization: check serialNo and privateKey',
  },
  NO_AUTH: {
    retryable: false,
    hint: "the caller is not the brand's main or service-provider merchant, the appid is not bound to the brand, or sub_mchid is not served",
  },
  FREQUENCY_LIMITED: { retryable: true, hint: 'rate limited: slow down, then send the same call again' },
  SYSTEM_ERROR: {
    retryable: true,
    hint: 'WeChat Pay had a system error: send the same call again unchanged',
  },
} as const satisfies Record<string, KnownError>;

/** 商圈会员停车状态同步, 商圈积分同步. */
export const syncErrors = { ...common } as const satisfies Record<string, KnownError>;

/** 商圈积分授权查询, 商圈会员待积分状态查询. */
export const queryErrors = {
  ...common,
  RESOURCE_NOT_EXISTS: {
    retryable: false,
    hint: 'WeChat Pay knows no such shopper for this appid: check openid and appid',
  },
} as const satisfies Record<string, KnownError>;
