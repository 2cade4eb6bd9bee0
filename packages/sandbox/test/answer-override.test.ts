import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, SandboxUsageError, startSandbox } from '../src/index.ts';
import { callV2, merchantsOf, plateIn, verifies } from './helpers.ts';
import { callV3, minutesAgo, type V3Merchant, v3MerchantsOf, verifyAnswer } from './v3-helpers.ts';

let sandbox: Sandbox;
let v3Merchant: V3Merchant;
beforeAll(async () => {
  sandbox = await startSandbox();
  v3Merchant = v3MerchantsOf(sandbox).direct;
});
afterAll(() => sandbox.close());

function notification() {
  const { direct } = merchantsOf(sandbox);
  const scene = {
    start_time: '20261124103000',
    plate_number: plateIn(sandbox, 'NORMAL'),
    parking_name: 'P',
    free_time: '0',
  };
  return callV2(
    sandbox,
    '/vehicle/pay/notification',
    {
      appid: direct.appId,
      mch_id: direct.mchId,
      sign_type: 'HMAC-SHA256',
      version: '3.0',
      trade_scene: 'PARKING',
      scene_info: JSON.stringify({ scene_info: scene }),
    },
    direct.v2ApiKey,
  );
}

function entry(out_serial_number: string) {
  return callV3(sandbox, v3Merchant, 'POST', '/v3/parking/reminders/entry', {
    out_serial_number,
    parking_id: sandbox.config.parkingLots!.find((l) => l.mchId === v3Merchant.mchId)!.wx_parking_lot_id,
    plate_number: '粤B12345',
    enter_timestamp: minutesAgo(10),
    plate_color: 'PLATE_COLOR_BLUE',
    car_type: 'PLATE_TYPE_TEMPORARY',
    vehicle_type: 'VEHICLE_TYPE_SMALL',
  });
}

describe('overrideNextAnswer', () => {
  it('signs an APIv2 success answer with a field left out and one added, once', async () => {
    sandbox.overrideNextAnswer({
      path: '/vehicle/pay/notification',
      omit: ['user_state'],
      set: { extra: 'x' },
    });
    const changed = await notification();
    expect(changed.fields.user_state).toBeUndefined();
    expect(changed.fields.extra).toBe('x');
    expect(verifies(changed.fields, merchantsOf(sandbox).direct.v2ApiKey)).toBe(true);
    expect((await notification()).fields.user_state).toBe('NORMAL');
  });

  it('signs an APIv3 2xx answer with a field replaced, on the path it names only', async () => {
    sandbox.overrideNextAnswer({ path: '/v3/parking/reminders/entry', set: { serial_number: 5 } });
    expect((await notification()).fields.user_state).toBe('NORMAL');
    const changed = await entry(`AO-${Date.now()}`);
    expect(changed.status).toBe(200);
    expect(changed.json).toEqual({ serial_number: 5 });
    await verifyAnswer(sandbox, changed);
  });

  it('refuses an override that changes nothing or counts wrong', () => {
    expect(() => sandbox.overrideNextAnswer({})).toThrow(SandboxUsageError);
    expect(() => sandbox.overrideNextAnswer({ omit: ['a'], count: 0 })).toThrow(/count/);
    expect(() => sandbox.overrideNextAnswer({ set: [] as unknown as Record<string, unknown> })).toThrow(
      /set/,
    );
  });

  it('takes overrides over the admin route, and answers 400 to a bad one', async () => {
    const post = (body: unknown) =>
      fetch(`${sandbox.url}/__sandbox/answer-override`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ path: '/vehicle/pay/notification', omit: ['deduct_mode'] })).status).toBe(204);
    expect((await notification()).fields.deduct_mode).toBeUndefined();
    const bad = await post({ omit: 'user_state' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'omit: expected an array of field names' });
  });
});
