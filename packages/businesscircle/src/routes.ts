import {
  answerOf,
  boolean,
  defineRoute,
  integer,
  objectOf,
  oneOf,
  openEnum,
  optional,
  rfc3339,
  string,
  text,
} from '@wxpark/core';
import { queryErrors, syncErrors } from './error-codes.ts';

const time = rfc3339({ maxLength: 32 });
const subMchid = optional(string({ maxLength: 32, pattern: /^\d+$/, patternName: 'digits' }));
const appid = string({ maxLength: 32 });
const openid = string({ maxLength: 128 });
// 商圈会员停车状态同步 documents a shorter openid than its siblings.
const parkingOpenid = string({ maxLength: 64 });
// A province abbreviation, then upper-case letters, digits or Chinese characters (挂, 学, 警, 港, 澳, 领 …).
const plateNumber = string({
  maxLength: 32,
  pattern: /^[\u4e00-\u9fa5][A-Z0-9\u4e00-\u9fa5]+$/,
  patternName:
    'a plate starting with a province abbreviation, then upper-case letters, digits or Chinese characters',
});

/** 商圈会员停车状态同步 request. */
export interface ParkingStateSyncRequest {
  /** 子商户号: service providers only. */
  sub_mchid?: string;
  /** 品牌ID: the caller must be the brand's main merchant or its service provider. */
  brandid: number;
  /** 公众号/小程序ID bound to the brand. */
  appid: string;
  /** 顾客授权时使用的小程序上的openid. */
  openid: string;
  /** 车牌号. */
  plate_number: string;
  /** 停车状态: IN 入场, OUT 出场. */
  state: 'IN' | 'OUT';
  /** 入场或出场时间: RFC 3339 with offset, or a `Date` (written in China time). */
  time: string | Date;
}

/** 商圈积分同步 request. */
export interface PointsNotifyRequest {
  sub_mchid?: string;
  /** 微信订单号. */
  transaction_id: string;
  appid: string;
  openid: string;
  /** 是否获得积分. */
  earn_points: boolean;
  /** 订单新增积分值. */
  increased_points: number;
  /** 积分更新时间. */
  points_update_time: string | Date;
  /** 未获得积分的备注信息. */
  no_points_remarks?: string;
  /** 顾客积分总额. */
  total_points?: number;
}

/** 商圈积分授权查询 request. */
export interface UserAuthorizationRequest {
  openid: string;
  appid: string;
  sub_mchid?: string;
}

/** 商圈积分授权状态. */
export interface UserAuthorization {
  openid: string;
  authorize_state: 'UNAUTHORIZED' | 'AUTHORIZED' | 'DEAUTHORIZED' | (string & {});
  authorize_time?: string;
  deauthorize_time?: string;
}

/** 商圈会员待积分状态查询 request. */
export interface PointsCommitStatusRequest {
  openid: string;
  brandid: number;
  appid: string;
  sub_mchid?: string;
}

/**
 * 待积分状态. Older documentation answers 200 with a body, newer 204 with none: both arrive here, the
 * latter as `{}`.
 */
export interface PointsCommitStatus {
  points_commit_status?: 'PENDING' | 'FINISHED' | (string & {});
}

/** The empty answer of a 204 call. */
export type NoContent = Record<string, never>;

const docs = 'https://pay.weixin.qq.com/docs/partner/apis/smart-business-circle';
const noContent = answerOf<NoContent>()({});

/** 商圈会员停车状态同步: `POST /v3/businesscircle/parkings` (204). */
export const parkingStateSync = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: '/v3/businesscircle/parkings',
  title: '商圈会员停车状态同步',
  errors: syncErrors,
  docs: `${docs}/parkings/update-parkings.html`,
  request: objectOf<ParkingStateSyncRequest>()({
    sub_mchid: subMchid,
    brandid: integer({ min: 1 }),
    appid,
    openid: parkingOpenid,
    plate_number: plateNumber,
    state: oneOf(['IN', 'OUT']),
    time,
  }),
  response: noContent,
});

/** 商圈积分同步: `POST /v3/businesscircle/points/notify` (204). */
export const pointsNotify = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: '/v3/businesscircle/points/notify',
  title: '商圈积分同步',
  errors: syncErrors,
  docs: `${docs}/points/notify-points.html`,
  request: objectOf<PointsNotifyRequest>()({
    sub_mchid: subMchid,
    transaction_id: string({ maxLength: 64 }),
    appid,
    openid,
    earn_points: boolean(),
    increased_points: integer({ min: 0 }),
    points_update_time: time,
    no_points_remarks: optional(string({ maxLength: 20 })),
    total_points: optional(integer({ min: 0 })),
  }),
  response: noContent,
});

/** 商圈积分授权查询: `GET /v3/businesscircle/user-authorizations/{openid}`. */
export const userAuthorization = defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: '/v3/businesscircle/user-authorizations/{openid}',
  title: '商圈积分授权查询',
  errors: queryErrors,
  v3: { pathParams: ['openid'] },
  request: objectOf<UserAuthorizationRequest>()({ openid, appid, sub_mchid: subMchid }),
  response: answerOf<UserAuthorization>()({
    openid: text(),
    authorize_state: openEnum(['UNAUTHORIZED', 'AUTHORIZED', 'DEAUTHORIZED']),
    authorize_time: optional(text()),
    deauthorize_time: optional(text()),
  }),
});

/** 商圈会员待积分状态查询: `GET /v3/businesscircle/users/{openid}/points/commit_status`. */
export const pointsCommitStatus = defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: '/v3/businesscircle/users/{openid}/points/commit_status',
  title: '商圈会员待积分状态查询',
  errors: queryErrors,
  v3: { pathParams: ['openid'] },
  request: objectOf<PointsCommitStatusRequest>()({
    openid,
    brandid: integer({ min: 1 }),
    appid,
    sub_mchid: subMchid,
  }),
  response: answerOf<PointsCommitStatus>()({
    points_commit_status: optional(openEnum(['PENDING', 'FINISHED'])),
  }),
});
