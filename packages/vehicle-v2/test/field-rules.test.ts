import { type ApiError, ValidationError } from '@wxpark/core';
import { clientFor, merchantsOf, useSandbox } from '@wxpark/test-utils';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { type PayApplyRequest, type PlateNumberInfo, vehicleV2 } from '../src/index.ts';
import { deduction } from './deductions.ts';

const sandbox = await useSandbox();
beforeEach(() => sandbox.clearRequests());

function direct() {
  return merchantsOf(sandbox).direct;
}
function client() {
  return clientFor(sandbox, [vehicleV2]);
}
const car = { plate_number: '粤B888888' };

describe('申请扣款 field rules', () => {
  it('requires deduct_mode and support_deduct_mode in a PARKING scene_info, before any I/O', async () => {
    const data = deduction(direct(), car);
    const { deduct_mode: _a, support_deduct_mode: _b, ...scene } = data.scene_info;
    const error = await client()
      .v2.vehicle.pay.payapply({ ...data, scene_info: scene } as PayApplyRequest)
      .catch((e: unknown) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      'scene_info.deduct_mode',
      'scene_info.support_deduct_mode',
    ]);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('caps spbill_create_ip at the 16 characters WeChat allows', async () => {
    const error = await client()
      .v2.vehicle.pay.payapply({ ...deduction(direct(), car), spbill_create_ip: '2001:db8::1:2:3:4' })
      .catch((e: unknown) => e);
    expect((error as ValidationError).field).toBe('spbill_create_ip');
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('用户状态查询 plate_number_info', () => {
  const plates = { plate_number_info: [{ plate_number: '粤B888888', common_use_flag: 'COMMON_USE' }] };
  function query() {
    const user = sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')!;
    return client().v2.vehicle.pay.querystate({
      appid: direct().appId,
      mch_id: direct().mchId,
      trade_scene: 'PARKING',
      plate_number: user.plate_number!,
    });
  }

  it('gives the signed plate_number_info parsed and typed beside the raw text', async () => {
    const text = JSON.stringify(plates);
    sandbox.overrideNextAnswer({ path: '/vehicle/pay/querystate', set: { plate_number_info: text } });
    const { data } = await query();
    expect(data.plate_number_info).toBe(text);
    expect(data.plate_number_info_parsed).toEqual(plates.plate_number_info);
    expectTypeOf(data.plate_number_info_parsed).toEqualTypeOf<PlateNumberInfo[] | undefined>();
  });

  it('leaves plate_number_info_parsed out when WeChat sent no plate_number_info', async () => {
    const { data } = await query();
    expect(data.plate_number_info).toBeUndefined();
    expect('plate_number_info_parsed' in data).toBe(false);
  });

  it('refuses a signed plate_number_info that is not the documented JSON as UNEXPECTED_RESPONSE', async () => {
    for (const text of ['not json', JSON.stringify({ plate_number_info: [{ channel_type: 'ETC' }] })]) {
      sandbox.overrideNextAnswer({ path: '/vehicle/pay/querystate', set: { plate_number_info: text } });
      const error = await query().catch((e: unknown) => e);
      expect((error as ApiError).code).toBe('UNEXPECTED_RESPONSE');
      expect((error as ApiError).detail?.field).toMatch(/^plate_number_info/);
    }
  });
});

describe('用户入场通知 version', () => {
  it('sends 3.0 for PARKING and 2.0 for PARKING SPACE by default, and a version given as given', async () => {
    const m = direct();
    const owner = sandbox.config.vehicleUsers.find(
      (u) => u.openid && u.plate_number && u.user_state === 'NORMAL',
    )!;
    const space = {
      appid: m.appId,
      mch_id: m.mchId,
      trade_scene: 'PARKING SPACE',
      scene_info: {
        start_time: '20261124103000',
        free_time: '600',
        space_number: 'B2-017',
        openid: owner.openid!,
      },
    } as const;
    await client().v2.vehicle.pay.notification({
      appid: m.appId,
      mch_id: m.mchId,
      trade_scene: 'PARKING',
      scene_info: {
        start_time: '20261124103000',
        plate_number: owner.plate_number!,
        parking_name: 'P',
        free_time: '0',
      },
    });
    await client().v2.vehicle.pay.notification(space);
    await client().v2.vehicle.pay.notification({ ...space, version: '3.0' });
    const versions = sandbox.requests.map((r) => /<version><!\[CDATA\[([\d.]+)\]\]>/.exec(r.body)?.[1]);
    expect(versions).toEqual(['3.0', '2.0', '3.0']);
  });
});
