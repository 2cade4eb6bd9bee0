import { merchantsOf, useSandbox } from '@wxpark/test-utils';
import { parseXml } from '@wxpark/xml';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest, SandboxConfig } from '../src/index.ts';
import { admin, callV2, parkingNotification, parkingScene, startReceiver } from './helpers.ts';

const sandbox = await useSandbox();

describe('admin routes', () => {
  it('GET config returns the running configuration, keys included', async () => {
    const response = await admin(sandbox, 'GET', 'config');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const config = (await response.json()) as SandboxConfig;
    expect(config).toEqual(sandbox.config);
    expect(config.merchants[0]!.v2ApiKey).toHaveLength(32);
  });

  it('GET requests lists API requests only, and DELETE forgets them', async () => {
    const { direct } = merchantsOf(sandbox);
    sandbox.clearRequests();
    await admin(sandbox, 'GET', 'config');
    await callV2(
      sandbox,
      '/vehicle/pay/notification?from=test',
      parkingNotification(direct, '粤B888888'),
      direct.v2ApiKey,
    );
    const listed = (await (await admin(sandbox, 'GET', 'requests')).json()) as RecordedRequest[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ method: 'POST', path: '/vehicle/pay/notification?from=test' });
    expect(listed[0]!.headers['content-type']).toBe('text/xml');
    expect(listed[0]!.body).toContain(`<mch_id><![CDATA[${direct.mchId}]]></mch_id>`);
    expect(listed[0]!.at).toBeGreaterThan(Date.now() - 60_000);
    expect(sandbox.requests).toEqual(listed);

    expect((await admin(sandbox, 'DELETE', 'requests')).status).toBe(204);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('PUT vehicle-users adds a car owner, then replaces it by plate', async () => {
    const { direct } = merchantsOf(sandbox);
    const plate = '川A12345';
    const entry = () =>
      callV2(sandbox, '/vehicle/pay/notification', parkingNotification(direct, plate), direct.v2ApiKey);
    expect((await entry()).fields.err_code).toBe('INVALID_REQUEST');

    expect(
      (await admin(sandbox, 'PUT', 'vehicle-users', { plate_number: plate, user_state: 'NORMAL' })).status,
    ).toBe(200);
    expect((await entry()).fields.user_state).toBe('NORMAL');
    await admin(sandbox, 'PUT', 'vehicle-users', { plate_number: plate, user_state: 'BLOCK' });
    expect((await entry()).fields.user_state).toBe('BLOCK');
    expect(sandbox.config.vehicleUsers.filter((u) => u.plate_number === plate)).toHaveLength(1);
  });

  it('PUT vehicle-users answers 400 naming the bad field', async () => {
    const response = await admin(sandbox, 'PUT', 'vehicle-users', {
      plate_number: '川A12345',
      user_state: 'HAPPY',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/user_state/);
    expect((await admin(sandbox, 'PUT', 'vehicle-users', 'not an object')).status).toBe(400);
  });

  it('POST hostile spoils the next API answers', async () => {
    const { direct } = merchantsOf(sandbox);
    expect((await admin(sandbox, 'POST', 'hostile', { mode: 'no-sign', count: 2 })).status).toBe(204);
    const call = () =>
      callV2(sandbox, '/vehicle/pay/notification', parkingNotification(direct, '粤B888888'), direct.v2ApiKey);
    expect((await call()).fields.sign).toBeUndefined();
    expect((await call()).fields.sign).toBeUndefined();
    expect((await call()).fields.sign).toBeDefined();
    const bad = await admin(sandbox, 'POST', 'hostile', { mode: 'explode' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/bad-sign/);
  });

  it('POST v2/plate-state sends the notice and reports the merchant answer', async () => {
    const receiver = await startReceiver();
    const { direct } = merchantsOf(sandbox);
    const plate = '粤B888888';
    const scene_info = parkingScene(plate, { notify_url: receiver.url });
    await callV2(
      sandbox,
      '/vehicle/pay/notification',
      { ...parkingNotification(direct, plate), scene_info },
      direct.v2ApiKey,
    );
    const response = await admin(sandbox, 'POST', 'v2/plate-state', {
      plate_number: plate,
      vehicle_event_type: 'BLOCKED',
      vehicle_event_des: 'REMOVE',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: number }).status).toBe(200);
    expect(parseXml((await receiver.next()).body)).toMatchObject({
      vehicle_event_type: 'BLOCKED',
      vehicle_event_des: 'REMOVE',
    });

    const unknown = await admin(sandbox, 'POST', 'v2/plate-state', {
      plate_number: '粤Z999999',
      vehicle_event_type: 'NORMAL',
    });
    expect(unknown.status).toBe(404);
    const wrongType = await admin(sandbox, 'POST', 'v2/plate-state', {
      plate_number: plate,
      vehicle_event_type: 'GONE',
    });
    expect(wrongType.status).toBe(400);
  });

  it('answers 404 for an unknown admin route and 405 for a wrong method', async () => {
    expect((await admin(sandbox, 'GET', 'nothing-here')).status).toBe(404);
    const wrong = await admin(sandbox, 'POST', 'config', {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });
});
