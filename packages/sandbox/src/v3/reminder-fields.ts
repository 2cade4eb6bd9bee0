import { int, oneOf, optional, text } from './fields.ts';

// The enums of the 停车缴费服务 (停车缴费服务 pages, 2026-06): values outside them are PARAM_ERROR.

export const plateColors = [
  'PLATE_COLOR_UNKNOWN',
  'PLATE_COLOR_BLUE',
  'PLATE_COLOR_YELLOW',
  'PLATE_COLOR_BLACK',
  'PLATE_COLOR_WHITE',
  'PLATE_COLOR_GREEN',
  'PLATE_COLOR_YELLOW_GREEN',
  'PLATE_COLOR_AGRICULTURAL_YELLOW',
  'PLATE_COLOR_OTHER',
];
export const plateTypes = [
  'PLATE_TYPE_UNKNOWN',
  'PLATE_TYPE_TEMPORARY',
  'PLATE_TYPE_MONTHLY',
  'PLATE_TYPE_FREE',
  'PLATE_TYPE_PREPAID',
  'PLATE_TYPE_OTHERS',
];
export const vehicleTypes = [
  'VEHICLE_TYPE_UNKNOWN',
  'VEHICLE_TYPE_SMALL',
  'VEHICLE_TYPE_LARGE',
  'VEHICLE_TYPE_EXTRA_LARGE',
  'VEHICLE_TYPE_ALL_TYPE',
];
export const payStates = ['PAY_STATUS_UNKNOWN', 'PAY_STATUS_UNPAID', 'PAY_STATUS_PAID'];
export const payTypes = ['PAY_TYPE_UNKNOWN', 'PAY_TYPE_WXPAY', 'PAY_TYPE_OTHERS'];
export const payChannels = [
  'PAY_CHANNEL_UNKNOWN',
  'PAY_CHANNEL_WECHAT_PAY_NOTIF',
  'PAY_CHANNEL_SCAN_QRCODE',
  'PAY_CHANNEL_OFFICIAL_ACCOUNT',
  'PAY_CHANNEL_MCH_MINI_PROG',
  'PAY_CHANNEL_OTHERS',
];
export const paymentParkingStates = [
  'PARKING_STATUS_UNKNOWN',
  'PARKING_STATUS_PARKING',
  'PARKING_STATUS_NOT_PARKING',
];
/** The reserved EXT_PARKING_PAYMENT_FEE_TYPE_UNKNOWN is refused, as WeChat refuses reserved values. */
export const extFeeTypes = [
  'EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY',
  'EXT_PARKING_PAYMENT_FEE_TYPE_QUARTERLY',
  'EXT_PARKING_PAYMENT_FEE_TYPE_MEMBER',
];
export const parkingLotTypes = [
  'PARKING_LOT_TYPE_BUSINESS_DISTRICT',
  'PARKING_LOT_TYPE_OFFICE_BUILDING',
  'PARKING_LOT_TYPE_TRANSPORTATION_HUB',
  'PARKING_LOT_TYPE_RESIDENTIAL_AREA',
  'PARKING_LOT_TYPE_PARK_AREA',
  'PARKING_LOT_TYPE_OTHER_PUBLIC_FACILITY',
];

export const outSerialNumber = text({ maxLength: 64 });
export const parkingId = text({ maxLength: 64 });
export const reminderPlate = text({ maxLength: 16 });
export const unixSeconds = int({ min: 1, max: 99_999_999_999 });
export const fen = int({ min: 0 });
export const tradeNo = text({ maxLength: 64 });
export const subMchid = optional(text({ maxLength: 32, pattern: /^\d+$/, patternName: '数字' }));

/** The payment fields shared by 同步车辆出场通知 and 同步支付信息. */
export const tradeFields = {
  out_trade_no: optional(tradeNo),
  wx_trade_no: optional(tradeNo),
  pay_channel: optional(oneOf(payChannels)),
  pay_time: optional(unixSeconds),
  token: optional(text({ maxLength: 256 })),
};
