import { ApiError, queryUntilKnown, TransportError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideRelease, type ParkingTransaction } from '../src/index.ts';
import { merchantOf, v3Client } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

function owner() {
  return sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number && u.openid)!;
}

let sequence = 0;
async function deduction(client: ReturnType<typeof v3Client>) {
  const user = owner();
  const start = new Date(Date.now() - 30 * 60_000);
  const n = `${Date.now()}${sequence++}`;
  const parking = await client.v3.vehicle.parking.parkings({
    out_parking_no: `OP${n}`,
    plate_number: user.plate_number!,
    plate_color: 'BLUE',
    notify_url: 'http://127.0.0.1:9/unused',
    start_time: start,
    parking_name: 'P',
    free_duration: 0,
  });
  return {
    appid: merchantOf(sandbox).appId,
    description: '停车费',
    out_trade_no: `OT${n}`,
    trade_scene: 'PARKING' as const,
    notify_url: 'http://127.0.0.1:9/unused',
    amount: { total: 500 },
    parking_info: {
      parking_id: parking.data.id,
      plate_number: user.plate_number!,
      plate_color: 'BLUE' as const,
      start_time: start,
      end_time: new Date(Date.now() - 1000),
      parking_name: 'P',
      charging_duration: 1800,
      device_id: 'GATE-01',
    },
  };
}

const transaction = (trade_state: string) => ({ trade_state }) as ParkingTransaction;

describe('decideRelease: the car leaves only on ACCEPTED or SUCCESS', () => {
  it('releases on ACCEPTED and SUCCESS, holds on PAY_FAIL, REFUND and states it does not know', () => {
    expect(decideRelease(transaction('ACCEPTED')).action).toBe('release');
    expect(decideRelease({ data: transaction('SUCCESS') }).action).toBe('release');
    expect(decideRelease(transaction('PAY_FAIL'))).toMatchObject({ action: 'hold', tradeState: 'PAY_FAIL' });
    expect(decideRelease(transaction('REFUND')).action).toBe('hold');
    expect(decideRelease(transaction('SOMETHING_NEW')).reason).toMatch(/SOMETHING_NEW/);
  });

  it('releases on the verified answer of 扣费受理 from the sandbox', async () => {
    const client = v3Client(sandbox);
    const answer = await client.v3.vehicle.transactions.parking(await deduction(client));
    expect(decideRelease(answer)).toMatchObject({ action: 'release', tradeState: 'ACCEPTED' });
  });

  it('holds on a verified refusal, with WeChat’s reason', async () => {
    const client = v3Client(sandbox);
    const order = await deduction(client);
    const refused = await client.v3.vehicle.transactions
      .parking({ ...order, parking_info: { ...order.parking_info, parking_id: 'NO-SUCH-ENTRY' } })
      .catch((e: unknown) => e);
    const decision = decideRelease(refused);
    expect(decision.action).toBe('hold');
    expect(decision.reason).toMatch(/INVALID_REQUEST/);
  });

  it('asks to query again when the answer of 扣费受理 fails verification or cannot be read: the order may stand', async () => {
    const client = v3Client(sandbox);
    const order = await deduction(client);
    sandbox.setHostile('bad-sign');
    const forged = await client.v3.vehicle.transactions.parking(order).catch((e: unknown) => e);
    expect(decideRelease(forged)).toMatchObject({ action: 'query-again', reason: /verification/ });
    const second = await deduction(client);
    sandbox.setHostile('garbage');
    const unreadable = await client.v3.vehicle.transactions.parking(second).catch((e: unknown) => e);
    expect(decideRelease(unreadable).action).toBe('query-again');
  });

  it('asks to query again on an unverified or retryable failure, never releases on one', () => {
    const unsigned = new ApiError({
      code: 'SYSTEM_ERROR',
      message: 'x',
      status: 500,
      protocol: 'v3',
      method: 'POST',
      path: '/v3/vehicle/transactions/parking',
      signatureVerified: false,
      isRetryable: true,
    });
    expect(decideRelease(unsigned).action).toBe('query-again');
    const timeout = new TransportError({
      code: 'TIMEOUT',
      message: 't',
      method: 'POST',
      path: '/p',
      attempts: [],
    });
    expect(decideRelease(timeout).action).toBe('query-again');
  });
});

describe('after a timeout on 扣费受理: query by out_trade_no instead of resending', () => {
  it('finds the order a timed-out 扣费受理 created, and the decision releases the car', async () => {
    const client = v3Client(sandbox, {}, { timeout: 300 });
    const order = await deduction(client);
    sandbox.setHostile('slow', { delayMs: 2000 });
    const failure = await client.v3.vehicle.transactions.parking(order).catch((e: unknown) => e);
    expect(TransportError.isInstance(failure)).toBe(true);
    expect(decideRelease(failure).action).toBe('query-again');

    // The first query is dropped by the host: the helper queries again after its backoff.
    sandbox.setHostile('drop');
    const known = await queryUntilKnown(
      () =>
        client.v3.vehicle.transactions['out-trade-no']['{out_trade_no}']({
          out_trade_no: order.out_trade_no,
        }),
      { delayMs: 50 },
    );
    expect(known.outcome).toBe('found');
    expect(decideRelease(known).action).toBe('release');
    const posts = sandbox.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v3/vehicle/transactions/parking',
    );
    expect(posts.filter((r) => r.body.includes(order.out_trade_no))).toHaveLength(1);
  });

  it('reports absent when WeChat never received the order, and the decision says send it again', async () => {
    const client = v3Client(sandbox);
    const known = await queryUntilKnown(
      () =>
        client.v3.vehicle.transactions['out-trade-no']['{out_trade_no}']({ out_trade_no: 'NEVER-SENT-1' }),
      { delayMs: 10 },
    );
    expect(known.outcome).toBe('absent');
    expect(decideRelease(known)).toMatchObject({ action: 'hold' });
    expect(decideRelease(known).reason).toMatch(/send it again with the same out_trade_no/);
  });

  it('gives up as unknown after its bounded attempts when the host keeps failing', async () => {
    const client = v3Client(sandbox, {}, { retry: { limit: 0 } });
    sandbox.setHostile('drop', { count: 3 });
    const started = Date.now();
    const known = await queryUntilKnown(
      () => client.v3.vehicle.transactions['out-trade-no']['{out_trade_no}']({ out_trade_no: 'X1' }),
      { attempts: 3, delayMs: 20 },
    );
    expect(known.outcome).toBe('unknown');
    expect(decideRelease(known).action).toBe('query-again');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
