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
});
