import { ValidationError } from '@wxpark/core';
import { useSandbox } from '@wxpark/test-utils';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { ChargingRule, ParkingLot, SubmittedParkingLot } from '../src/index.ts';
import { v3Client } from './helpers.ts';

const sandbox = await useSandbox();
beforeEach(() => sandbox.clearRequests());

const chargingRule: ChargingRule = {
  rule_type: 'CHARGING_RULE_FIXED_INTERVAL',
  fee_limit_type: 'FEE_LIMIT_AGGREGATE',
  daily_limit_type: 'DAILY_LIMIT_CALENDAR_DAY',
  time_rounding_type: 'TIME_ROUND_UP',
  free_entry_duration: 30,
  fixed_interval_rule: [
    {
      day_type: 'DAY_TYPE_WEEKDAY',
      start_time: '09:00',
      end_time: '18:00',
      vehicle_type: 'VEHICLE_TYPE_SMALL',
      plate_type: 'PLATE_TYPE_TEMPORARY',
      first_duration: 60,
      first_amount: 500,
      interval_duration: 30,
      interval_amount: 200,
      max_fee_per_day: 5000,
      is_green_vehicle_free_parking: false,
    },
  ],
  holiday_mode: 'HOLIDAY_MODE_LEGAL_MODY',
};

function lot(extra: Partial<ParkingLot> = {}): ParkingLot {
  return {
    parking_lot_name: '欢乐海岸停车场',
    out_parking_lot_id: `LOT${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    parking_lot_address: '深圳市南山区白石路',
    longitude: '113.987',
    latitude: '22.522',
    parking_lot_type: 'PARKING_LOT_TYPE_BUSINESS_DISTRICT',
    phone_number: '075512345678',
    payment_path: 'pages/pay/index',
    notification_text_list: ['会员免费2小时'],
    charging_rule: chargingRule,
    ...extra,
  };
}

describe('停车场申请 with a typed charging_rule', () => {
  it('submits the charging rule as given and reads the application back through its answer checks', async () => {
    const client = v3Client(sandbox);
    const parking_lot = lot();
    const submitted = await client.v3.parking.reminders.application({ parking_lot });
    expect(JSON.parse(sandbox.requests.at(-1)!.body).parking_lot.charging_rule).toEqual(chargingRule);

    const ids = {
      parking_lot_audit_no: submitted.data.parking_lot_audit_no,
      out_parking_lot_id: parking_lot.out_parking_lot_id,
    };
    const { data } = await client.v3.parking.reminders.application.query(ids);
    expectTypeOf(data.application.parking_lot).toEqualTypeOf<SubmittedParkingLot>();
    expect(data.application.parking_lot.charging_rule).toEqual(chargingRule);
    expect(data.application.audit_status).toMatch(/^AUDIT_STATUS_/);

    const list = await client.v3.parking.reminders.applications({
      out_parking_lot_id: ids.out_parking_lot_id,
    });
    expect(list.data.application_list.map((a) => a.parking_lot_audit_no)).toContain(ids.parking_lot_audit_no);
    expect((await client.v3.parking.reminders.application.withdraw(ids)).status).toBe(204);
  });

  it('refuses a charging rule WeChat would refuse, naming the nested field, before any I/O', async () => {
    const bad = {
      ...chargingRule,
      fixed_interval_rule: [{ day_type: 'DAY_TYPE_WEEKEND', start_time: '9:00', first_amount: -1 }],
    } as unknown as ChargingRule;
    const error = await v3Client(sandbox)
      .v3.parking.reminders.application({ parking_lot: lot({ charging_rule: bad }) })
      .catch((e: unknown) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      'parking_lot.charging_rule.fixed_interval_rule[0].day_type',
      'parking_lot.charging_rule.fixed_interval_rule[0].start_time',
      'parking_lot.charging_rule.fixed_interval_rule[0].first_amount',
    ]);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('allows at most 6 notification texts of at most 512 characters', async () => {
    const client = v3Client(sandbox);
    const tooMany = await client.v3.parking.reminders
      .application({ parking_lot: lot({ notification_text_list: Array.from({ length: 7 }, () => '优惠') }) })
      .catch((e: unknown) => e);
    expect((tooMany as ValidationError).field).toBe('parking_lot.notification_text_list');
    const tooLong = await client.v3.parking.reminders
      .application({ parking_lot: lot({ notification_text_list: ['优'.repeat(513)] }) })
      .catch((e: unknown) => e);
    expect((tooLong as ValidationError).field).toBe('parking_lot.notification_text_list[0]');
    expect(sandbox.requests).toHaveLength(0);
  });
});
