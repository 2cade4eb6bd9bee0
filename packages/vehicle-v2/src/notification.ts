import {
  answerOf,
  defineRoute,
  discriminatedOf,
  objectOf,
  oneOf,
  openEnum,
  optional,
  string,
  text,
  transform,
} from '@wxpark/core';
import { vehicleErrors } from './error-codes.ts';
import {
  compactTime,
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
  version,
} from './fields.ts';

/** 场景信息 for trade_scene `PARKING` (停车场). */
export interface ParkingSceneInfo {
  /** 入场时间: `yyyyMMddHHmmss`, or a `Date` written in China time. */
  start_time: string | Date;
  /** 回调通知URL: receives the plate state-change callbacks (车牌状态变更通知). No query string. */
  notify_url?: string;
  /** 车牌号: province abbreviation + plate, no separators, up to 32 characters. */
  plate_number: string;
  /** 车辆类型: e.g. 大型车 / 小型车. */
  car_type?: string;
  /** 停车场名称: up to 32 characters. */
  parking_name: string;
  /** 免费时长: seconds, as a string of digits. */
  free_time: string;
}

/** 场景信息 for trade_scene `PARKING SPACE` (车位). */
export interface ParkingSpaceSceneInfo {
  /** 入场时间: `yyyyMMddHHmmss`, or a `Date`. */
  start_time: string | Date;
  /** 车辆类型. */
  car_type?: string;
  /** 停车场名称. */
  parking_name?: string;
  /** 免费时长: seconds, as a string of digits. */
  free_time: string;
  /** 用户标识. */
  openid?: string;
  /** 车位编号: up to 16 characters. */
  space_number: string;
}

/** Service-provider extra for `PARKING SPACE`. */
export interface PartnerParkingSpaceSceneInfo extends ParkingSpaceSceneInfo {
  /** 用户子标识 (openid under sub_appid). */
  sub_openid?: string;
}

interface NotificationCommon extends V2RequestEnvelope {
  /** 版本号: the official pages fix 3.0 for PARKING and 2.0 for other scenes. @default by trade_scene */
  version?: '3.0' | '2.0';
}

interface PartnerFields {
  /** 子商户公众账号ID. */
  sub_appid: string;
  /** 子商户号. */
  sub_mch_id: string;
}

/** 用户入场通知 request (direct merchant), by trade_scene. */
export type PayNotificationRequest =
  | (NotificationCommon & {
      /** 交易场景. */
      trade_scene: 'PARKING';
      /** 场景信息: an object, or the already-encoded JSON text `{"scene_info":{…}}`. */
      scene_info: ParkingSceneInfo | string;
    })
  | (NotificationCommon & {
      trade_scene: 'PARKING SPACE';
      scene_info: ParkingSpaceSceneInfo | string;
    });

/** 用户入场通知 request (service provider), by trade_scene. */
export type PartnerPayNotificationRequest =
  | (NotificationCommon &
      PartnerFields & {
        trade_scene: 'PARKING';
        scene_info: ParkingSceneInfo | string;
      })
  | (NotificationCommon &
      PartnerFields & {
        trade_scene: 'PARKING SPACE';
        scene_info: PartnerParkingSpaceSceneInfo | string;
      });

/** 用户状态: NORMAL (可用) or BLOCK (欠费/黑名单); open to values WeChat may add. */
export type NotificationUserState = 'NORMAL' | 'BLOCK' | (string & {});
/** 发起扣费方式: PROACTIVE (用户主动) or AUTOPAY (无感). */
export type DeductMode = 'PROACTIVE' | 'AUTOPAY' | (string & {});

/** 用户入场通知 answer, verified. Failures are thrown as `ApiError`, so codes here are SUCCESS. */
export interface PayNotificationResponse extends V2AnswerEnvelope {
  /** 用户状态. A plate in arrears answers BLOCK. */
  user_state: NotificationUserState;
  /** 发起扣费方式. */
  deduct_mode?: DeductMode;
  [field: string]: string | undefined;
}

/** 用户入场通知 answer for service providers. */
export interface PartnerPayNotificationResponse extends PayNotificationResponse {
  sub_appid?: string;
  sub_mch_id: string;
}

/** The members of union `T` whose `trade_scene` is `V`. */
type Scene<T, V extends string> = Extract<T, { trade_scene: V }>;

const parkingScene = objectOf<ParkingSceneInfo>()({
  start_time: compactTime,
  notify_url: optional(notifyUrl),
  plate_number: string({ maxLength: 32 }),
  car_type: optional(string({ maxLength: 16 })),
  parking_name: string({ maxLength: 32 }),
  free_time: secondsString,
});

const spaceSceneFields = {
  start_time: compactTime,
  car_type: optional(string({ maxLength: 16 })),
  parking_name: optional(string({ maxLength: 32 })),
  free_time: secondsString,
  openid: optional(id32),
  space_number: string({ maxLength: 16 }),
};

const common = { appid: id32, mch_id: mchId, nonce_str: nonceStr, sign_type: signType, version };
const partner = { sub_appid: id32, sub_mch_id: mchId };
// 版本号 "固定值 3.0: 车场停车(PARKING)场景; 2.0: 其他场景" on the official 用户入场通知 pages
// (doc/v2/merchant/4011985272, doc/v2/partner/4011988204): the default follows the scene.
const defaults = (fields: { trade_scene: string }) => ({
  sign_type: 'HMAC-SHA256',
  version: fields.trade_scene === 'PARKING' ? '3.0' : '2.0',
});
const parking = { trade_scene: oneOf(['PARKING']), scene_info: sceneInfo(parkingScene) };
const space = oneOf(['PARKING SPACE']);

const payNotificationRequest = transform(
  discriminatedOf<PayNotificationRequest>()('trade_scene', {
    PARKING: objectOf<Scene<PayNotificationRequest, 'PARKING'>>()({ ...common, ...parking }),
    'PARKING SPACE': objectOf<Scene<PayNotificationRequest, 'PARKING SPACE'>>()({
      ...common,
      trade_scene: space,
      scene_info: sceneInfo(objectOf<ParkingSpaceSceneInfo>()(spaceSceneFields)),
    }),
  }),
  (fields) => toWire(fields, defaults(fields)),
);

const partnerPayNotificationRequest = transform(
  discriminatedOf<PartnerPayNotificationRequest>()('trade_scene', {
    PARKING: objectOf<Scene<PartnerPayNotificationRequest, 'PARKING'>>()({
      ...common,
      ...partner,
      ...parking,
    }),
    'PARKING SPACE': objectOf<Scene<PartnerPayNotificationRequest, 'PARKING SPACE'>>()({
      ...common,
      ...partner,
      trade_scene: space,
      scene_info: sceneInfo(
        objectOf<PartnerParkingSpaceSceneInfo>()({ ...spaceSceneFields, sub_openid: optional(id32) }),
      ),
    }),
  }),
  (fields) => toWire(fields, defaults(fields)),
);

const notificationAnswerFields = {
  ...v2AnswerFields,
  user_state: openEnum(['NORMAL', 'BLOCK']),
  deduct_mode: optional(openEnum(['PROACTIVE', 'AUTOPAY'])),
};

/** 用户入场通知 (direct merchant): `POST /vehicle/pay/notification`. */
export const payNotification = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/vehicle/pay/notification',
  title: '用户入场通知',
  errors: vehicleErrors,
  docs: 'https://pay.weixin.qq.com/doc/v2/merchant/4011985272',
  request: payNotificationRequest,
  response: answerOf<PayNotificationResponse>()(notificationAnswerFields),
});

/** 用户入场通知 (service provider): `POST /vehicle/partnerpay/notification`. */
export const partnerPayNotification = defineRoute({
  protocol: 'v2',
  method: 'POST',
  path: '/vehicle/partnerpay/notification',
  title: '用户入场通知（服务商）',
  errors: vehicleErrors,
  docs: 'https://pay.weixin.qq.com/doc/v2/partner/4011988204',
  request: partnerPayNotificationRequest,
  response: answerOf<PartnerPayNotificationResponse>()({
    ...notificationAnswerFields,
    sub_appid: optional(text()),
    sub_mch_id: text(),
  }),
});
