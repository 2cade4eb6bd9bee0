import { ApiError, getNoticeKeys, SignatureError, ValidationError } from '@wxpark/core';
import { createTestV3Notice, testNoticeKeys } from '@wxpark/core/testing';
import { clientFor, listen, merchantsOf, useSandbox } from '@wxpark/test-utils';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  businesscircle,
  createMallNoticeHandler,
  type MallNotice,
  type NoContent,
  type ParkingStateSyncRequest,
} from '../src/index.ts';

const sandbox = await useSandbox();
beforeEach(() => {
  sandbox.clearRequests();
  sandbox.setKeyMode('public-key');
});

function merchant() {
  return merchantsOf(sandbox).direct;
}
function client() {
  return clientFor(sandbox, [businesscircle]);
}
function member(state = 'AUTHORIZED') {
  return sandbox.config.mallMembers!.find((m) => m.authorize_state === state)!;
}
function sync(extra: Partial<ParkingStateSyncRequest> = {}): ParkingStateSyncRequest {
  const brand = sandbox.config.brands![0]!;
  return {
    brandid: brand.brandId,
    appid: brand.appId,
    openid: member().openid,
    plate_number: '粤B888888',
    state: 'IN',
    time: '2026-11-24T10:30:00+08:00',
    ...extra,
  };
}

describe('商圈会员停车状态同步', () => {
  it('answers the 204 as a typed empty result, verified, in every call style', async () => {
    const c = client();
    const answers = [
      await c.v3.businesscircle.parkings(sync()),
      await c.v3.businesscircle.parkings.post(sync({ state: 'OUT' })),
      await c.chain('v3/businesscircle/parkings').post(sync()),
      await c['v3/businesscircle/parkings'].post(sync({ state: 'OUT' })),
    ];
    for (const answer of answers) {
      expectTypeOf(answer.data).toEqualTypeOf<NoContent>();
      expect(answer.status).toBe(204);
      expect(answer.data).toEqual({});
      expect(answer.headers.get('wechatpay-signature')).toBeTruthy();
    }
    expect(sandbox.requests).toHaveLength(4);
  });

  it('writes a Date in China time with its +08:00 offset', async () => {
    await client().v3.businesscircle.parkings(sync({ time: new Date('2026-11-24T02:30:05Z') }));
    expect(JSON.parse(sandbox.requests[0]!.body).time).toBe('2026-11-24T10:30:05+08:00');
  });

  it.each([
    ['state', { state: 'ENTER' }],
    ['brandid', { brandid: '1000' }],
    ['time', { time: '2026-11-24T10:30:00' }],
    ['time', { time: '2026-11-24 10:30:00+08:00' }],
    ['plate_number', { plate_number: 'B888888' }],
    ['sub_mchid', { sub_mchid: 'abc' }],
    ['openid', { openid: 'o'.repeat(65) }],
    ['time', { time: '2026-02-30T10:30:00+08:00' }],
  ])('refuses a bad %s before any I/O', async (field, bad) => {
    const error = await client()
      .v3.businesscircle.parkings({ ...sync(), ...(bad as object) } as ParkingStateSyncRequest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('turns WeChat’s refusal for a member who withdrew authorisation into an ApiError', async () => {
    const error = await client()
      .v3.businesscircle.parkings(sync({ openid: member('DEAUTHORIZED').openid }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).requestId).toBeTruthy();
  });

  it('verifies a 204 too: an unsigned or probe 204 is an error', async () => {
    for (const [mode, code] of [
      ['no-sign', 'MISSING_HEADER'],
      ['signtest', 'SIGNATURE_PROBE'],
    ] as const) {
      sandbox.setHostile(mode);
      const error = await client()
        .v3.businesscircle.parkings(sync())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SignatureError);
      expect((error as SignatureError).code).toBe(code);
    }
  });
});

describe('the rest of the business-circle family', () => {
  it('syncs points, and queries authorisation and pending points by openid in the path', async () => {
    const c = client();
    const brand = sandbox.config.brands![0]!;
    const points = await c.v3.businesscircle.points.notify({
      transaction_id: '4200000000000000000000000001',
      appid: brand.appId,
      openid: member().openid,
      earn_points: true,
      increased_points: 100,
      points_update_time: new Date(),
      total_points: 1100,
    });
    expect(points.status).toBe(204);

    const openid = member().openid;
    const auth = await c
      .chain('v3/businesscircle/user-authorizations/{openid}')
      .get({ openid, appid: brand.appId });
    expect(auth.data.authorize_state).toBe('AUTHORIZED');
    expect(sandbox.requests.at(-1)!.path).toBe(
      `/v3/businesscircle/user-authorizations/${openid}?appid=${brand.appId}`,
    );
    const pending = sandbox.config.mallMembers!.find((m) => m.points_commit_status)!;
    const status = await c['v3/businesscircle/users/{openid}/points/commit_status'].get({
      openid: pending.openid,
      brandid: brand.brandId,
      appid: brand.appId,
    });
    expect(status.data.points_commit_status).toBe(pending.points_commit_status);
  });

  it('refuses a signed authorisation answer without authorize_state as UNEXPECTED_RESPONSE', async () => {
    const brand = sandbox.config.brands![0]!;
    sandbox.overrideNextAnswer({
      path: '/v3/businesscircle/user-authorizations/{openid}',
      omit: ['authorize_state'],
    });
    const error = await client()
      .v3.businesscircle['user-authorizations']['{openid}']({ openid: member().openid, appid: brand.appId })
      .catch((e: unknown) => e);
    expect(ApiError.isInstance(error)).toBe(true);
    expect((error as ApiError).code).toBe('UNEXPECTED_RESPONSE');
    expect((error as ApiError).requestId).toMatch(/\S/);
    expect((error as ApiError).message).toMatch(/reached WeChat Pay.*authorize_state must be present/);
  });

  it('refuses a path parameter that would change the path, before any I/O', async () => {
    const error = await client()
      .v3.businesscircle['user-authorizations']['{openid}']({ openid: '..', appid: 'wx1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('openid');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses paths from packages that were not composed, at compile time and at run time', () => {
    const c = client();
    // @ts-expect-error: the parking-v3 package was not composed
    expect(() => c.chain('v3/parking/reminders/entry')).toThrow(ValidationError);
    // @ts-expect-error: no such route
    expect(c.v3.parking).toBeUndefined();
  });
});

describe('business-circle callbacks', () => {
  it('verifies and decrypts a MALL_TRANSACTION.SUCCESS through the Fetch handler', async () => {
    const notices: MallNotice[] = [];
    const handler = createMallNoticeHandler({
      ...getNoticeKeys(client()),
      onNotice: (n) => void notices.push(n),
    });
    const server = await listen(async (req, res) => {
      const body = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
      });
      const headers = new Headers(req.headers as Record<string, string>);
      const answer = await handler.fetch(
        new Request('http://mall.test/notify', { method: 'POST', headers, body }),
      );
      res.writeHead(answer.status).end(await answer.text());
    });
    const url = `${server.url}/notify`;
    const resource = {
      mchid: merchant().mchId,
      merchant_name: '商户',
      shop_name: '一楼咖啡',
      shop_number: 'S01',
      appid: sandbox.config.brands![0]!.appId,
      openid: member().openid,
      time_end: '2026-11-24T10:30:00+08:00',
      amount: 3800,
      transaction_id: '4200000000000000000000000002',
    };
    const delivery = await sandbox.sendV3Notice({ url, event_type: 'MALL_TRANSACTION.SUCCESS', resource });
    expect(delivery.status).toBe(204);
    expect(notices).toHaveLength(1);
    const notice = notices[0]!;
    expect(notice.event_type).toBe('MALL_TRANSACTION.SUCCESS');
    if (notice.event_type === 'MALL_TRANSACTION.SUCCESS') expect(notice.resource.amount).toBe(3800);
    const forged = await fetch(url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.envelope.replace('}', ' }'),
    });
    expect(forged.status).toBe(401);
    expect(notices).toHaveLength(1);
  });

  it('accepts a notice made by createTestV3Notice, and refuses a parking event type it does not declare', async () => {
    const keys = testNoticeKeys();
    const notices: MallNotice[] = [];
    const errors: unknown[] = [];
    const handler = createMallNoticeHandler({
      verifier: keys.verifier,
      apiV3Key: keys.apiV3Key,
      onNotice: (n) => void notices.push(n),
      onError: (error) => errors.push(error),
    });
    const card = createTestV3Notice({
      event_type: 'MALL_AUTH.ACTIVATE_CARD',
      resource: { openid: 'o1', code: 'c1', mchid: '1900000100', auth_type: 'REGISTERED_MODE' },
    });
    const accepted = await handler.fetch(new Request('http://mall.test/notify', { method: 'POST', ...card }));
    expect(accepted.status).toBe(204);
    expect(notices.map((n) => n.id)).toEqual([card.id]);
    const parking = createTestV3Notice({
      event_type: 'TRANSACTION.SUCCESS',
      resource: { out_trade_no: 'T1' },
    });
    const refused = await handler.fetch(
      new Request('http://mall.test/notify', { method: 'POST', ...parking }),
    );
    expect(refused.status).toBe(500);
    expect(notices).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ code: 'UNDECLARED_NOTICE' })]);
  });
});
