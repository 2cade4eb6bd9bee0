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
  string,
  text,
} from '@wxpark/core';
import { scoreParkingErrors, transactionErrors, transactionQueryErrors } from './error-codes.ts';
import { dateTime } from './fields.ts';

/** 车牌颜色 in 微信支付分停车服务 (a different enum from 停车缴费服务). */
export type ScoreParkingPlateColor = 'BLUE' | 'GREEN' | 'YELLOW' | 'BLACK' | 'WHITE' | 'LIMEGREEN';
const plateColors = ['BLUE', 'GREEN', 'YELLOW', 'BLACK', 'WHITE', 'LIMEGREEN'] as const;
const plateColor = oneOf(plateColors);
const subMchid = optional(string({ maxLength: 32, pattern: /^\d+$/, patternName: 'digits' }));
const https256 = string({ maxLength: 256, pattern: /^https?:\/\/\S+$/, patternName: 'an http(s) URL' });

/** 查询车牌服务开通信息 request. `sub_mchid` for service providers only. */
export interface ParkingServiceFindRequest {
  appid: string;
  sub_mchid?: string;
  plate_number: string;
  plate_color: ScoreParkingPlateColor;
  openid: string;
}

/** 车牌服务开通信息. */
export interface ParkingService {
  plate_number: string;
  plate_color: ScoreParkingPlateColor | (string & {});
  /** 车牌服务开通时间 (RFC 3339). */
  service_open_time?: string;
  openid: string;
  /** 车牌服务开通状态. */
  service_state: 'NORMAL' | 'PAUSE' | 'OUT_SERVICE' | (string & {});
}

/** 创建停车入场 request. */
export interface ParkingEnterRequest {
  sub_mchid?: string;
  /** 商户入场ID: unique per merchant. */
  out_parking_no: string;
  plate_number: string;
  plate_color: ScoreParkingPlateColor;
  /** 回调通知URL: receives VEHICLE.ENTRANCE_STATE_CHANGE. */
  notify_url: string;
  /** 入场时间: RFC 3339, or a `Date`. */
  start_time: string | Date;
  parking_name: string;
  /** 免费时长 (seconds). */
  free_duration: number;
}

/** 停车入场 as WeChat reports it. */
export interface ParkingEnterResponse {
  /** 停车入场ID (parking_id). */
  id: string;
  out_parking_no: string;
  plate_number: string;
  plate_color: string;
  start_time: string;
  parking_name: string;
  free_duration: number;
  /** 停车入场状态. */
  state: 'NORMAL' | 'BLOCKED' | (string & {});
  /** 不可用原因. */
  block_reason?: 'PAUSE' | 'OVERDUE' | 'OUT_SERVICE' | 'EVALUATION_FAILED' | (string & {});
}

/** 扣费受理 request. Release the vehicle only after trade_state ACCEPTED. */
export interface ParkingTransactionRequest {
  appid: string;
  sub_appid?: string;
  sub_mchid?: string;
  description: string;
  attach?: string;
  out_trade_no: string;
  trade_scene: 'PARKING';
  goods_tag?: string;
  notify_url: string;
  profit_sharing?: 'Y' | 'N';
  /** 订单金额. */
  amount: ParkingTransactionAmount;
  /** 停车场景信息: must match the entry (创建停车入场) it charges for. */
  parking_info: ParkingTransactionParkingInfo;
}

/** 订单金额 of 扣费受理. */
export interface ParkingTransactionAmount {
  /** 总金额 (fen): more than 0. */
  total: number;
  /** 货币类型. @default 'CNY' */
  currency?: 'CNY';
}

/** 停车场景信息 of 扣费受理. */
export interface ParkingTransactionParkingInfo {
  /** 停车入场ID: the `id` 创建停车入场 answered. */
  parking_id: string;
  plate_number: string;
  plate_color: ScoreParkingPlateColor;
  /** 入场时间: RFC 3339, or a `Date`. */
  start_time: string | Date;
  /** 出场时间: RFC 3339, or a `Date`. */
  end_time: string | Date;
  parking_name: string;
  /** 计费时长 (seconds). */
  charging_duration: number;
  /** 停车场设备ID. */
  device_id: string;
}

/** 查询订单 request. `sub_mchid` for service providers only. */
export interface ParkingTransactionQueryRequest {
  /** 商户订单号. */
  out_trade_no: string;
  sub_mchid?: string;
}

/** 支付分停车订单. */
export interface ParkingTransaction {
  appid: string;
  sub_appid?: string;
  sp_mchid?: string;
  sub_mchid?: string;
  description: string;
  create_time: string;
  out_trade_no: string;
  transaction_id?: string;
  /** 交易状态 (open: callbacks also carry FAIL and PAY_BACK). */
  trade_state: 'SUCCESS' | 'ACCEPTED' | 'PAY_FAIL' | 'REFUND' | (string & {});
  trade_state_description?: string;
  success_time?: string;
  bank_type?: string;
  user_repaid?: 'Y' | 'N' | (string & {});
  attach?: string;
  trade_scene: string;
  parking_info?: Record<string, unknown>;
  /** 支付者. */
  payer: ParkingTransactionPayer;
  /** 订单金额. */
  amount: ParkingTransactionAmountPaid;
  /** 优惠信息. */
  promotion_detail?: Record<string, unknown>[];
}

/** 支付者 of a 支付分停车订单. */
export interface ParkingTransactionPayer {
  /** 用户标识 under `appid`. */
  openid: string;
  /** 用户子标识 under `sub_appid`. */
  sub_openid?: string;
}

/** 订单金额 of a 支付分停车订单. */
export interface ParkingTransactionAmountPaid {
  /** 订单金额 (fen). */
  total: number;
  /** 货币类型. */
  currency: string;
  /** 用户支付金额 (fen). */
  payer_total?: number;
  /** 优惠金额 (fen). */
  discount_total?: number;
}

const optionalText = optional(text());
const transactionAnswer = answerOf<ParkingTransaction>()({
  appid: text(),
  sub_appid: optionalText,
  sp_mchid: optionalText,
  sub_mchid: optionalText,
  description: text(),
  create_time: text(),
  out_trade_no: text(),
  transaction_id: optionalText,
  trade_state: openEnum(['SUCCESS', 'ACCEPTED', 'PAY_FAIL', 'REFUND']),
  trade_state_description: optionalText,
  success_time: optionalText,
  bank_type: optionalText,
  user_repaid: optional(openEnum(['Y', 'N'])),
  attach: optionalText,
  trade_scene: text(),
  parking_info: optional(anyObject()),
  payer: answerOf<ParkingTransactionPayer>()({ openid: text(), sub_openid: optionalText }),
  amount: answerOf<ParkingTransactionAmountPaid>()({
    total: integer(),
    currency: text(),
    payer_total: optional(integer()),
    discount_total: optional(integer()),
  }),
  promotion_detail: optional(array(anyObject())),
});

/** 查询车牌服务开通信息: `GET /v3/vehicle/parking/services/find`. */
export const parkingServiceFind = defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: '/v3/vehicle/parking/services/find',
  title: '查询车牌服务开通信息',
  errors: scoreParkingErrors,
  request: objectOf<ParkingServiceFindRequest>()({
    appid: string({ maxLength: 32 }),
    sub_mchid: subMchid,
    plate_number: string({ maxLength: 32 }),
    plate_color: plateColor,
    openid: string({ maxLength: 128 }),
  }),
  response: answerOf<ParkingService>()({
    plate_number: text(),
    plate_color: openEnum(plateColors),
    service_open_time: optionalText,
    openid: text(),
    service_state: openEnum(['NORMAL', 'PAUSE', 'OUT_SERVICE']),
  }),
});

/** 创建停车入场: `POST /v3/vehicle/parking/parkings`. */
export const parkingEnter = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: '/v3/vehicle/parking/parkings',
  title: '创建停车入场',
  errors: scoreParkingErrors,
  request: objectOf<ParkingEnterRequest>()({
    sub_mchid: subMchid,
    out_parking_no: string({ maxLength: 64 }),
    plate_number: string({ maxLength: 32 }),
    plate_color: plateColor,
    notify_url: https256,
    start_time: dateTime,
    parking_name: string({ maxLength: 128 }),
    free_duration: integer({ min: 0 }),
  }),
  response: answerOf<ParkingEnterResponse>()({
    id: text(),
    out_parking_no: text(),
    plate_number: text(),
    plate_color: text(),
    start_time: text(),
    parking_name: text(),
    free_duration: integer(),
    state: openEnum(['NORMAL', 'BLOCKED']),
    block_reason: optional(openEnum(['PAUSE', 'OVERDUE', 'OUT_SERVICE', 'EVALUATION_FAILED'])),
  }),
});

/** 扣费受理: `POST /v3/vehicle/transactions/parking`. */
export const parkingTransaction = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: '/v3/vehicle/transactions/parking',
  title: '扣费受理',
  errors: transactionErrors,
  request: objectOf<ParkingTransactionRequest>()({
    appid: string({ maxLength: 32 }),
    sub_appid: optional(string({ maxLength: 32 })),
    sub_mchid: subMchid,
    description: string({ maxLength: 128 }),
    attach: optional(string({ maxLength: 128 })),
    out_trade_no: string({
      maxLength: 32,
      pattern: /^[0-9A-Za-z_\-*]+$/,
      patternName: 'letters, digits, _-*',
    }),
    trade_scene: oneOf(['PARKING']),
    goods_tag: optional(string({ maxLength: 32 })),
    notify_url: https256,
    profit_sharing: optional(oneOf(['Y', 'N'])),
    amount: objectOf<ParkingTransactionAmount>()({
      total: integer({ min: 1 }),
      currency: optional(oneOf(['CNY'])),
    }),
    parking_info: objectOf<ParkingTransactionParkingInfo>()({
      parking_id: string({ maxLength: 32 }),
      plate_number: string({ maxLength: 32 }),
      plate_color: plateColor,
      start_time: dateTime,
      end_time: dateTime,
      parking_name: string({ maxLength: 128 }),
      charging_duration: integer({ min: 0 }),
      device_id: string({ maxLength: 32 }),
    }),
  }),
  response: transactionAnswer,
});

/** 查询订单: `GET /v3/vehicle/transactions/out-trade-no/{out_trade_no}`. */
export const parkingTransactionQuery = defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: '/v3/vehicle/transactions/out-trade-no/{out_trade_no}',
  title: '查询订单',
  errors: transactionQueryErrors,
  v3: { pathParams: ['out_trade_no'] },
  request: objectOf<ParkingTransactionQueryRequest>()({
    out_trade_no: string({ maxLength: 32 }),
    sub_mchid: subMchid,
  }),
  response: transactionAnswer,
});
