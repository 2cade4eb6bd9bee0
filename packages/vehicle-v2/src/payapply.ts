import {
  answerOf,
  defineRoute,
  discriminatedOf,
  objectOf,
  oneOf,
  optional,
  string,
  text,
  transform,
} from '@wxpark/core';
import { payApplyErrors } from './error-codes.ts';
import {
  compactTime,
  fen,
  id32,
  mchId,
  nonceStr,
  notifyUrl,
  sceneInfo,
  secondsString,
  signType,
  toWire,
  type V2AnswerEnvelope,
  type V2RequestEnvelope,
  v2AnswerFields,
} from './fields.ts';

/** 场景信息 for a PARKING deduction. */
export interface PayApplyParkingSceneInfo {
  /** 入场时间. */
  start_time: string | Date;
  /** 出场时间. */
  end_time?: string | Date;
  /** 计费时长: seconds. */
  charging_time: string;
  /** 车牌号. */
  plate_number: string;
  /** 车辆类型. */
  car_type?: string;
  /** 停车场名称. */
  parking_name: string;
  /** 免费时长: seconds. */
  free_time?: string;
  /**
   * 发起扣费方式: PROACTIVE (用户主动发起的免密支付) or AUTOPAY (无感支付). With PROACTIVE, send the
   * user's `openid` too: WeChat then checks that the plate is bound to that user.
   */
  deduct_mode: 'PROACTIVE' | 'AUTOPAY';
  /** 支持的扣费方式: decides which template message WeChat sends the user. */
  support_deduct_mode: 'DEDUCT_PROACTIVE_ONLY' | 'DEDUCT_AUTOPAY_ONLY' | 'DEDUCT_ALL';
}

/** 场景信息 for a PARKING SPACE deduction. */
export interface PayApplyParkingSpaceSceneInfo {
  start_time: string | Date;
  end_time?: string | Date;
  /** 计费时长: seconds. */
  charging_time: string;
  /** 车位编号. */
  space_number: string;
  car_type?: string;
  parking_name?: string;
}

interface PayApplyCommon extends V2RequestEnvelope {
  /** 商品描述: up to 128 characters. */
  body: string;
  /** 商品详情. */
  detail?: string;
  /** 附加数据: echoed in the query and the result callback. */
  attach?: string;
  /** 商户订单号: one order number is one payment; retry with the same one. */
  out_trade_no: string;
  /** 订单金额: fen. */
  total_fee: number;
  /** 货币类型. */
  fee_type?: 'CNY';
  /** 终端IP: the IP of the machine calling WeChat Pay, at most 16 characters. */
  spbill_create_ip: string;
  /** 订单优惠标记. */
  goods_tag?: string;
  /** 扣费结果回调URL. */
  notify_url: string;
  /** 交易类型. @default 'PAP' */
  trade_type?: 'PAP';
  /** 版本号. @default '3.0' */
  version?: '3.0';
  /**
   * 用户标识: when given, WeChat deducts only if the plate is bound to this user. One SDK quotes the
   * official page as requiring it for PARKING SPACE and for PARKING with deduct_mode PROACTIVE; the SDK
   * does not enforce that, as no second source confirms it.
   */
  openid?: string;
  /** 是否分账. */
  profit_sharing?: 'Y' | 'N';
}

/** 申请扣款 request (direct merchant). Only SUCCESS acceptance comes back; the result arrives by callback. */
export type PayApplyRequest =
  | (PayApplyCommon & { trade_scene: 'PARKING'; scene_info: PayApplyParkingSceneInfo | string })
  | (PayApplyCommon & { trade_scene: 'PARKING SPACE'; scene_info: PayApplyParkingSpaceSceneInfo | string });

/** 申请扣款 request (service provider). */
export type PartnerPayApplyRequest = PayApplyRequest & {
  sub_appid?: string;
  sub_mch_id: string;
};

/** 申请扣款 acceptance, verified. */
export interface PayApplyResponse extends V2AnswerEnvelope {
  sub_appid?: string;
  sub_mch_id?: string;
  device_info?: string;
  [field: string]: string | undefined;
}

const parkingScene = objectOf<PayApplyParkingSceneInfo>()({
  start_time: compactTime,
  end_time: optional(compactTime),
  charging_time: secondsString,
  plate_number: string({ maxLength: 32 }),
  car_type: optional(string({ maxLength: 16 })),
  parking_name: string({ maxLength: 32 }),
  free_time: optional(secondsString),
  // Required for PARKING: TheNorthMemory/wechatpay-openapi docs/v2/vehicle/{pay,partnerpay}/payapply.yaml
  // (version 3.0 scene_info), the wechatpay-im partnerpay page, and rwocj/wxpay-okhttp's ParkingScene, whose
  // constructor takes both. The official page's example (from 2017) leaves them out.
  deduct_mode: oneOf(['PROACTIVE', 'AUTOPAY']),
  support_deduct_mode: oneOf(['DEDUCT_PROACTIVE_ONLY', 'DEDUCT_AUTOPAY_ONLY', 'DEDUCT_ALL']),
});
const spaceScene = objectOf<PayApplyParkingSpaceSceneInfo>()({
  start_time: compactTime,
  end_time: optional(compactTime),
  charging_time: secondsString,
  space_number: string({ maxLength: 16 }),
  car_type: optional(string({ maxLength: 16 })),
  parking_name: optional(string({ maxLength: 32 })),
});

const common = {
  appid: id32,
  mch_id: mchId,
  nonce_str: nonceStr,
  sign_type: signType,
  body: string({ maxLength: 128 }),
  detail: optional(string({ maxLength: 6000 })),
  attach: optional(string({ maxLength: 127 })),
  out_trade_no: string({
    maxLength: 32,
    pattern: /^[0-9A-Za-z_\-|*]+$/,
    patternName: 'letters, digits, _-|*',
  }),
  total_fee: fen,
  fee_type: optional(oneOf(['CNY'])),
  // String(16) on the official 申请扣款 page (doc/v2/partner/4011988205) and in TheNorthMemory's schema.
  spbill_create_ip: string({ maxLength: 16 }),
  goods_tag: optional(string({ maxLength: 32 })),
  notify_url: notifyUrl,
  trade_type: optional(oneOf(['PAP'])),
  version: optional(oneOf(['3.0'])),
  openid: optional(id32),
  profit_sharing: optional(oneOf(['Y', 'N'])),
};
const partner = { sub_appid: optional(id32), sub_mch_id: mchId };
const defaults = { sign_type: 'HMAC-SHA256', version: '3.0', trade_type: 'PAP' };

/** The members of union `T` whose `trade_scene` is `V`. */
type Scene<T, V extends string> = Extract<T, { trade_scene: V }>;

const parking = { trade_scene: oneOf(['PARKING']), scene_info: sceneInfo(parkingScene) };
const space = { trade_scene: oneOf(['PARKING SPACE']), scene_info: sceneInfo(spaceScene) };

const payApplyRequest = transform(
  discriminatedOf<PayApplyRequest>()('trade_scene', {
    PARKING: objectOf<Scene<PayApplyRequest, 'PARKING'>>()({ ...common, ...parking }),
    'PARKING SPACE': objectOf<Scene<PayApplyRequest, 'PARKING SPACE'>>()({ ...common, ...space }),
  }),
  (fields) => toWire(fields, defaults),
);

const partnerPayApplyRequest = transform(
  discriminatedOf<PartnerPayApplyRequest>()('trade_scene', {
    PARKING: objectOf<Scene<PartnerPayApplyRequest, 'PARKING'>>()({ ...common, ...partner, ...parking }),
    'PARKING SPACE': objectOf<Scene<PartnerPayApplyRequest, 'PARKING SPACE'>>()({
      ...common,
      ...partner,
      ...space,
    }),
  }),
  (fields) => toWire(fields, defaults),
);

const payApplyAnswer = answerOf<PayApplyResponse>()({
  ...v2AnswerFields,
  sub_appid: optional(text()),
  sub_mch_id: optional(text()),
  device_info: optional(text()),
});

/** 申请扣款 (direct merchant): `POST /vehicle/pay/payapply`. */
export const payApply = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/vehicle/pay/payapply',
  title: '申请扣款',
  errors: payApplyErrors,
  docs: 'https://pay.weixin.qq.com/wiki/doc/api/vehicle_v2.php?chapter=20_985&index=2',
  request: payApplyRequest,
  response: payApplyAnswer,
});

/** 申请扣款 (service provider): `POST /vehicle/partnerpay/payapply`. */
export const partnerPayApply = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/vehicle/partnerpay/payapply',
  title: '申请扣款（服务商）',
  errors: payApplyErrors,
  docs: 'https://pay.weixin.qq.com/doc/v2/partner/4011988205',
  request: partnerPayApplyRequest,
  response: payApplyAnswer,
});
