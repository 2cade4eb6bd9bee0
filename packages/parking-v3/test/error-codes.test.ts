import { ApiError, type RouteErrorCode, routeError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { parkingV3 } from '../src/index.ts';
import { lotIdOf, parkingEntry, v3Client } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

const refunds = parkingV3.routes['v3/refund/domestic/refunds'];
const request = {
  out_trade_no: 'T-ERR-1',
  out_refund_no: 'R-ERR-1',
  amount: { refund: 1, total: 1, currency: 'CNY' as const },
};

describe('known error codes per route', () => {
  it('types a documented code on the route’s ApiError and gives its hint', async () => {
    sandbox.failNext({ path: '/v3/refund/domestic/refunds', status: 403, code: 'NOT_ENOUGH' });
    const error = await v3Client(sandbox)
      .v3.refund.domestic.refunds(request)
      .catch((e: unknown) => e);
    const failure = routeError(refunds, error);
    expect(failure?.code).toBe('NOT_ENOUGH');
    expect(failure?.hint).toMatch(/top up/);
    expect(failure?.isRetryable).toBe(false);
    expectTypeOf<'NOT_ENOUGH'>().toExtend<RouteErrorCode<typeof refunds>>();
    expectTypeOf<'ORDER_NOT_EXIST'>().not.toExtend<RouteErrorCode<typeof refunds>>();
    // Another route's failure is not this one's.
    expect(routeError(parkingV3.routes['v3/vehicle/transactions/parking'], error)).toBeUndefined();
  });

  it('keeps a code the documents do not list as a plain string, with no invented hint', async () => {
    sandbox.failNext({ path: '/v3/refund/domestic/refunds', status: 400, code: 'SOMETHING_NEW' });
    const error = await v3Client(sandbox)
      .v3.refund.domestic.refunds(request)
      .catch((e: unknown) => e);
    const failure = routeError(refunds, error);
    expect(failure?.code).toBe('SOMETHING_NEW');
    expect(failure?.hint).toBeUndefined();
  });

  it('marks the documented retryable codes retryable (SYSTEM_ERROR, FREQUENCY_LIMITED)', async () => {
    sandbox.failNext({
      path: '/v3/vehicle/transactions/out-trade-no/{out_trade_no}',
      status: 429,
      code: 'FREQUENCY_LIMITED',
    });
    const error = await v3Client(sandbox, {}, { retry: { limit: 0 } })
      .v3.vehicle.transactions['out-trade-no']['{out_trade_no}']({ out_trade_no: 'T-ERR-2' })
      .catch((e: unknown) => e);
    expect(ApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'FREQUENCY_LIMITED', isRetryable: true });
    expect((error as ApiError).hint).toMatch(/slow down/);
  });
});

describe('停车缴费服务 routes list the documented codes too', () => {
  const entry = parkingV3.routes['v3/parking/reminders/entry'];

  it('every route of the package has an error table', () => {
    const empty = Object.entries(parkingV3.routes)
      .filter(([, route]) => Object.keys(route.errors ?? {}).length === 0)
      .map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it('types a documented code of 同步车辆入场通知 (NO_AUTH) with its hint, not retryable', async () => {
    sandbox.failNext({ path: '/v3/parking/reminders/entry', status: 403, code: 'NO_AUTH' });
    const error = await v3Client(sandbox)
      .v3.parking.reminders.entry(parkingEntry(lotIdOf(sandbox)))
      .catch((e: unknown) => e);
    const failure = routeError(entry, error);
    expect(failure?.code).toBe('NO_AUTH');
    expect(failure?.hint).toMatch(/停车缴费服务/);
    expect(failure?.isRetryable).toBe(false);
    expectTypeOf<'NO_AUTH' | 'SYSTEM_ERROR' | 'INVALID_REQUEST'>().toExtend<RouteErrorCode<typeof entry>>();
    expectTypeOf<'NOT_ENOUGH'>().not.toExtend<RouteErrorCode<typeof entry>>();
  });

  it('keeps an unknown code of 同步车辆入场通知 a plain string without a hint', async () => {
    sandbox.failNext({ path: '/v3/parking/reminders/entry', status: 400, code: 'LOT_OFFLINE_SOMEDAY' });
    const error = await v3Client(sandbox)
      .v3.parking.reminders.entry(parkingEntry(lotIdOf(sandbox)))
      .catch((e: unknown) => e);
    const failure = routeError(entry, error);
    expect(failure?.code).toBe('LOT_OFFLINE_SOMEDAY');
    expect(failure?.hint).toBeUndefined();
    // The code's type still takes any string WeChat may add.
    expectTypeOf<'LOT_OFFLINE_SOMEDAY'>().toExtend<NonNullable<typeof failure>['code']>();
  });

  it('lists RESOURCE_NOT_EXISTS on the lot queries only', () => {
    expect(parkingV3.routes['v3/parking/reminders/parking-lot'].errors).toHaveProperty('RESOURCE_NOT_EXISTS');
    expect(entry.errors).not.toHaveProperty('RESOURCE_NOT_EXISTS');
  });
});
