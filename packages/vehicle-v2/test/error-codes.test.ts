import { createClient, type RouteErrorCode, routeError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { vehicleV2 } from '../src/index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

const queryOrder = vehicleV2.routes['v2/transit/queryorder'];

describe('known APIv2 error codes per route', () => {
  it('every route of the package has an error table', () => {
    const empty = Object.entries(vehicleV2.routes)
      .filter(([, route]) => Object.keys(route.errors ?? {}).length === 0)
      .map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it('types ORDERNOTEXIST on 查询订单 and says the deduction may be sent again', async () => {
    const m = sandbox.config.merchants.find((x) => !x.subMerchants?.length)!;
    const client = createClient(
      {
        mchId: m.mchId,
        appId: m.appId,
        v2: { apiKey: m.v2ApiKey },
        baseUrl: sandbox.url,
        backupBaseUrls: [],
      },
      [vehicleV2],
    );
    const error = await client.v2.transit
      .queryorder({ appid: m.appId, mch_id: m.mchId, out_trade_no: 'NO-SUCH-ORDER' })
      .catch((e: unknown) => e);
    const failure = routeError(queryOrder, error);
    expect(failure).toMatchObject({ code: 'ORDERNOTEXIST', signatureVerified: true, isRetryable: false });
    expect(failure?.hint).toMatch(/never arrived/);
    expect(failure?.message).toMatch(/hint:/);
    expectTypeOf<'ORDERNOTEXIST' | 'SYSTEMERROR'>().toExtend<RouteErrorCode<typeof queryOrder>>();
    expect(vehicleV2.routes['v2/secapi/pay/refund'].errors?.BIZERR_NEED_RETRY.retryable).toBe(true);
  });

  it('keeps an err_code the documents do not list a plain string, without a hint', async () => {
    const m = sandbox.config.merchants.find((x) => !x.subMerchants?.length)!;
    const client = createClient(
      {
        mchId: m.mchId,
        appId: m.appId,
        v2: { apiKey: m.v2ApiKey },
        baseUrl: sandbox.url,
        backupBaseUrls: [],
      },
      [vehicleV2],
    );
    // A signed FAIL answer with a code no page lists (the override turns a success into it).
    const queryState = vehicleV2.routes['v2/vehicle/pay/querystate'];
    const user = sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')!;
    sandbox.overrideNextAnswer({
      path: '/vehicle/pay/querystate',
      set: { result_code: 'FAIL', err_code: 'SOMETHING_NEW', err_code_des: '新的错误' },
    });
    const error = await client.v2.vehicle.pay
      .querystate({
        appid: m.appId,
        mch_id: m.mchId,
        trade_scene: 'PARKING',
        plate_number: user.plate_number!,
      })
      .catch((e: unknown) => e);
    const failure = routeError(queryState, error);
    expect(failure).toMatchObject({ code: 'SOMETHING_NEW', signatureVerified: true });
    expect(failure?.hint).toBeUndefined();
    expectTypeOf<'SOMETHING_NEW'>().toExtend<NonNullable<typeof failure>['code']>();
    expectTypeOf<'SOMETHING_NEW'>().not.toExtend<RouteErrorCode<typeof queryState>>();
  });
});
