import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.ts';
import { callV3, minutesAgo, type V3Merchant, v3MerchantsOf, verifyAnswer } from '../v3-helpers.ts';

let sandbox: Sandbox;
let direct: V3Merchant;
beforeAll(async () => {
  sandbox = await startSandbox();
  ({ direct } = v3MerchantsOf(sandbox));
});
afterAll(() => sandbox.close());

function authorization(openid = sandbox.config.mallMembers![0]!.openid) {
  return callV3(
    sandbox,
    direct,
    'GET',
    `/v3/businesscircle/user-authorizations/${openid}?appid=${sandbox.config.brands![0]!.appId}`,
  );
}

function entry(out_serial_number: string, plate_number = '粤B12345') {
  return callV3(sandbox, direct, 'POST', '/v3/parking/reminders/entry', {
    out_serial_number,
    parking_id: sandbox.config.parkingLots!.find((l) => l.mchId === direct.mchId)!.wx_parking_lot_id,
    plate_number,
    enter_timestamp: minutesAgo(10),
    plate_color: 'PLATE_COLOR_BLUE',
    car_type: 'PLATE_TYPE_TEMPORARY',
    vehicle_type: 'VEHICLE_TYPE_SMALL',
  });
}

describe('failNext', () => {
  it('fails the next call on a path with the given status and code, signed, without processing it', async () => {
    sandbox.failNext({ path: '/v3/parking/reminders/entry', status: 429, code: 'FREQUENCY_LIMITED' });
    expect((await authorization()).status).toBe(200);
    const limited = await entry('FN-1');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ code: 'FREQUENCY_LIMITED', message: '频率超限，请降低请求频率' });
    await verifyAnswer(sandbox, limited);
    // Not processed: had it been, the same out_serial_number with another plate would be refused.
    const first = await entry('FN-1', '粤B54321');
    expect(first.status).toBe(200);
  });

  it('fails `count` calls on any APIv3 path when no path is given, with message and detail as given', async () => {
    sandbox.failNext({
      status: 500,
      code: 'SYSTEM_ERROR',
      message: '系统繁忙',
      detail: { reason: 'maintenance' },
      count: 2,
    });
    const answers = [await authorization(), await entry('FN-2'), await authorization()];
    expect(answers.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(answers[0]!.json).toEqual({
      code: 'SYSTEM_ERROR',
      message: '系统繁忙',
      detail: { reason: 'maintenance' },
    });
  });

  it('matches a path template as well as a concrete path, and leaves unsigned calls to 401', async () => {
    sandbox.failNext({
      path: '/v3/businesscircle/user-authorizations/{openid}',
      status: 404,
      code: 'NOT_FOUND',
    });
    const unsigned = await callV3(
      sandbox,
      direct,
      'GET',
      '/v3/businesscircle/user-authorizations/x?appid=y',
      undefined,
      {
        authorization: null,
      },
    );
    expect(unsigned.status).toBe(401);
    const failed = await authorization('oAnyone');
    expect(failed.status).toBe(404);
    expect(failed.json).toMatchObject({ code: 'NOT_FOUND' });
    expect((await authorization('oAnyone')).status).toBe(200);
  });

  it('refuses options it cannot use, naming the field', () => {
    expect(() => sandbox.failNext({ status: 200, code: 'SYSTEM_ERROR' })).toThrow(/^status: /);
    expect(() => sandbox.failNext({ status: 500, code: 'oops' })).toThrow(/^code: /);
    expect(() =>
      sandbox.failNext({ path: '/vehicle/pay/notification', status: 500, code: 'SYSTEM_ERROR' }),
    ).toThrow(/^path: /);
    expect(() => sandbox.failNext({ status: 500, code: 'SYSTEM_ERROR', count: 0 })).toThrow(/^count: /);
  });
});
