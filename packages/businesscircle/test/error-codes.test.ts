import { type RouteErrorCode, routeError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { clientFor } from '@wxpark/test-utils';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { businesscircle } from '../src/index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

const parkings = businesscircle.routes['v3/businesscircle/parkings'];

function sync(retry?: { limit: number }) {
  const brand = sandbox.config.brands![0]!;
  const member = sandbox.config.mallMembers!.find((m) => m.authorize_state === 'AUTHORIZED')!;
  return clientFor(sandbox, [businesscircle], retry ? { retry } : {}).v3.businesscircle.parkings({
    brandid: brand.brandId,
    appid: brand.appId,
    openid: member.openid,
    plate_number: '粤B888888',
    state: 'IN',
    time: new Date(),
  });
}

describe('known error codes of the 智慧商圈 routes', () => {
  it('every route of the package has an error table', () => {
    const empty = Object.entries(businesscircle.routes)
      .filter(([, route]) => Object.keys(route.errors ?? {}).length === 0)
      .map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it('types a documented code (NO_AUTH) on 商圈会员停车状态同步 with its hint, not retryable', async () => {
    sandbox.failNext({ path: '/v3/businesscircle/parkings', status: 403, code: 'NO_AUTH' });
    const error = await sync().catch((e: unknown) => e);
    const failure = routeError(parkings, error);
    expect(failure?.code).toBe('NO_AUTH');
    expect(failure?.hint).toMatch(/brand/);
    expect(failure?.isRetryable).toBe(false);
    expectTypeOf<'NO_AUTH' | 'PARAM_ERROR' | 'SYSTEM_ERROR'>().toExtend<RouteErrorCode<typeof parkings>>();
    expectTypeOf<'RESOURCE_NOT_EXISTS'>().not.toExtend<RouteErrorCode<typeof parkings>>();
  });

  it('marks SYSTEM_ERROR retryable', async () => {
    sandbox.failNext({ path: '/v3/businesscircle/parkings', status: 500, code: 'SYSTEM_ERROR' });
    const error = await sync({ limit: 0 }).catch((e: unknown) => e);
    expect(routeError(parkings, error)).toMatchObject({ code: 'SYSTEM_ERROR', isRetryable: true });
  });

  it('keeps an unknown code a plain string without a hint', async () => {
    sandbox.failNext({ path: '/v3/businesscircle/parkings', status: 400, code: 'BRAND_SOMETHING_NEW' });
    const failure = routeError(parkings, await sync().catch((e: unknown) => e));
    expect(failure?.code).toBe('BRAND_SOMETHING_NEW');
    expect(failure?.hint).toBeUndefined();
    expectTypeOf<'BRAND_SOMETHING_NEW'>().toExtend<NonNullable<typeof failure>['code']>();
  });
});
