import { createApiV3Key, decryptResource, type EncryptedResource } from '@wxpark/signer';
import { merchantsOf, useSandbox } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import type { SandboxConfig } from '../../src/index.ts';
import { admin, startReceiver } from '../helpers.ts';
import { callV3, verifyAnswer } from '../v3-helpers.ts';

const sandbox = await useSandbox();

describe('APIv3 admin routes', () => {
  it('GET config shows merchant v3 credentials and WeChat Pay public keys, never the platform private keys', async () => {
    const config = (await (await admin(sandbox, 'GET', 'config')).json()) as SandboxConfig;
    expect(config.merchants[0]!.v3!.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(config.platform.publicKey).toContain('BEGIN PUBLIC KEY');
    expect(config.platform.privateKey).toBeUndefined();
    expect(config.platform.certificates[0]!.privateKey).toBeUndefined();
  });

  it('PUT v3/key-mode switches the key mode; GET reads it; a bad mode is 400', async () => {
    expect(await (await admin(sandbox, 'GET', 'v3/key-mode')).json()).toEqual({ mode: 'public-key' });
    const put = await admin(sandbox, 'PUT', 'v3/key-mode', { mode: 'certificate' });
    expect(await put.json()).toEqual({ mode: 'certificate' });
    expect(sandbox.keyMode).toBe('certificate');
    const bad = await admin(sandbox, 'PUT', 'v3/key-mode', { mode: 'both' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/key mode/);
    await admin(sandbox, 'PUT', 'v3/key-mode', { mode: 'public-key' });
  });

  it('POST v3/platform-certificates rotates; DELETE …/{serialNo} retires', async () => {
    const old = sandbox.config.platform.certificates[0]!.serialNo;
    const rotated = await admin(sandbox, 'POST', 'v3/platform-certificates');
    const { serialNo } = (await rotated.json()) as { serialNo: string };
    const listed = (await (await admin(sandbox, 'GET', 'v3/platform-certificates')).json()) as {
      serialNo: string;
    }[];
    expect(listed.map((c) => c.serialNo)).toEqual([old, serialNo]);

    sandbox.setKeyMode('certificate');
    const { direct } = merchantsOf(sandbox);
    const answer = await callV3(sandbox, direct, 'GET', '/v3/certificates');
    const data = answer.json!.data as { serial_no: string; encrypt_certificate: EncryptedResource }[];
    expect(data.map((d) => d.serial_no)).toEqual([old, serialNo]);
    expect(decryptResource(data[1]!.encrypt_certificate, createApiV3Key(direct.v3.apiV3Key))).toContain(
      'CERTIFICATE',
    );
    sandbox.setKeyMode('public-key');

    expect((await admin(sandbox, 'DELETE', `v3/platform-certificates/${old}`)).status).toBe(204);
    expect(sandbox.config.platform.certificates.map((c) => c.serialNo)).toEqual([serialNo]);
    expect((await admin(sandbox, 'DELETE', `v3/platform-certificates/${serialNo}`)).status).toBe(400);
  });

  it('POST fail-next queues an APIv3 error; bad options are 400 naming the field', async () => {
    const queued = await admin(sandbox, 'POST', 'fail-next', {
      path: '/v3/certificates',
      status: 500,
      code: 'SYSTEM_ERROR',
    });
    expect(queued.status).toBe(204);
    const { direct } = merchantsOf(sandbox);
    const answer = await callV3(sandbox, direct, 'GET', '/v3/certificates');
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ code: 'SYSTEM_ERROR' });
    await verifyAnswer(sandbox, answer);
    const bad = await admin(sandbox, 'POST', 'fail-next', { status: 'soon', code: 'SYSTEM_ERROR' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^status: /);
  });

  it('POST v3/notice sends a notice and reports what was sent and answered', async () => {
    const receiver = await startReceiver(() => ({ status: 204, body: '' }));
    const response = await admin(sandbox, 'POST', 'v3/notice', {
      url: receiver.url,
      event_type: 'MALL_AUTH.ACTIVATE_CARD',
      resource: {
        openid: 'o1',
        code: 'C1',
        mchid: sandbox.config.merchants[0]!.mchId,
        auth_type: 'REGISTERED_MODE',
      },
    });
    expect(response.status).toBe(200);
    const delivery = (await response.json()) as {
      status: number;
      envelope: string;
      headers: Record<string, string>;
    };
    expect(delivery.status).toBe(204);
    expect((await receiver.next()).body).toBe(delivery.envelope);
    expect(delivery.headers['Wechatpay-Serial']).toBe(sandbox.config.platform.publicKeyId);

    const unreachable = await admin(sandbox, 'POST', 'v3/notice', {
      url: 'http://127.0.0.1:1/x',
      event_type: 'A.B',
      resource: {},
    });
    expect(unreachable.status).toBe(502);
    const bad = await admin(sandbox, 'POST', 'v3/notice', { url: receiver.url, resource: {} });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^event_type: /);
  });

  it('GET v3/transactions lists accepted deductions with the outcome of their callback', async () => {
    expect(await (await admin(sandbox, 'GET', 'v3/transactions')).json()).toEqual([]);
    const receiver = await startReceiver(() => ({ status: 500, body: '{"code":"FAIL","message":"busy"}' }));
    const { direct } = merchantsOf(sandbox);
    const plate = sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')!;
    const now = Date.now();
    const time = (ms: number) => `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
    const parking = await callV3(sandbox, direct, 'POST', '/v3/vehicle/parking/parkings', {
      out_parking_no: 'ADMIN-1',
      plate_number: plate.plate_number,
      plate_color: 'BLUE',
      notify_url: receiver.url,
      start_time: time(now - 3_600_000),
      parking_name: '欢乐海岸停车场',
      free_duration: 900,
    });
    await callV3(sandbox, direct, 'POST', '/v3/vehicle/transactions/parking', {
      appid: direct.appId,
      description: '停车费',
      out_trade_no: 'ADMIN-T1',
      trade_scene: 'PARKING',
      notify_url: receiver.url,
      amount: { total: 500 },
      parking_info: {
        parking_id: parking.json!.id,
        plate_number: plate.plate_number,
        plate_color: 'BLUE',
        start_time: time(now - 3_600_000),
        end_time: time(now - 60_000),
        parking_name: '欢乐海岸停车场',
        charging_duration: 3540,
        device_id: 'GATE-01',
      },
    });
    await receiver.next();
    await expect
      .poll(async () => (await (await admin(sandbox, 'GET', 'v3/transactions')).json()) as unknown[])
      .toMatchObject([
        {
          mchid: direct.mchId,
          notify_url: receiver.url,
          transaction: { out_trade_no: 'ADMIN-T1', trade_state: 'SUCCESS' },
          notice: { status: 500, acknowledged: false },
        },
      ]);
  });
});
