import { newParkingId } from '../ids.ts';
import type { SandboxState } from '../state.ts';
import type { SandboxParkingLot } from '../types.ts';
import { isAnswer, resolveActing, type V3Call, type V3Endpoint } from './endpoint.ts';
import { fieldProblem, int, list, oneOf, optional, record, text } from './fields.ts';
import {
  extFeeTypes,
  fen,
  outSerialNumber,
  parkingId,
  paymentParkingStates,
  payStates,
  payTypes,
  plateColors,
  plateTypes,
  reminderPlate,
  subMchid,
  tradeFields,
  tradeNo,
  unixSeconds,
  vehicleTypes,
} from './reminder-fields.ts';
import { type V3Answer, v3Error, v3NoContent, v3Ok } from './reply.ts';
import type { ReminderStay } from './state.ts';

const base = '/v3/parking/reminders';
/** How far ahead of the sandbox clock a reported time may be (clock skew), in seconds. */
const futureSkewSeconds = 300;

/** The sandbox's tariff, documented in the README: 15 minutes free, then 5 yuan per started hour. */
export const tariff = { freeSeconds: 15 * 60, hourFen: 500 } as const;

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function findLot(state: SandboxState, wxParkingLotId: string): SandboxParkingLot | undefined {
  return state.config.parkingLots?.find((lot) => lot.wx_parking_lot_id === wxParkingLotId);
}

function stayKey(mchId: string, out_serial_number: string): string {
  return `${mchId}|${out_serial_number}`;
}

/** The stay a notice names, checked against what its entry said. */
function findStay(state: SandboxState, call: V3Call, compare: string[]): ReminderStay | V3Answer {
  const { fields, merchant } = call;
  const stay = state.v3.stays.get(stayKey(merchant.mchId, fields.out_serial_number as string));
  if (!stay) return v3Error(404, 'RESOURCE_NOT_EXISTS', '停车单不存在，请先同步车辆入场通知');
  for (const name of compare) {
    if (fields[name] !== undefined && fields[name] !== stay[name as keyof ReminderStay]) {
      return v3Error(400, 'INVALID_REQUEST', `${name}与入场通知不一致`);
    }
  }
  return stay;
}

function isStay(value: ReminderStay | V3Answer): value is ReminderStay {
  return 'out_serial_number' in value;
}

/** A WeChat Pay payment needs WXPAY, an amount, a trade number and (when the code says so) the payer. */
function checkWechatPayment(fields: Record<string, unknown>, needOpenId: boolean): void {
  if (fields.pay_type !== 'PAY_TYPE_WXPAY') {
    throw fieldProblem('/pay_type', fields.pay_type ?? '', '仅支持 PAY_TYPE_WXPAY');
  }
  const paid = fields.paid_amount as number | undefined;
  if (paid === undefined || paid <= 0) {
    throw fieldProblem('/paid_amount', paid ?? '', '微信支付的已支付金额必须大于 0');
  }
  const total = fields.total_amount as number | undefined;
  if (total !== undefined && paid > total) {
    throw fieldProblem('/paid_amount', paid, '已支付金额不能大于停车总金额 total_amount');
  }
  if (fields.out_trade_no === undefined && fields.wx_trade_no === undefined) {
    throw fieldProblem('/out_trade_no', '', 'out_trade_no 与 wx_trade_no 至少填写一个');
  }
  if (needOpenId && fields.openid === undefined) {
    throw fieldProblem('/openid', '', '微信支付时此字段为必填项');
  }
}

function recordPayment(stay: ReminderStay, fields: Record<string, unknown>): void {
  const tradeNo = (fields.out_trade_no ?? fields.wx_trade_no) as string;
  stay.payments.set(tradeNo, {
    paid_amount: fields.paid_amount as number,
    ...(fields.total_amount === undefined ? {} : { total_amount: fields.total_amount as number }),
    ...(fields.pay_time === undefined ? {} : { pay_time: fields.pay_time as number }),
  });
}

function entryEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'POST',
    path: `${base}/entry`,
    fields: {
      out_serial_number: outSerialNumber,
      parking_id: parkingId,
      plate_number: reminderPlate,
      enter_timestamp: unixSeconds,
      plate_color: oneOf(plateColors),
      car_type: oneOf(plateTypes),
      vehicle_type: oneOf(vehicleTypes),
      entrance_number: optional(
        text({ maxLength: 128, pattern: /^[A-Za-z0-9]+$/, patternName: '字母或数字' }),
      ),
      entrance_name: optional(text({ maxLength: 64 })),
      discount_template_id: optional(list(int({ min: 0 }), { maxItems: 3 })),
    },
    process({ merchant, fields }) {
      const lot = findLot(state, fields.parking_id as string);
      if (!lot) return v3Error(404, 'RESOURCE_NOT_EXISTS', `停车场${fields.parking_id}不存在`);
      if (lot.mchId !== merchant.mchId) return v3Error(403, 'NO_AUTH', '停车场不属于该商户');
      if (lot.enabled_state !== 'ENABLED_STATE_ENABLED') {
        return v3Error(400, 'INVALID_REQUEST', `停车场未启用（${lot.enabled_state}）`);
      }
      const entered = fields.enter_timestamp as number;
      if (entered > nowSeconds() + futureSkewSeconds) {
        throw fieldProblem('/enter_timestamp', entered, '入场时间不能晚于当前时间');
      }
      const key = stayKey(merchant.mchId, fields.out_serial_number as string);
      const known = state.v3.stays.get(key);
      if (known) {
        // A retry of the same entry gets the same 微信停车单号; the same number for another stay is refused.
        const same =
          known.parking_id === fields.parking_id &&
          known.plate_number === fields.plate_number &&
          known.enter_timestamp === entered;
        return same
          ? v3Ok({ serial_number: known.serial_number }, `entry repeated ${known.serial_number}`)
          : v3Error(400, 'INVALID_REQUEST', '商户停车单号已存在，且入场信息与之前不一致');
      }
      const stay: ReminderStay = {
        mchId: merchant.mchId,
        out_serial_number: fields.out_serial_number as string,
        serial_number: newParkingId(),
        parking_id: fields.parking_id as string,
        plate_number: fields.plate_number as string,
        plate_color: fields.plate_color as string,
        car_type: fields.car_type as string,
        vehicle_type: fields.vehicle_type as string,
        enter_timestamp: entered,
        payments: new Map(),
      };
      state.v3.stays.set(key, stay);
      return v3Ok({ serial_number: stay.serial_number }, `entry ${stay.serial_number}`);
    },
  };
}

function exitEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'POST',
    path: `${base}/exit`,
    fields: {
      out_serial_number: outSerialNumber,
      exit_timestamp: unixSeconds,
      plate_number: reminderPlate,
      plate_color: oneOf(plateColors),
      parking_id: parkingId,
      pay_state: optional(oneOf(payStates)),
      pay_type: optional(oneOf(payTypes)),
      total_amount: optional(fen),
      paid_amount: optional(fen),
      openid: optional(text({ maxLength: 128 })),
      ...tradeFields,
    },
    process(call) {
      const stay = findStay(state, call, ['parking_id', 'plate_number', 'plate_color']);
      if (!isStay(stay)) return stay;
      const { fields } = call;
      const exited = fields.exit_timestamp as number;
      if (exited < stay.enter_timestamp) {
        throw fieldProblem('/exit_timestamp', exited, '出场时间不能早于入场时间');
      }
      if (exited > nowSeconds() + futureSkewSeconds) {
        throw fieldProblem('/exit_timestamp', exited, '出场时间不能晚于当前时间');
      }
      if (fields.pay_state === 'PAY_STATUS_PAID') {
        if (fields.pay_type === undefined) {
          throw fieldProblem('/pay_type', '', 'pay_state 为 PAY_STATUS_PAID 时此字段为必填项');
        }
        checkWechatPayment(fields, false);
      }
      if (stay.exit_timestamp !== undefined && stay.exit_timestamp !== exited) {
        return v3Error(400, 'INVALID_REQUEST', '车辆已出场，出场时间与之前的出场通知不一致');
      }
      stay.exit_timestamp = exited;
      if (fields.pay_state === 'PAY_STATUS_PAID') recordPayment(stay, fields);
      return v3NoContent(`exit ${stay.serial_number}`);
    },
  };
}

function paymentEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'POST',
    path: `${base}/payment`,
    fields: {
      out_serial_number: outSerialNumber,
      plate_number: reminderPlate,
      parking_id: parkingId,
      parking_state: oneOf(paymentParkingStates),
      pay_type: oneOf(payTypes),
      total_amount: fen,
      paid_amount: fen,
      openid: optional(text({ maxLength: 128 })),
      sub_mchid: subMchid,
      ...tradeFields,
    },
    process(call) {
      const acting = resolveActing(call, false);
      if (isAnswer(acting)) return acting;
      const { fields, merchant } = call;
      checkWechatPayment(fields, true);
      // 子商户号: required for a WeChat Pay payment when the merchant serves sub-merchants.
      if (merchant.subMerchants?.length && acting.sub_mchid === undefined) {
        throw fieldProblem('/sub_mchid', '', '服务商模式下微信支付的支付信息此字段为必填项');
      }
      const stay = findStay(state, call, ['parking_id', 'plate_number']);
      if (!isStay(stay)) return stay;
      recordPayment(stay, fields);
      return v3NoContent(`payment ${stay.serial_number}`);
    },
  };
}

function extPaymentEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'POST',
    path: `${base}/ext-payment`,
    fields: {
      out_trade_no: tradeNo,
      fee_items: list(record({ fee_type: oneOf(extFeeTypes), amount: fen }), { minItems: 1 }),
      pay_time: unixSeconds,
      wx_parking_lot_id: optional(text({ maxLength: 64 })),
      wx_trade_no: optional(tradeNo),
    },
    process({ merchant, fields }) {
      const lotId = fields.wx_parking_lot_id as string | undefined;
      if (lotId !== undefined && !findLot(state, lotId)) {
        return v3Error(404, 'RESOURCE_NOT_EXISTS', `停车场${lotId}不存在`);
      }
      const key = `${merchant.mchId}|${fields.out_trade_no}`;
      const known = state.v3.extPayments.get(key);
      if (known && JSON.stringify(known) !== JSON.stringify(fields)) {
        return v3Error(400, 'INVALID_REQUEST', '商户订单号已存在，且支付信息与之前不一致');
      }
      state.v3.extPayments.set(key, fields);
      return v3NoContent(`ext-payment ${fields.out_trade_no}`);
    },
  };
}

/** The fee of a stay under {@link tariff}, at `at` (Unix seconds) or its exit. */
export function feeOf(stay: ReminderStay, at: number) {
  const end = stay.exit_timestamp ?? Math.max(at, stay.enter_timestamp);
  const parked = end - stay.enter_timestamp;
  const hours = parked <= tariff.freeSeconds ? 0 : Math.ceil(parked / 3600);
  const total_amount = hours * tariff.hourFen;
  const paid_amount = [...stay.payments.values()].reduce((sum, p) => sum + p.paid_amount, 0);
  const payable_amount = Math.max(0, total_amount - paid_amount);
  const lastPaid = Math.max(0, ...[...stay.payments.values()].map((p) => p.pay_time ?? 0));
  const nextRaise = stay.enter_timestamp + (hours === 0 ? tariff.freeSeconds + 1 : hours * 3600 + 1);
  return {
    total_amount,
    parking_timestamp: parked,
    parking_state: stay.exit_timestamp === undefined ? 'PARKING_STATE_ENTERED' : 'PARKING_STATE_EXITED',
    pay_state: payable_amount === 0 && paid_amount > 0 ? 'PAY_STATUS_PAID' : 'PAY_STATUS_UNPAID',
    ...(payable_amount === 0 && lastPaid > 0
      ? { allowed_exit_timestamp: lastPaid + tariff.freeSeconds }
      : {}),
    ...(stay.exit_timestamp === undefined
      ? { next_raise_price: tariff.hourFen, next_raise_timestamp: nextRaise }
      : {}),
    payable_amount,
    paid_amount,
  };
}

function parkingFeeEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'POST',
    path: `${base}/parking-fee`,
    fields: {
      out_serial_number: outSerialNumber,
      plate_number: optional(reminderPlate),
      out_parking_id: optional(text({ maxLength: 64 })),
    },
    process(call) {
      const stay = findStay(state, call, ['plate_number']);
      if (!isStay(stay)) return stay;
      const outParkingId = call.fields.out_parking_id;
      if (
        outParkingId !== undefined &&
        outParkingId !== findLot(state, stay.parking_id)?.out_parking_lot_id
      ) {
        return v3Error(400, 'INVALID_REQUEST', 'out_parking_id与入场通知的停车场不一致');
      }
      const fee = feeOf(stay, nowSeconds());
      return v3Ok(fee, `fee ${fee.total_amount} paid ${fee.paid_amount}`);
    },
  };
}

/** 停车缴费服务: entry, exit, payment, ext-payment and the fee query. */
export function reminderEndpoints(state: SandboxState): V3Endpoint[] {
  return [
    entryEndpoint(state),
    exitEndpoint(state),
    paymentEndpoint(state),
    extPaymentEndpoint(state),
    parkingFeeEndpoint(state),
  ];
}
