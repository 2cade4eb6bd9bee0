import { integer, oneOf, rfc3339, string } from '@wxpark/core';

/** 车牌颜色 in the 停车缴费服务 APIs. */
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
] as const;
/** 车牌颜色. */
export type PlateColor = (typeof plateColors)[number];

/** 车辆性质 (car_type / plate_type). */
export const plateTypes = [
  'PLATE_TYPE_UNKNOWN',
  'PLATE_TYPE_TEMPORARY',
  'PLATE_TYPE_MONTHLY',
  'PLATE_TYPE_FREE',
  'PLATE_TYPE_PREPAID',
  'PLATE_TYPE_OTHERS',
] as const;
/** 车辆性质. */
export type PlateType = (typeof plateTypes)[number];

/** 车辆类型. */
export const vehicleTypes = [
  'VEHICLE_TYPE_UNKNOWN',
  'VEHICLE_TYPE_SMALL',
  'VEHICLE_TYPE_LARGE',
  'VEHICLE_TYPE_EXTRA_LARGE',
  'VEHICLE_TYPE_ALL_TYPE',
] as const;
/** 车辆类型. */
export type VehicleType = (typeof vehicleTypes)[number];

export const plateColor = oneOf(plateColors);
export const plateType = oneOf(plateTypes);
export const vehicleType = oneOf(vehicleTypes);

/** 商户停车单号: unique per merchant, the same across entry, exit and payment. */
export const outSerialNumber = string({ maxLength: 64 });
/** 微信停车场ID. */
export const parkingId = string({ maxLength: 64 });
/** 车牌号 in the reminders APIs: province + 6-7 characters (8 for green plates). */
export const reminderPlate = string({ maxLength: 16 });
/** Unix seconds, as an integer. */
export const unixSeconds = integer({ min: 1, max: 99_999_999_999 });
/** An amount in fen. */
export const fen = integer({ min: 0 });
/** 商户订单号 style ids. */
export const tradeNo = string({ maxLength: 64 });

/** An RFC 3339 time with offset, or a `Date`. */
export const dateTime = rfc3339();
