import {
  ApiError,
  createClient,
  SignatureError,
  TransportError,
  ValidationError,
  WxparkError,
} from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { clientFor, closedUrl, merchantsOf } from '@wxpark/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PayNotificationRequest, vehicleV2 } from '../src/index.ts';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.clearRequests();
});

function direct() {
  return merchantsOf(sandbox).direct;
}
function provider() {
  return merchantsOf(sandbox).provider;
}
function plates() {
  const normal = sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')!;
  const blocked = sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'BLOCK')!;
  return { normal: normal.plate_number!, blocked: blocked.plate_number! };
}
function parkingEntry(plate: string): PayNotificationRequest {
  const merchant = direct();
  return {
    appid: merchant.appId,
    mch_id: merchant.mchId,
    trade_scene: 'PARKING',
    scene_info: {
      start_time: '20261124103000',
      plate_number: plate,
      parking_name: '欢乐海岸停车场',
      free_time: '1200',
      car_type: '小型车',
    },
  };
}

describe('用户入场通知 (direct merchant) against the sandbox', () => {
  it('answers a verified, typed result in every call style', async () => {
    const client = clientFor(sandbox, [vehicleV2]);
    const data = parkingEntry(plates().normal);
    const results = [
      await client.v2.vehicle.pay.notification.post(data),
      await client.chain('v2/vehicle/pay/notification').post(data),
      await client['v2/vehicle/pay/notification'].post(data),
      await client.v2.vehicle.pay.notification(data),
    ];
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.data.return_code).toBe('SUCCESS');
      expect(result.data.result_code).toBe('SUCCESS');
      expect(result.data.user_state).toBe('NORMAL');
      expect(result.data.mch_id).toBe(direct().mchId);
    }
    expect(sandbox.requests).toHaveLength(4);
    // Every attempt is signed with its own nonce.
    const nonces = sandbox.requests.map((r) => /<nonce_str><!\[CDATA\[(\w+)\]\]>/.exec(r.body)?.[1]);
    expect(new Set(nonces).size).toBe(4);
  });

  it('sends scene_info as the JSON text {"scene_info":{…}} and HMAC-SHA256 by default', async () => {
    const client = clientFor(sandbox, [vehicleV2]);
    await client.v2.vehicle.pay.notification(parkingEntry(plates().normal));
    const body = sandbox.requests[0]!.body;
    expect(body).toContain('<sign_type><![CDATA[HMAC-SHA256]]></sign_type>');
    expect(body).toContain('<version><![CDATA[3.0]]></version>');
    const sceneInfo = /<scene_info><!\[CDATA\[(.*?)\]\]><\/scene_info>/.exec(body)?.[1];
    expect(JSON.parse(sceneInfo!)).toEqual({
      scene_info: {
        start_time: '20261124103000',
        plate_number: plates().normal,
        parking_name: '欢乐海岸停车场',
        free_time: '1200',
        car_type: '小型车',
      },
    });
  });

  it('sends a pre-encoded scene_info string byte for byte', async () => {
    const client = clientFor(sandbox, [vehicleV2]);
    const encoded = `{"scene_info":{"start_time":"20170926114339","plate_number":"${plates().normal}","free_time":"1200","car_type":"大型车","parking_name":"欢乐海岸停车场"}}`;
    const result = await client.v2.vehicle.pay.notification({
      ...parkingEntry(plates().normal),
      scene_info: encoded,
    });
    expect(result.data.user_state).toBe('NORMAL');
    expect(sandbox.requests[0]!.body).toContain(`<scene_info><![CDATA[${encoded}]]></scene_info>`);
  });

  it('writes a Date start_time in China time', async () => {
    const client = clientFor(sandbox, [vehicleV2]);
    const data = parkingEntry(plates().normal);
    if (typeof data.scene_info === 'string') throw new Error('unreachable');
    data.scene_info.start_time = new Date('2026-11-24T02:30:00Z');
    await client.v2.vehicle.pay.notification(data);
    expect(sandbox.requests[0]!.body).toContain('"start_time":"20261124103000"');
  });

  it('reports user_state BLOCK for a plate in arrears', async () => {
    const client = clientFor(sandbox, [vehicleV2]);
    const result = await client.v2.vehicle.pay.notification(parkingEntry(plates().blocked));
    expect(result.data.user_state).toBe('BLOCK');
  });

  it('handles the PARKING SPACE scene', async () => {
    const merchant = direct();
    const user = sandbox.config.vehicleUsers.find((u) => u.openid && u.user_state === 'NORMAL')!;
    const client = clientFor(sandbox, [vehicleV2]);
    const result = await client.v2.vehicle.pay.notification({
      appid: merchant.appId,
      mch_id: merchant.mchId,
      trade_scene: 'PARKING SPACE',
      scene_info: {
        start_time: '20261124103000',
        free_time: '600',
        space_number: 'B2-017',
        openid: user.openid!,
      },
    });
    expect(result.data.result_code).toBe('SUCCESS');
  });

  it('turns a result_code FAIL into an ApiError with err_code and description', async () => {
    const client = clientFor(sandbox, [vehicleV2]);
    const error = await client.v2.vehicle.pay
      .notification(parkingEntry('粤Z000000'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'INVALID_REQUEST',
      protocol: 'v2',
      status: 200,
      signatureVerified: true,
    });
    expect((error as ApiError).description).toBeTruthy();
  });

  it('surfaces SIGNERROR when the APIv2 key is wrong, without leaking either key', async () => {
    const wrongKey = 'W'.repeat(32);
    const client = clientFor(sandbox, [vehicleV2], { v2: { apiKey: wrongKey } });
    const error = (await client.v2.vehicle.pay
      .notification(parkingEntry(plates().normal))
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('SIGNERROR');
    expect(error.signatureVerified).toBe(false);
    const printed = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
    expect(printed).not.toContain(wrongKey);
    expect(printed).not.toContain(direct().v2ApiKey);
  });
});

describe('用户入场通知 (service provider) against the sandbox', () => {
  it('answers a verified result carrying the sub-merchant', async () => {
    const merchant = provider();
    const sub = merchant.subMerchants![0]!;
    const client = clientFor(sandbox, [vehicleV2], { merchant });
    const request = {
      appid: merchant.appId,
      mch_id: merchant.mchId,
      sub_appid: sub.subAppId ?? merchant.appId,
      sub_mch_id: sub.subMchId,
      trade_scene: 'PARKING' as const,
      scene_info: {
        start_time: '20261124103000',
        plate_number: plates().normal,
        parking_name: '欢乐海岸停车场',
        free_time: '1200',
      },
    };
    for (const call of [
      () => client.v2.vehicle.partnerpay.notification.post(request),
      () => client.chain('v2/vehicle/partnerpay/notification').post(request),
      () => client['v2/vehicle/partnerpay/notification'].post(request),
      () => client.v2.vehicle.partnerpay.notification(request),
    ]) {
      const result = await call();
      expect(result.data.sub_mch_id).toBe(sub.subMchId);
      expect(result.data.user_state).toBe('NORMAL');
    }
  });

  it('gets NOAUTH for a sub-merchant the provider does not serve', async () => {
    const merchant = provider();
    const client = clientFor(sandbox, [vehicleV2], { merchant });
    const error = await client.v2.vehicle.partnerpay
      .notification({
        appid: merchant.appId,
        mch_id: merchant.mchId,
        sub_appid: merchant.appId,
        sub_mch_id: '1999999999',
        trade_scene: 'PARKING',
        scene_info: {
          start_time: '20261124103000',
          plate_number: plates().normal,
          parking_name: 'P',
          free_time: '0',
        },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApiError', code: 'NOAUTH' });
  });
});

describe('bad input is refused before any network I/O', () => {
  const cases: [string, (d: Record<string, unknown>, s: Record<string, unknown>) => void, string][] = [
    ['a missing required field', (_d, s) => delete s.plate_number, 'scene_info.plate_number'],
    ['a wrong enum value', (d) => (d.trade_scene = 'GARAGE'), 'trade_scene'],
    ['a field from the other scene', (_d, s) => (s.space_number = 'A1'), 'scene_info.space_number'],
    ['a non-string value', (_d, s) => (s.free_time = 1200), 'scene_info.free_time'],
    ['an over-long string', (_d, s) => (s.parking_name = '停'.repeat(33)), 'scene_info.parking_name'],
    ['a malformed start_time', (_d, s) => (s.start_time = '2026-11-24 10:30'), 'scene_info.start_time'],
    ['an impossible start_time', (_d, s) => (s.start_time = '20260230103000'), 'scene_info.start_time'],
    [
      'a pre-encoded scene_info over 1024 characters',
      (d, s) => (d.scene_info = `{"scene_info":${JSON.stringify(s)}${' '.repeat(1024)}}`),
      'scene_info',
    ],
    [
      'a notify_url with a query string',
      (_d, s) => (s.notify_url = 'https://lot.example/cb?id=1'),
      'scene_info.notify_url',
    ],
    ['a misspelt field', (d) => (d.mchid = '1'), 'mchid'],
    ['a control character XML cannot carry', (d) => (d.appid = 'wx\u0001'), 'appid'],
    ['a sign given by the caller', (d) => (d.sign = 'ABC'), 'sign'],
    ['a wrong sign_type', (d) => (d.sign_type = 'MD5'), 'sign_type'],
  ];
  it.each(cases)('%s', async (_name, mutate, field) => {
    const client = clientFor(sandbox, [vehicleV2]);
    const data = parkingEntry(plates().normal) as unknown as Record<string, unknown>;
    mutate(data, data.scene_info as Record<string, unknown>);
    const error = await client.v2.vehicle.pay.notification(data as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
    expect((error as ValidationError).issues.map((i) => i.path)).toContain(field);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses a pre-encoded scene_info whose JSON misses a required field', async () => {
    const client = clientFor(sandbox, [vehicleV2]);
    const error = (await client.v2.vehicle.pay
      .notification({
        ...parkingEntry(plates().normal),
        scene_info: '{"scene_info":{"start_time":"20261124103000"}}',
      })
      .catch((e: unknown) => e)) as ValidationError;
    expect(error.field).toBe('scene_info(json).scene_info.plate_number');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses a client without an APIv2 key, naming the option', () => {
    expect(() => createClient({ baseUrl: sandbox.url }, [vehicleV2])).toThrow(/options\.v2\.apiKey/);
    const error = (() => {
      try {
        createClient({ v2: { apiKey: 'short-secret-value' } }, [vehicleV2]);
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error?.code).toBe('INVALID_OPTIONS');
    expect(error?.message).not.toContain('short-secret-value');
  });
});

describe('answers that do not verify are errors, never data', () => {
  it.each([
    ['bad-sign', 'SIGNATURE_MISMATCH'],
    ['wrong-key-sign', 'SIGNATURE_MISMATCH'],
    ['no-sign', 'MISSING_SIGN'],
  ] as const)('rejects a %s answer with %s', async (mode, code) => {
    sandbox.setHostile(mode);
    const client = clientFor(sandbox, [vehicleV2]);
    const error = await client.v2.vehicle.pay
      .notification(parkingEntry(plates().normal))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).code).toBe(code);
  });

  it('rejects a body that is not XML as MALFORMED_RESPONSE naming the route, the XmlError as its cause', async () => {
    sandbox.setHostile('garbage');
    const client = clientFor(sandbox, [vehicleV2]);
    const error = await client.v2.vehicle.pay
      .notification(parkingEntry(plates().normal))
      .catch((e: unknown) => e);
    expect(WxparkError.isInstance(error)).toBe(true);
    expect((error as WxparkError).code).toBe('MALFORMED_RESPONSE');
    expect((error as WxparkError).message).toContain('/vehicle/pay/notification');
    expect(((error as WxparkError).cause as Error).name).toBe('XmlError');
  });

  it('reports a dropped connection as a TransportError and does not resend the POST', async () => {
    sandbox.setHostile('drop');
    const client = clientFor(sandbox, [vehicleV2]);
    const error = await client.v2.vehicle.pay
      .notification(parkingEntry(plates().normal))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('NETWORK');
    expect(sandbox.requests).toHaveLength(1);
  });
});

describe('failover', () => {
  it('succeeds through the backup host when the primary is down', async () => {
    const down = await closedUrl();
    const client = clientFor(sandbox, [vehicleV2], { baseUrl: down, backupBaseUrls: [sandbox.url] });
    const result = await client.v2.vehicle.pay.notification(parkingEntry(plates().normal));
    expect(result.data.user_state).toBe('NORMAL');
    expect(sandbox.requests).toHaveLength(1);
  });
});
