import { createApiV3Key, decryptResource, readWechatpayHeaders, verifyV3Signature } from '@wxpark/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.ts';
import { startReceiver } from '../helpers.ts';
import { platformKeys, v3MerchantsOf } from '../v3-helpers.ts';

let sandbox: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  sandbox = await startSandbox();
  receiver = await startReceiver(() => ({ status: 200, body: '{"code":"SUCCESS"}' }));
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const resource = {
  mchid: '1900000109',
  appid: 'wxd678efh567hg6787',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  transaction_id: '4200000000202611240000000001',
  amount: 2000,
  shop_name: '喜茶',
};

describe('sendV3Notice', () => {
  it('delivers a notice that verifies with the platform key and decrypts with the APIv3 key', async () => {
    const { provider } = v3MerchantsOf(sandbox);
    const delivery = await sandbox.sendV3Notice({
      url: receiver.url,
      mchId: provider.mchId,
      event_type: 'MALL_TRANSACTION.SUCCESS',
      resource,
      id: 'EV-2026112410345600001',
    });
    expect(delivery).toMatchObject({ status: 200, body: '{"code":"SUCCESS"}' });
    const received = await receiver.next();
    expect(received.body).toBe(delivery.envelope);
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(received.headers['wechatpay-serial']).toBe(sandbox.config.platform.publicKeyId);
    for (const [name, value] of Object.entries(delivery.headers)) {
      expect(received.headers[name.toLowerCase()]).toBe(value);
    }
    await verifyV3Signature({
      headers: readWechatpayHeaders(received.headers),
      body: received.body,
      verifier: platformKeys(sandbox),
    });

    const envelope = JSON.parse(received.body);
    expect(Object.keys(envelope)).toEqual([
      'id',
      'create_time',
      'resource_type',
      'event_type',
      'summary',
      'resource',
    ]);
    expect(envelope).toMatchObject({
      id: 'EV-2026112410345600001',
      resource_type: 'encrypt-resource',
      event_type: 'MALL_TRANSACTION.SUCCESS',
      resource: {
        algorithm: 'AEAD_AES_256_GCM',
        original_type: 'mall_transaction',
        associated_data: 'mall_transaction',
      },
    });
    expect(envelope.create_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(envelope.resource.nonce).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(JSON.parse(decryptResource(envelope.resource, createApiV3Key(provider.v3.apiV3Key)))).toEqual(
      resource,
    );
    expect(() =>
      decryptResource(envelope.resource, createApiV3Key(v3MerchantsOf(sandbox).direct.v3.apiV3Key)),
    ).toThrow();
  });

  it('signs with the certificate when asked, and returns headers that replay byte for byte', async () => {
    const delivery = await sandbox.sendV3Notice({
      url: receiver.url,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: { parking_id: 'P1', parking_state: 'BLOCKED', blocked_state_description: 'OVERDUE' },
      summary: '停车入场状态变更',
      keyMode: 'certificate',
    });
    await receiver.next();
    expect(delivery.headers['Wechatpay-Serial']).toBe(sandbox.config.platform.certificates.at(-1)!.serialNo);
    const replay = await fetch(receiver.url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.envelope,
    });
    expect(replay.status).toBe(200);
    const replayed = await receiver.next();
    await verifyV3Signature({
      headers: readWechatpayHeaders(replayed.headers),
      body: replayed.body,
      verifier: platformKeys(sandbox),
    });
    expect(sandbox.keyMode).toBe('public-key');
  });

  it('sends a signature probe when asked to, which a receiver must refuse', async () => {
    const delivery = await sandbox.sendV3Notice({
      url: receiver.url,
      event_type: 'TRANSACTION.SUCCESS',
      resource,
      hostile: 'signtest',
    });
    const received = await receiver.next();
    expect(delivery.headers['Wechatpay-Signature']).toMatch(/^WECHATPAY\/SIGNTEST\//);
    await expect(
      verifyV3Signature({
        headers: readWechatpayHeaders(received.headers),
        body: received.body,
        verifier: platformKeys(sandbox),
      }),
    ).rejects.toMatchObject({ code: 'SIGNATURE_PROBE' });
  });

  it('rejects with CallbackError when the URL cannot be reached, and refuses options it cannot use', async () => {
    await expect(
      sandbox.sendV3Notice({ url: 'http://127.0.0.1:1/notify', event_type: 'TRANSACTION.SUCCESS', resource }),
    ).rejects.toMatchObject({ name: 'CallbackError', code: 'DELIVERY_FAILED' });
    await expect(sandbox.sendV3Notice({ url: 'ftp://x', event_type: 'A', resource })).rejects.toThrow(
      /^url: /,
    );
    await expect(
      sandbox.sendV3Notice({ url: receiver.url, event_type: 'A', resource, mchId: '1' }),
    ).rejects.toThrow(/^mchId: /);
    await expect(
      sandbox.sendV3Notice({ url: receiver.url, event_type: 'A', resource: [] as never }),
    ).rejects.toThrow(/^resource: /);
  });
});
