import {
  answerOf,
  array,
  defineRoute,
  objectOf,
  oneOf,
  openEnum,
  optional,
  refine,
  type Schema,
  string,
  text,
  transform,
} from '@wxpark/core';
import { vehicleErrors } from './error-codes.ts';
import {
  id32,
  mchId,
  nonceStr,
  signType,
  toWire,
  type V2AnswerEnvelope,
  type V2RequestEnvelope,
  v2AnswerFields,
  version,
} from './fields.ts';

/** 交易场景 accepted by 用户状态查询. */
export type QueryStateTradeScene = 'PARKING' | 'PARKING SPACE' | 'GAS' | 'HIGHWAY' | 'BRIDGE';

/** 用户状态查询 request (direct merchant). Give openid or plate_number (二选一). */
export interface PayQueryStateRequest extends V2RequestEnvelope {
  /** 交易场景. */
  trade_scene: QueryStateTradeScene;
  /** 跳转场景: APP or H5; absent means the mini-program. */
  jump_scene?: 'APP' | 'H5';
  /** 用户标识. */
  openid?: string;
  /** 车牌号. */
  plate_number?: string;
  /** 版本号. @default '3.0' */
  version?: '3.0' | '2.0';
}

/** 用户状态查询 request (service provider). Give openid, sub_openid or plate_number (三选一). */
export interface PartnerPayQueryStateRequest extends Omit<PayQueryStateRequest, 'trade_scene'> {
  sub_appid?: string;
  /** 子商户号. */
  sub_mch_id: string;
  /** 交易场景. */
  trade_scene: 'PARKING' | 'PARKING SPACE' | 'GAS' | 'HIGHWAY';
  /** 用户子标识. */
  sub_openid?: string;
}

/** 用户状态查询 answer, verified. */
export interface PayQueryStateResponse extends V2AnswerEnvelope {
  sub_appid?: string;
  sub_mch_id?: string;
  /** 用户状态: NORMAL, PAUSED, OVERDUE, UNAUTHORIZED (open). */
  user_state: 'NORMAL' | 'PAUSED' | 'OVERDUE' | 'UNAUTHORIZED' | (string & {});
  openid?: string;
  sub_openid?: string;
  /** 发起扣费方式. */
  deduct_mode?: 'PROACTIVE' | 'AUTOPAY' | (string & {});
  /** 跳转路径: present when the user must act (authorise, repay, resume). */
  path?: string;
  /** 车牌信息: JSON text `{"plate_number_info":[…]}`, exactly as signed. Not returned for PARKING SPACE. */
  plate_number_info?: string;
  /**
   * `plate_number_info` parsed (added by the SDK after the answer verified; not a WeChat field): the
   * user's plates.
   */
  plate_number_info_parsed?: PlateNumberInfo[];
  [field: string]: string | PlateNumberInfo[] | undefined;
}

/** One plate in `plate_number_info` of 用户状态查询. */
export interface PlateNumberInfo {
  /** 车牌号. */
  plate_number: string;
  /** 车牌通道标识: HIGHWAY only; ETC, MTC, or both as `ETC;MTC`. */
  channel_type?: string;
  /** 常用车牌标志: `COMMON_USE` for a frequently used plate paid password-free (version 3.0). */
  common_use_flag?: 'COMMON_USE' | (string & {});
  [field: string]: unknown;
}

const base = {
  appid: id32,
  mch_id: mchId,
  nonce_str: nonceStr,
  sign_type: signType,
  jump_scene: optional(oneOf(['APP', 'H5'])),
  openid: optional(id32),
  plate_number: optional(string({ maxLength: 32 })),
  version,
};
const defaults = { sign_type: 'HMAC-SHA256', version: '3.0' };

const payQueryStateRequest = transform(
  refine(
    objectOf<PayQueryStateRequest>()({
      ...base,
      trade_scene: oneOf(['PARKING', 'PARKING SPACE', 'GAS', 'HIGHWAY', 'BRIDGE']),
    }),
    (v) =>
      v.openid || v.plate_number
        ? undefined
        : { path: 'openid', expected: 'present, or plate_number present (二选一)' },
  ),
  (fields) => toWire(fields, defaults),
);

const partnerPayQueryStateRequest = transform(
  refine(
    objectOf<PartnerPayQueryStateRequest>()({
      ...base,
      sub_appid: optional(id32),
      sub_mch_id: mchId,
      sub_openid: optional(id32),
      trade_scene: oneOf(['PARKING', 'PARKING SPACE', 'GAS', 'HIGHWAY']),
    }),
    (v) =>
      v.openid || v.sub_openid || v.plate_number
        ? undefined
        : { path: 'openid', expected: 'present, or sub_openid or plate_number present (三选一)' },
  ),
  (fields) => toWire(fields, defaults),
);

// The shape of plate_number_info: the wechatpay-im 用户状态查询 pages (plate_number, channel_type,
// common_use_flag), DotNetCore.SKIT's VehicleQueryStateResponse and rwocj/wxpay-okhttp's PlateNumberInfo.
const plateList = answerOf<{ plate_number_info: PlateNumberInfo[] }>()({
  plate_number_info: array(
    answerOf<PlateNumberInfo>()({
      plate_number: text(),
      channel_type: optional(text()),
      common_use_flag: optional(openEnum(['COMMON_USE'])),
    }),
  ),
});

/** JSON text `{"plate_number_info":[…]}` whose plates have the documented shape. */
const plateNumberInfoText: Schema<unknown, string> = {
  expected: 'JSON text {"plate_number_info":[{"plate_number":…}]}',
  optional: false,
  check(value, path, issues) {
    let parsed: unknown;
    try {
      parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
    } catch {
      // Reported just below.
    }
    if (parsed === undefined)
      issues.push({ path, expected: this.expected, received: 'text that is not JSON' });
    else plateList.check(parsed, `${path}(json)`, issues);
    return value as string;
  },
};

/** An answer as WeChat signs it: without the fields the SDK adds (Omit would drop the named keys here). */
type Signed<T> = { [K in keyof T as K extends 'plate_number_info_parsed' ? never : K]: T[K] };

// Runs on verified answers only, so the JSON text parsed here is what WeChat Pay signed.
const queryStateAnswer = transform(
  answerOf<Signed<PayQueryStateResponse>>()({
    ...v2AnswerFields,
    sub_appid: optional(text()),
    sub_mch_id: optional(text()),
    user_state: openEnum(['NORMAL', 'PAUSED', 'OVERDUE', 'UNAUTHORIZED']),
    openid: optional(text()),
    sub_openid: optional(text()),
    deduct_mode: optional(openEnum(['PROACTIVE', 'AUTOPAY'])),
    path: optional(text()),
    plate_number_info: optional(plateNumberInfoText),
  }),
  (answer): PayQueryStateResponse =>
    answer.plate_number_info
      ? {
          ...answer,
          plate_number_info_parsed: (
            JSON.parse(answer.plate_number_info) as { plate_number_info: PlateNumberInfo[] }
          ).plate_number_info,
        }
      : answer,
);

/** 用户状态查询 (direct merchant): `POST /vehicle/pay/querystate`. */
export const payQueryState = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/vehicle/pay/querystate',
  title: '用户状态查询',
  errors: vehicleErrors,
  docs: 'https://pay.weixin.qq.com/doc/v2/merchant/4011986415',
  request: payQueryStateRequest,
  response: queryStateAnswer,
});

/** 用户状态查询 (service provider): `POST /vehicle/partnerpay/querystate`. */
export const partnerPayQueryState = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/vehicle/partnerpay/querystate',
  title: '用户状态查询（服务商）',
  errors: vehicleErrors,
  docs: 'https://pay.weixin.qq.com/doc/v2/partner/4011988212',
  request: partnerPayQueryStateRequest,
  response: queryStateAnswer,
});
