import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxBrand, type SandboxMallMember, startSandbox } from '../../src/index.ts';
import { callV3, rfc3339MinutesAgo, type V3Merchant, v3MerchantsOf, verifyAnswer } from '../v3-helpers.ts';

let sandbox: Sandbox;
let direct: V3Merchant;
let provider: V3Merchant;
let brand: SandboxBrand;
beforeAll(async () => {
  sandbox = await startSandbox();
  ({ direct, provider } = v3MerchantsOf(sandbox));
  brand = sandbox.config.brands![0]!;
});
afterAll(() => sandbox.close());

function member(state: SandboxMallMember['authorize_state'], pending = false): SandboxMallMember {
  return sandbox.config.mallMembers!.find(
    (m) => m.authorize_state === state && (m.points_commit_status === 'PENDING') === pending,
  )!;
}

function parking(extra: Record<string, unknown> = {}) {
  return {
    brandid: brand.brandId,
    appid: brand.appId,
    openid: member('AUTHORIZED').openid,
    plate_number: '粤B12345',
    state: 'IN',
    time: rfc3339MinutesAgo(5),
    ...extra,
  };
}

describe('POST /v3/businesscircle/parkings (商圈会员停车状态同步)', () => {
  it('answers 204 with no body, signed over the empty body', async () => {
    const answer = await callV3(sandbox, direct, 'POST', '/v3/businesscircle/parkings', parking());
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(answer.headers.get('content-type')).toBeNull();
    await verifyAnswer(sandbox, answer);
    const out = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/businesscircle/parkings',
      parking({ state: 'OUT' }),
    );
    expect(out.status).toBe(204);
  });

  it.each([
    ['brandid sent as a string', { brandid: '1001' }, '/brandid'],
    ['a state other than IN or OUT', { state: 'INSIDE' }, '/state'],
    ['a plate without a province', { plate_number: 'B12345' }, '/plate_number'],
    ['a time without offset', { time: '2026-11-24T10:34:56' }, '/time'],
    ['an appid other than the brand’s', { appid: 'wx0000000000000000' }, '/appid'],
  ])('answers PARAM_ERROR for %s', async (_name, extra, field) => {
    const answer = await callV3(sandbox, direct, 'POST', '/v3/businesscircle/parkings', parking(extra));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field, location: 'body' } });
    await verifyAnswer(sandbox, answer);
  });

  it('answers 403 NO_AUTH for a brand the merchant does not serve, 400 for a member who did not authorise', async () => {
    const unknownBrand = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/businesscircle/parkings',
      parking({ brandid: 1 }),
    );
    expect(unknownBrand.status).toBe(403);
    expect(unknownBrand.json).toMatchObject({ code: 'NO_AUTH' });
    const deauthorized = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/businesscircle/parkings',
      parking({ openid: member('DEAUTHORIZED').openid }),
    );
    expect(deauthorized.status).toBe(400);
    expect(deauthorized.json).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('needs sub_mchid from a service provider', async () => {
    const answer = await callV3(sandbox, provider, 'POST', '/v3/businesscircle/parkings', parking());
    expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/sub_mchid' } });
    const sub = provider.subMerchants![0]!.subMchId;
    const ok = await callV3(
      sandbox,
      provider,
      'POST',
      '/v3/businesscircle/parkings',
      parking({ sub_mchid: sub }),
    );
    expect(ok.status).toBe(204);
  });
});

describe('POST /v3/businesscircle/points/notify (商圈积分同步) and commit_status', () => {
  it('answers 204, after which the member has no points pending', async () => {
    const pending = member('AUTHORIZED', true);
    const statusUrl = `/v3/businesscircle/users/${pending.openid}/points/commit_status?brandid=${brand.brandId}&appid=${brand.appId}`;
    const before = await callV3(sandbox, direct, 'GET', statusUrl);
    expect(before.status).toBe(200);
    expect(before.json).toEqual({ points_commit_status: 'PENDING' });
    await verifyAnswer(sandbox, before);

    const answer = await callV3(sandbox, direct, 'POST', '/v3/businesscircle/points/notify', {
      transaction_id: '4200000000202611240000000001',
      appid: brand.appId,
      openid: pending.openid,
      earn_points: true,
      increased_points: 100,
      points_update_time: rfc3339MinutesAgo(1),
      total_points: 1100,
    });
    expect(answer.status).toBe(204);
    await verifyAnswer(sandbox, answer);
    expect((await callV3(sandbox, direct, 'GET', statusUrl)).json).toEqual({
      points_commit_status: 'FINISHED',
    });
  });

  it('answers PARAM_ERROR for earn_points sent as a string and for a brandid that is not a number', async () => {
    const answer = await callV3(sandbox, direct, 'POST', '/v3/businesscircle/points/notify', {
      transaction_id: '4200000000202611240000000002',
      appid: brand.appId,
      openid: member('AUTHORIZED').openid,
      earn_points: 'true',
      increased_points: 100,
      points_update_time: rfc3339MinutesAgo(1),
    });
    expect(answer.json).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: '/earn_points', value: 'true' },
    });
    const status = await callV3(
      sandbox,
      direct,
      'GET',
      `/v3/businesscircle/users/${member('AUTHORIZED').openid}/points/commit_status?brandid=abc&appid=${brand.appId}`,
    );
    expect(status.json).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: 'brandid', location: 'query' },
    });
  });
});

describe('GET /v3/businesscircle/user-authorizations/{openid} (商圈积分授权查询)', () => {
  it('answers the member’s state, and UNAUTHORIZED for a shopper it does not know', async () => {
    const authorized = member('AUTHORIZED');
    const answer = await callV3(
      sandbox,
      direct,
      'GET',
      `/v3/businesscircle/user-authorizations/${authorized.openid}?appid=${brand.appId}`,
    );
    expect(answer.json).toEqual({
      openid: authorized.openid,
      authorize_state: 'AUTHORIZED',
      authorize_time: authorized.authorize_time,
    });
    await verifyAnswer(sandbox, answer);
    const gone = member('DEAUTHORIZED');
    const deauthorized = await callV3(
      sandbox,
      direct,
      'GET',
      `/v3/businesscircle/user-authorizations/${gone.openid}?appid=${brand.appId}`,
    );
    expect(deauthorized.json).toMatchObject({
      authorize_state: 'DEAUTHORIZED',
      deauthorize_time: gone.deauthorize_time,
    });
    const stranger = await callV3(
      sandbox,
      direct,
      'GET',
      `/v3/businesscircle/user-authorizations/oStranger?appid=${brand.appId}`,
    );
    expect(stranger.json).toEqual({ openid: 'oStranger', authorize_state: 'UNAUTHORIZED' });
  });

  it('answers PARAM_ERROR without appid, located in the query', async () => {
    const answer = await callV3(
      sandbox,
      direct,
      'GET',
      `/v3/businesscircle/user-authorizations/${member('AUTHORIZED').openid}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: 'appid', location: 'query', issue: '此字段为必填项' },
      message: '输入源“/query/appid”校验失败：此字段为必填项',
    });
  });
});
