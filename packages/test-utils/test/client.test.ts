import { anyObject, apiV2, apiV3, definePackage, defineRoute, object, optional, string } from '@wxpark/core';
import { buildXml, parseXml } from '@wxpark/xml';
import { beforeEach, describe, expect, it } from 'vitest';
import { clientFor, merchantsOf, type SandboxClientOverrides, useSandbox } from '../src/index.ts';

// Two routes the sandbox serves, one per protocol, so the client's credentials are checked by its peer.
const v3Package = definePackage({
  name: 'test-utils-v3',
  v3: apiV3,
  routes: {
    'v3/certificates': defineRoute({
      protocol: 'v3',
      method: 'GET',
      path: '/v3/certificates',
      title: '下载平台证书',
      request: object({}),
      response: anyObject(),
    }),
  },
});
const v2Package = definePackage({
  name: 'test-utils-v2',
  v2: apiV2({ build: buildXml, parse: parseXml }),
  routes: {
    'v2/vehicle/partnerpay/querystate': defineRoute({
      protocol: 'v2',
      method: 'POST',
      path: '/vehicle/partnerpay/querystate',
      title: '查询车牌服务开通信息 (服务商)',
      request: object({
        appid: string(),
        mch_id: string(),
        sub_mch_id: string(),
        version: string(),
        sign_type: string(),
        trade_scene: string(),
        plate_number: optional(string()),
      }),
      response: anyObject(),
    }),
  },
});

const sandbox = await useSandbox();
beforeEach(() => sandbox.clearRequests());

/** 查询车牌服务开通信息 as the service provider, for one of its sub-merchants. */
function queryState(overrides: SandboxClientOverrides = {}) {
  const { provider } = merchantsOf(sandbox);
  return clientFor(sandbox, [v2Package], {
    merchant: provider,
    ...overrides,
  }).v2.vehicle.partnerpay.querystate({
    appid: provider.appId,
    mch_id: provider.mchId,
    sub_mch_id: provider.subMerchants![0]!.subMchId,
    version: '3.0',
    sign_type: 'HMAC-SHA256',
    trade_scene: 'PARKING',
    plate_number: sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')!
      .plate_number!,
  });
}

describe('clientFor', () => {
  it('signs APIv3 calls as the direct merchant and verifies answers with the public key', async () => {
    // In public-key mode the sandbox has no certificates to list: a signed 404, accepted Authorization.
    const error = await clientFor(sandbox, [v3Package])
      .v3.certificates({})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApiError', code: 'RESOURCE_NOT_EXISTS', signatureVerified: true });
    expect(sandbox.requests[0]?.headers.authorization).toContain(
      `mchid="${merchantsOf(sandbox).direct.mchId}"`,
    );
  });

  it('signs APIv2 calls with the key of the merchant it is given', async () => {
    const answer = await queryState();
    expect(answer.data).toMatchObject({ return_code: 'SUCCESS' });
  });

  it('takes overrides: a wrong APIv2 key is refused by the sandbox', async () => {
    const error = await queryState({ v2: { apiKey: 'x'.repeat(32) } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApiError', code: 'SIGNERROR' });
  });

  it('downloads certificates instead of trusting the public key when told to', async () => {
    sandbox.setKeyMode('certificate');
    try {
      const client = clientFor(sandbox, [v3Package], { v3: { certificates: 'download' } });
      const answer = await client.v3.certificates({});
      expect(answer.headers.get('wechatpay-serial')).not.toBe(sandbox.config.platform.publicKeyId);
    } finally {
      sandbox.setKeyMode('public-key');
    }
  });

  it('never fails over to a backup host', async () => {
    const client = clientFor(sandbox, [v3Package], { baseUrl: 'http://127.0.0.1:9' });
    await expect(client.v3.certificates({})).rejects.toMatchObject({ name: 'TransportError' });
    expect(sandbox.requests).toHaveLength(0);
  });
});
