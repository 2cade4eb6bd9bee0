import { createAuthorization, createRsaSigner } from '@wxpark/signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.ts';
import { cachedKeyPair, privatePem } from '../../src/keys/keys.ts';
import { callV3, v3MerchantsOf, verifyAnswer } from '../v3-helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

function query() {
  const { direct } = v3MerchantsOf(sandbox);
  const member = sandbox.config.mallMembers![0]!;
  const brand = sandbox.config.brands![0]!;
  return { direct, url: `/v3/businesscircle/user-authorizations/${member.openid}?appid=${brand.appId}` };
}

function expectSignError(
  answer: { status: number; json: Record<string, unknown> | undefined },
  message: RegExp,
) {
  expect(answer.status).toBe(401);
  expect(answer.json).toMatchObject({ code: 'SIGN_ERROR' });
  expect(answer.json!.message).toMatch(message);
}

describe('APIv3 Authorization', () => {
  it('accepts a request signed with the merchant key over the exact path, query and body', async () => {
    const { direct, url } = query();
    const answer = await callV3(sandbox, direct, 'GET', url);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ authorize_state: 'AUTHORIZED' });
    await verifyAnswer(sandbox, answer);
  });

  it('refuses a request without Authorization, with a signed 401 SIGN_ERROR', async () => {
    const { direct, url } = query();
    const answer = await callV3(sandbox, direct, 'GET', url, undefined, { authorization: null });
    expectSignError(answer, /Authorization/);
    expect(answer.headers.get('request-id')).toMatch(/^08[0-9A-F]{44}$/);
    await verifyAnswer(sandbox, answer);
  });

  it('refuses another scheme and a header it cannot read', async () => {
    const { direct, url } = query();
    const bearer = await callV3(sandbox, direct, 'GET', url, undefined, { authorization: 'Bearer abc' });
    expectSignError(bearer, /认证类型不正确/);
    const garbled = await callV3(sandbox, direct, 'GET', url, undefined, {
      authorization: 'WECHATPAY2-SHA256-RSA2048 mchid=1900000109',
    });
    expectSignError(garbled, /格式错误/);
  });

  it('refuses a signature made with a key other than the merchant’s (forged)', async () => {
    const { direct, url } = query();
    const forged = await callV3(sandbox, direct, 'GET', url, undefined, {
      privateKey: privatePem(cachedKeyPair('stranger')),
    });
    expectSignError(forged, /错误的签名/);
  });

  it('refuses a request whose body or query differs from what was signed', async () => {
    const { direct, url } = query();
    const authorization = await createAuthorization({
      mchId: direct.mchId,
      serialNo: direct.v3.serialNo,
      signer: createRsaSigner(direct.v3.privateKey),
      method: 'GET',
      url: url.replace(/\?.*/, ''),
    });
    expectSignError(await callV3(sandbox, direct, 'GET', url, undefined, { authorization }), /错误的签名/);

    const body = { out_serial_number: 'A1', plate_number: '粤B12345' };
    const signedFor = await createAuthorization({
      mchId: direct.mchId,
      serialNo: direct.v3.serialNo,
      signer: createRsaSigner(direct.v3.privateKey),
      method: 'POST',
      url: '/v3/parking/reminders/parking-fee',
      body: JSON.stringify(body),
    });
    const tampered = await callV3(sandbox, direct, 'POST', '/v3/parking/reminders/parking-fee', undefined, {
      authorization: signedFor,
      rawBody: JSON.stringify({ ...body, plate_number: '粤B99999' }),
    });
    expectSignError(tampered, /错误的签名/);
  });

  it('refuses a timestamp more than 5 minutes off, either way, and accepts one just inside', async () => {
    const { direct, url } = query();
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 310, now + 310]) {
      const answer = await callV3(sandbox, direct, 'GET', url, undefined, { timestamp });
      expectSignError(answer, /5分钟/);
    }
    expect((await callV3(sandbox, direct, 'GET', url, undefined, { timestamp: now - 280 })).status).toBe(200);
  });

  it('refuses an unknown mchid and a serial_no that is not the merchant’s certificate', async () => {
    const { direct, url } = query();
    expectSignError(await callV3(sandbox, direct, 'GET', url, undefined, { mchId: '1234567890' }), /商户号/);
    expectSignError(
      await callV3(sandbox, direct, 'GET', url, undefined, {
        serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      }),
      /序列号有误/,
    );
  });

  it('refuses one merchant’s signature under another merchant’s mchid', async () => {
    const { direct, provider } = v3MerchantsOf(sandbox);
    const answer = await callV3(sandbox, direct, 'GET', '/v3/certificates', undefined, {
      mchId: provider.mchId,
      serialNo: provider.v3.serialNo,
    });
    expectSignError(answer, /错误的签名/);
  });

  it('answers an unknown APIv3 path with a signed 404 NOT_FOUND', async () => {
    const { direct } = query();
    const answer = await callV3(sandbox, direct, 'GET', '/v3/parking/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ code: 'NOT_FOUND' });
    await verifyAnswer(sandbox, answer);
  });
});
