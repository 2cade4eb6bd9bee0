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
import { type ChargingRule, chargingRule } from './charging-rule.ts';
import { parkingLotApplyErrors, parkingLotQueryErrors, reminderErrors } from './error-codes.ts';
import {
  fen,
  outSerialNumber,
  type PlateColor,
  type PlateType,
  parkingId,
  plateColor,
  plateType,
  reminderPlate,
  tradeNo,
  unixSeconds,
  type VehicleType,
  vehicleType,
} from './fields.ts';

/** 同步车辆入场通知 request. */
export interface ParkingEntryRequest {
  /** 商户停车单号: unique per merchant; reuse it unchanged for this stay's exit and payment. */
  out_serial_number: string;
  /** 微信停车场ID. */
  parking_id: string;
  /** 车牌号. */
  plate_number: string;
  /** 车辆入场时间: Unix seconds. */
  enter_timestamp: number;
  /** 车牌颜色. */
  plate_color: PlateColor;
  /** 车辆性质. */
  car_type: PlateType;
  /** 车辆类型. */
  vehicle_type: VehicleType;
  /** 停车场入口编号: letters and digits. */
  entrance_number?: string;
  /** 停车场入口名称. */
  entrance_name?: string;
  /** 优惠信息模板ID: at most 3. */
  discount_template_id?: number[];
}

/** 同步车辆入场通知 answer. */
export interface ParkingEntryResponse {
  /** 微信停车单号. */
  serial_number: string;
}

/** 支付状态. */
export type PayState = 'PAY_STATUS_UNKNOWN' | 'PAY_STATUS_UNPAID' | 'PAY_STATUS_PAID';
/** 支付方式: only PAY_TYPE_WXPAY is accepted by WeChat for payments. */
export type PayType = 'PAY_TYPE_UNKNOWN' | 'PAY_TYPE_WXPAY' | 'PAY_TYPE_OTHERS';
/** 支付渠道. */
export type PayChannel =
  | 'PAY_CHANNEL_UNKNOWN'
  | 'PAY_CHANNEL_WECHAT_PAY_NOTIF'
  | 'PAY_CHANNEL_SCAN_QRCODE'
  | 'PAY_CHANNEL_OFFICIAL_ACCOUNT'
  | 'PAY_CHANNEL_MCH_MINI_PROG'
  | 'PAY_CHANNEL_OTHERS';

/** 同步车辆出场通知 request. Report a payment here or through 同步支付信息, not both. */
export interface ParkingExitRequest {
  out_serial_number: string;
  /** 车辆出场时间: Unix seconds. */
  exit_timestamp: number;
  plate_number: string;
  plate_color: PlateColor;
  parking_id: string;
  /** 支付状态: required when reporting a payment here. */
  pay_state?: PayState;
  /** 支付方式: required when PAID. */
  pay_type?: PayType;
  out_trade_no?: string;
  wx_trade_no?: string;
  /** 停车总金额 (fen). */
  total_amount?: number;
  /** 已支付金额 (fen). */
  paid_amount?: number;
  openid?: string;
  pay_channel?: PayChannel;
  /** 支付时间: Unix seconds. */
  pay_time?: number;
  /** 防伪token. */
  token?: string;
}

/** 停车状态 in 同步支付信息. */
export type PaymentParkingState =
  | 'PARKING_STATUS_UNKNOWN'
  | 'PARKING_STATUS_PARKING'
  | 'PARKING_STATUS_NOT_PARKING';

/** 同步支付信息 request. */
export interface ParkingPaymentRequest {
  out_serial_number: string;
  plate_number: string;
  parking_id: string;
  parking_state: PaymentParkingState;
  /** 支付方式: WeChat accepts only PAY_TYPE_WXPAY on this route. */
  pay_type: 'PAY_TYPE_WXPAY';
  total_amount: number;
  /** 已支付金额 (fen): more than 0. */
  paid_amount: number;
  openid?: string;
  /** 子商户号: required for WeChat Pay when a sub-merchant exists. */
  sub_mchid?: string;
  out_trade_no?: string;
  wx_trade_no?: string;
  pay_channel?: PayChannel;
  pay_time?: number;
  token?: string;
}

/** 费用项 of 同步扩展支付信息. */
export interface ExtPaymentFeeItem {
  /** 费用类型. */
  fee_type:
    | 'EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY'
    | 'EXT_PARKING_PAYMENT_FEE_TYPE_QUARTERLY'
    | 'EXT_PARKING_PAYMENT_FEE_TYPE_MEMBER';
  /** 金额 (fen). */
  amount: number;
}

/** 同步扩展支付信息 (monthly, quarterly, member fees) request. */
export interface ParkingExtPaymentRequest {
  out_trade_no: string;
  /** 费用项: at least one. */
  fee_items: ExtPaymentFeeItem[];
  pay_time: number;
  wx_parking_lot_id?: string;
  wx_trade_no?: string;
}

/** 查询停车费 request. */
export interface ParkingFeeRequest {
  out_serial_number: string;
  plate_number?: string;
  out_parking_id?: string;
}

/** 停车状态 in fee answers. */
export type FeeParkingState =
  | 'PARKING_STATE_UNKNOWN'
  | 'PARKING_STATE_ENTERED'
  | 'PARKING_STATE_EXIT_GATE'
  | 'PARKING_STATE_EXITED'
  | 'PARKING_STATE_UNEXPECTED_CLOSE'
  | (string & {});

/** 停车费 as WeChat or the merchant reports it. */
export interface ParkingFee {
  total_amount: number;
  /** 已停车时长 (seconds). */
  parking_timestamp: number;
  parking_state: FeeParkingState;
  pay_state: PayState | (string & {});
  allowed_exit_timestamp?: number;
  next_raise_price?: number;
  next_raise_timestamp?: number;
  payable_amount: number;
  paid_amount: number;
}

/** 查询停车场信息 request: either id. */
export interface ParkingLotQueryRequest {
  out_parking_lot_id?: string;
  wx_parking_lot_id?: string;
}

/** 停车场启用状态. */
export type EnabledState =
  | 'ENABLED_STATE_UNKNOWN'
  | 'ENABLED_STATE_NOT_ENABLED'
  | 'ENABLED_STATE_ENABLED'
  | 'ENABLED_STATE_OFFLINE'
  | (string & {});

/** 停车场信息. */
export interface ParkingLotInfo {
  wx_parking_lot_id: string;
  out_parking_lot_id: string;
  parking_lot_name: string;
  parking_lot_address?: string;
  payment_mini_prog_appid?: string;
  payment_mini_prog_path?: string;
  parking_order_mini_prog_appid?: string;
  parking_order_mini_prog_path?: string;
  enabled_state: EnabledState;
  reason?: string;
}

/** 停车场类型. */
export type ParkingLotType =
  | 'PARKING_LOT_TYPE_BUSINESS_DISTRICT'
  | 'PARKING_LOT_TYPE_OFFICE_BUILDING'
  | 'PARKING_LOT_TYPE_TRANSPORTATION_HUB'
  | 'PARKING_LOT_TYPE_RESIDENTIAL_AREA'
  | 'PARKING_LOT_TYPE_PARK_AREA'
  | 'PARKING_LOT_TYPE_OTHER_PUBLIC_FACILITY';

/** 停车场 in an application (提交停车场申请). */
export interface ParkingLot {
  parking_lot_name: string;
  out_parking_lot_id: string;
  parking_lot_address: string;
  longitude: string;
  latitude: string;
  parking_lot_type: ParkingLotType;
  phone_number: string;
  parking_sign_url?: string;
  /** 停车场优惠文案: at most 6, each at most 512 characters. */
  notification_text_list?: string[];
  payment_mini_prog_appid?: string;
  payment_path: string;
  parking_order_mini_prog_appid?: string;
  parking_order_path?: string;
  /** 收费规则. */
  charging_rule?: ChargingRule;
}

/** 停车场申请 as WeChat reports it. */
export interface ParkingLotApplication {
  parking_lot_audit_no: string;
  audit_status:
    | 'AUDIT_STATUS_PENDING'
    | 'AUDIT_STATUS_WITHDRAWN'
    | 'AUDIT_STATUS_APPROVED'
    | 'AUDIT_STATUS_REJECTED'
    | (string & {});
  /** 提交时间: Unix seconds. */
  submit_time: number;
  parking_lot: SubmittedParkingLot;
  /** 审核意见: present once reviewed. */
  audit_comment?: AuditComment;
}

/** 停车场信息 as WeChat reports it back in an application: what was submitted, with enums open. */
export interface SubmittedParkingLot extends Omit<ParkingLot, 'parking_lot_type' | 'charging_rule'> {
  /** 停车场类型. */
  parking_lot_type: ParkingLotType | (string & {});
  /** 计费规则, as submitted. */
  charging_rule?: Record<string, unknown>;
}

/** 审核意见 of a 停车场申请. */
export interface AuditComment {
  /** 字段意见. */
  fields?: AuditCommentField[];
  /** 审核建议. */
  recommendation?: string;
}

/** One field's 审核意见. */
export interface AuditCommentField {
  field: string;
  comment: string;
}

/** 提交停车场申请 request. */
export interface ParkingLotApplicationRequest {
  /** 停车场信息. */
  parking_lot: ParkingLot;
}

/** 提交停车场申请 answer. */
export interface ParkingLotApplicationResponse {
  /** 停车场申请单号. */
  parking_lot_audit_no: string;
}

/** 查询停车场申请 request: both ids. */
export interface ParkingLotApplicationQueryRequest {
  /** 停车场申请单号. */
  parking_lot_audit_no: string;
  /** 商户停车场ID. */
  out_parking_lot_id: string;
}

/** 查询停车场申请 answer. */
export interface ParkingLotApplicationQueryResponse {
  application: ParkingLotApplication;
  /** 微信停车场ID: present once the lot was approved. */
  wx_parking_lot_id?: string;
}

/** 撤回停车场申请 request: both ids. */
export interface ParkingLotApplicationWithdrawRequest {
  /** 停车场申请单号. */
  parking_lot_audit_no: string;
  /** 商户停车场ID. */
  out_parking_lot_id: string;
}

/** 查询停车场申请列表 request. */
export interface ParkingLotApplicationsRequest {
  /** 商户停车场ID. */
  out_parking_lot_id: string;
  /** 分页开始位置. @default 0 */
  offset?: number;
  /** 分页大小: 1 to 100. */
  limit?: number;
}

/** 查询停车场申请列表 answer. */
export interface ParkingLotApplicationsResponse {
  application_list: ParkingLotApplication[];
  /** 微信停车场ID: present once the lot was approved. */
  wx_parking_lot_id?: string;
}

const parkingLotTypes = [
  'PARKING_LOT_TYPE_BUSINESS_DISTRICT',
  'PARKING_LOT_TYPE_OFFICE_BUILDING',
  'PARKING_LOT_TYPE_TRANSPORTATION_HUB',
  'PARKING_LOT_TYPE_RESIDENTIAL_AREA',
  'PARKING_LOT_TYPE_PARK_AREA',
  'PARKING_LOT_TYPE_OTHER_PUBLIC_FACILITY',
] as const;
export const payStates = ['PAY_STATUS_UNKNOWN', 'PAY_STATUS_UNPAID', 'PAY_STATUS_PAID'] as const;
const payTypes = ['PAY_TYPE_UNKNOWN', 'PAY_TYPE_WXPAY', 'PAY_TYPE_OTHERS'] as const;
const payChannels = [
  'PAY_CHANNEL_UNKNOWN',
  'PAY_CHANNEL_WECHAT_PAY_NOTIF',
  'PAY_CHANNEL_SCAN_QRCODE',
  'PAY_CHANNEL_OFFICIAL_ACCOUNT',
  'PAY_CHANNEL_MCH_MINI_PROG',
  'PAY_CHANNEL_OTHERS',
] as const;

const entryRequest = objectOf<ParkingEntryRequest>()({
  out_serial_number: outSerialNumber,
  parking_id: parkingId,
  plate_number: reminderPlate,
  enter_timestamp: unixSeconds,
  plate_color: plateColor,
  car_type: plateType,
  vehicle_type: vehicleType,
  entrance_number: optional(
    string({ maxLength: 128, pattern: /^[A-Za-z0-9]+$/, patternName: 'letters and digits' }),
  ),
  entrance_name: optional(string({ maxLength: 64 })),
  discount_template_id: optional(array(integer({ min: 0 }), { maxItems: 3 })),
});

const tradeFields = {
  out_trade_no: optional(tradeNo),
  wx_trade_no: optional(tradeNo),
  pay_channel: optional(oneOf(payChannels)),
  pay_time: optional(unixSeconds),
  token: optional(string({ maxLength: 256 })),
};

const exitRequest = refine(
  objectOf<ParkingExitRequest>()({
    out_serial_number: outSerialNumber,
    exit_timestamp: unixSeconds,
    plate_number: reminderPlate,
    plate_color: plateColor,
    parking_id: parkingId,
    pay_state: optional(oneOf(payStates)),
    pay_type: optional(oneOf(payTypes)),
    total_amount: optional(fen),
    paid_amount: optional(fen),
    openid: optional(string({ maxLength: 128 })),
    ...tradeFields,
  }),
  (v) =>
    v.pay_state === 'PAY_STATUS_PAID' && !v.pay_type
      ? { path: 'pay_type', expected: 'present when pay_state is PAY_STATUS_PAID' }
      : v.pay_state === 'PAY_STATUS_PAID' && !v.out_trade_no && !v.wx_trade_no
        ? {
            path: 'out_trade_no',
            expected: 'present, or wx_trade_no present, when pay_state is PAY_STATUS_PAID',
          }
        : undefined,
);

const paymentRequest = refine(
  objectOf<ParkingPaymentRequest>()({
    out_serial_number: outSerialNumber,
    plate_number: reminderPlate,
    parking_id: parkingId,
    parking_state: oneOf(['PARKING_STATUS_UNKNOWN', 'PARKING_STATUS_PARKING', 'PARKING_STATUS_NOT_PARKING']),
    // WeChat refuses any other pay_type here, and a WeChat Pay payment of nothing.
    pay_type: oneOf(['PAY_TYPE_WXPAY']),
    total_amount: fen,
    paid_amount: integer({ min: 1 }),
    openid: optional(string({ maxLength: 128 })),
    sub_mchid: optional(string({ maxLength: 32, pattern: /^\d+$/, patternName: 'digits' })),
    ...tradeFields,
  }),
  (v) =>
    !v.out_trade_no && !v.wx_trade_no
      ? { path: 'out_trade_no', expected: 'present, or wx_trade_no present' }
      : !v.openid
        ? { path: 'openid', expected: 'present for a WeChat Pay payment' }
        : undefined,
);

const extPaymentRequest = objectOf<ParkingExtPaymentRequest>()({
  out_trade_no: tradeNo,
  fee_items: array(
    objectOf<ExtPaymentFeeItem>()({
      fee_type: oneOf([
        'EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY',
        'EXT_PARKING_PAYMENT_FEE_TYPE_QUARTERLY',
        'EXT_PARKING_PAYMENT_FEE_TYPE_MEMBER',
      ]),
      amount: fen,
    }),
    { minItems: 1 },
  ),
  pay_time: unixSeconds,
  wx_parking_lot_id: optional(string({ maxLength: 64 })),
  wx_trade_no: optional(tradeNo),
});

const lotIds = {
  out_parking_lot_id: optional(string({ maxLength: 64 })),
  wx_parking_lot_id: optional(string({ maxLength: 64 })),
};

const parkingLot = objectOf<ParkingLot>()({
  parking_lot_name: string({ maxLength: 128 }),
  out_parking_lot_id: string({ maxLength: 64 }),
  parking_lot_address: string({ maxLength: 256 }),
  longitude: string({ maxLength: 16 }),
  latitude: string({ maxLength: 16 }),
  parking_lot_type: oneOf(parkingLotTypes),
  phone_number: string({ maxLength: 20 }),
  parking_sign_url: optional(string({ maxLength: 512 })),
  // 提交停车场进件申请 (TheNorthMemory/wechatpay-openapi docs/v3/parking/reminders/application.yaml,
  // 2026-06-29): at most 6 texts of at most 512 characters.
  notification_text_list: optional(array(string({ maxLength: 512 }), { maxItems: 6 })),
  payment_mini_prog_appid: optional(string({ maxLength: 32 })),
  payment_path: string({ maxLength: 256 }),
  parking_order_mini_prog_appid: optional(string({ maxLength: 32 })),
  parking_order_path: optional(string({ maxLength: 256 })),
  charging_rule: optional(chargingRule),
});

const applicationIds = {
  parking_lot_audit_no: string({ maxLength: 64 }),
  out_parking_lot_id: string({ maxLength: 64 }),
};

const optionalText = optional(text());
const optionalInteger = optional(integer());
const noContent = answerOf<Record<string, never>>()({});
const payStateAnswer = openEnum(payStates);

const parkingLotAnswer = answerOf<SubmittedParkingLot>()({
  parking_lot_name: text(),
  out_parking_lot_id: text(),
  parking_lot_address: text(),
  longitude: text(),
  latitude: text(),
  parking_lot_type: openEnum(parkingLotTypes),
  phone_number: text(),
  parking_sign_url: optionalText,
  notification_text_list: optional(array(text())),
  payment_mini_prog_appid: optionalText,
  payment_path: text(),
  parking_order_mini_prog_appid: optionalText,
  parking_order_path: optionalText,
  charging_rule: optional(anyObject()),
});

const applicationAnswer = answerOf<ParkingLotApplication>()({
  parking_lot_audit_no: text(),
  audit_status: openEnum([
    'AUDIT_STATUS_PENDING',
    'AUDIT_STATUS_WITHDRAWN',
    'AUDIT_STATUS_APPROVED',
    'AUDIT_STATUS_REJECTED',
  ]),
  submit_time: integer(),
  parking_lot: parkingLotAnswer,
  audit_comment: optional(
    answerOf<AuditComment>()({
      fields: optional(array(answerOf<AuditCommentField>()({ field: text(), comment: text() }))),
      recommendation: optionalText,
    }),
  ),
});

const reminders = '/v3/parking/reminders';
const docs = 'https://pay.weixin.qq.com/doc/v3/partner/';

/** 同步车辆入场通知: `POST /v3/parking/reminders/entry`. */
export const parkingEntry = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: `${reminders}/entry`,
  title: '同步车辆入场通知',
  errors: reminderErrors,
  docs: `${docs}4019557757`,
  request: entryRequest,
  response: answerOf<ParkingEntryResponse>()({ serial_number: text() }),
});

/** 同步车辆出场通知: `POST /v3/parking/reminders/exit` (204). */
export const parkingExit = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: `${reminders}/exit`,
  title: '同步车辆出场通知',
  errors: reminderErrors,
  docs: `${docs}4019557725`,
  request: exitRequest,
  response: noContent,
});

/** 同步支付信息: `POST /v3/parking/reminders/payment` (204). */
export const parkingPayment = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: `${reminders}/payment`,
  title: '同步支付信息',
  errors: reminderErrors,
  docs: `${docs}4019557765`,
  request: paymentRequest,
  response: noContent,
});

/** 同步扩展支付信息: `POST /v3/parking/reminders/ext-payment` (204). */
export const parkingExtPayment = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: `${reminders}/ext-payment`,
  title: '同步扩展支付信息',
  errors: reminderErrors,
  docs: `${docs}4020338487`,
  request: extPaymentRequest,
  response: noContent,
});

/** 查询停车费: `POST /v3/parking/reminders/parking-fee`. */
export const parkingFee = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: `${reminders}/parking-fee`,
  title: '查询停车费',
  errors: reminderErrors,
  request: objectOf<ParkingFeeRequest>()({
    out_serial_number: outSerialNumber,
    plate_number: optional(reminderPlate),
    out_parking_id: optional(string({ maxLength: 64 })),
  }),
  response: answerOf<ParkingFee>()({
    total_amount: integer(),
    parking_timestamp: integer(),
    parking_state: openEnum([
      'PARKING_STATE_UNKNOWN',
      'PARKING_STATE_ENTERED',
      'PARKING_STATE_EXIT_GATE',
      'PARKING_STATE_EXITED',
      'PARKING_STATE_UNEXPECTED_CLOSE',
    ]),
    pay_state: payStateAnswer,
    allowed_exit_timestamp: optionalInteger,
    next_raise_price: optionalInteger,
    next_raise_timestamp: optionalInteger,
    payable_amount: integer(),
    paid_amount: integer(),
  }),
});

/** 查询停车场信息: `GET /v3/parking/reminders/parking-lot`. */
export const parkingLotQuery = defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: `${reminders}/parking-lot`,
  title: '查询停车场信息',
  errors: parkingLotQueryErrors,
  request: refine(objectOf<ParkingLotQueryRequest>()(lotIds), (v) =>
    v.out_parking_lot_id || v.wx_parking_lot_id
      ? undefined
      : { path: 'out_parking_lot_id', expected: 'present, or wx_parking_lot_id present' },
  ),
  response: answerOf<ParkingLotInfo>()({
    wx_parking_lot_id: text(),
    out_parking_lot_id: text(),
    parking_lot_name: text(),
    parking_lot_address: optionalText,
    payment_mini_prog_appid: optionalText,
    payment_mini_prog_path: optionalText,
    parking_order_mini_prog_appid: optionalText,
    parking_order_mini_prog_path: optionalText,
    enabled_state: openEnum([
      'ENABLED_STATE_UNKNOWN',
      'ENABLED_STATE_NOT_ENABLED',
      'ENABLED_STATE_ENABLED',
      'ENABLED_STATE_OFFLINE',
    ]),
    reason: optionalText,
  }),
});

/** 提交停车场申请: `POST /v3/parking/reminders/application`. */
export const parkingLotApplication = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: `${reminders}/application`,
  title: '提交停车场申请',
  errors: parkingLotApplyErrors,
  request: objectOf<ParkingLotApplicationRequest>()({ parking_lot: parkingLot }),
  response: answerOf<ParkingLotApplicationResponse>()({ parking_lot_audit_no: text() }),
});

/** 查询停车场申请: `GET /v3/parking/reminders/application/query`. */
export const parkingLotApplicationQuery = defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: `${reminders}/application/query`,
  title: '查询停车场申请',
  errors: parkingLotQueryErrors,
  request: objectOf<ParkingLotApplicationQueryRequest>()(applicationIds),
  response: answerOf<ParkingLotApplicationQueryResponse>()({
    application: applicationAnswer,
    wx_parking_lot_id: optionalText,
  }),
});

/** 撤回停车场申请: `POST /v3/parking/reminders/application/withdraw` (204). */
export const parkingLotApplicationWithdraw = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: `${reminders}/application/withdraw`,
  title: '撤回停车场申请',
  errors: parkingLotApplyErrors,
  request: objectOf<ParkingLotApplicationWithdrawRequest>()(applicationIds),
  response: noContent,
});

/** 查询停车场申请列表: `GET /v3/parking/reminders/applications`. */
export const parkingLotApplications = defineRoute({
  protocol: 'v3',
  method: 'GET',
  path: `${reminders}/applications`,
  title: '查询停车场申请列表',
  errors: parkingLotQueryErrors,
  request: objectOf<ParkingLotApplicationsRequest>()({
    out_parking_lot_id: string({ maxLength: 64 }),
    offset: optional(integer({ min: 0 })),
    limit: optional(integer({ min: 1, max: 100 })),
  }),
  response: answerOf<ParkingLotApplicationsResponse>()({
    application_list: array(applicationAnswer),
    wx_parking_lot_id: optionalText,
  }),
});
