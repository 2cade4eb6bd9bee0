import { createClient, queryUntilKnown, TransportError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decidePayApplyRelease, type TransitQueryOrderResponse, vehicleV2 } from '../src/index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

function direct() {
  return sandbox.config.merchants.find((m) => !m.subMerchants?.length)!;
}

function client(timeout = 10_000) {
  const m = direct();
  return createClient(
    {
      mchId: m.mchId,
      appId: m.appId,
      v2: { apiKey: m.v2ApiKey },
      baseUrl: sandbox.url,
      backupBaseUrls: [],
      timeout,
    },
    [vehicleV2],
  );
}

let sequence = 0;
function order(plate_number: string) {
  const m = direct();
  return {
    appid: m.appId,
    mch_id: m.mchId,
    body: '停车费',
    out_trade_no: `R${Date.now()}${sequence++}`,
    total_fee: 600,
    spbill_create_ip: '127.0.0.1',
    notify_url: 'http://127.0.0.1:9/unused',
    trade_scene: 'PARKING' as const,
    scene_info: {
      start_time: new Date(Date.now() - 3_600_000),
      end_time: new Date(),
      charging_time: '3600',
      plate_number,
      parking_name: 'P',
      deduct_mode: 'AUTOPAY' as const,
      support_deduct_mode: 'DEDUCT_ALL' as const,
    },
  };
}

const queried = (trade_state: string) => ({ trade_state }) as TransitQueryOrderResponse;

describe('decidePayApplyRelease: the car leaves on a SUCCESS result', () => {
  it('releases on SUCCESS, asks again while ACCEPT, USERPAYING or NOTPAY, holds on the failed states', () => {
    expect(decidePayApplyRelease(queried('SUCCESS'))).toMatchObject({
      action: 'release',
      tradeState: 'SUCCESS',
    });
    for (const state of ['ACCEPT', 'USERPAYING', 'NOTPAY'])
      expect(decidePayApplyRelease({ data: queried(state) })).toMatchObject({
        action: 'query-again',
        tradeState: state,
      });
    for (const state of ['PAY_FAIL', 'PAYERROR', 'CLOSED', 'REVOKED', 'REFUND'])
      expect(decidePayApplyRelease(queried(state))).toMatchObject({ action: 'hold', tradeState: state });
    expect(decidePayApplyRelease(queried('SOMETHING_NEW'))).toMatchObject({
      action: 'hold',
      reason: expect.stringMatching(/SOMETHING_NEW/),
    });
  });

  it('releases an ACCEPT order only when the merchant has advance funding', () => {
    expect(decidePayApplyRelease(queried('ACCEPT'), { advanceFunding: true }).action).toBe('release');
    expect(decidePayApplyRelease(queried('ACCEPT')).action).toBe('query-again');
  });

  it('reads a 扣费结果通知: SUCCESS releases, PAY_FAIL and result_code FAIL hold', () => {
    const notice = { return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: 'X1' };
    expect(decidePayApplyRelease({ ...notice, trade_state: 'SUCCESS' }).action).toBe('release');
    expect(decidePayApplyRelease({ ...notice, trade_state: 'PAY_FAIL' }).action).toBe('hold');
    expect(
      decidePayApplyRelease({
        ...notice,
        result_code: 'FAIL',
        err_code: 'NOTENOUGH',
        err_code_des: '余额不足',
      }),
    ).toMatchObject({ action: 'hold', reason: expect.stringMatching(/NOTENOUGH 余额不足/) });
  });

  it('treats an unknown input as hold: nothing unverified opens the gate', () => {
    expect(decidePayApplyRelease(undefined).action).toBe('hold');
    expect(decidePayApplyRelease('SUCCESS').action).toBe('hold');
    expect(decidePayApplyRelease({ trade_state: 42 }).action).toBe('hold');
  });
});

describe('decidePayApplyRelease on real answers from the sandbox', () => {
  it('asks again after an acceptance, then releases on the query that says SUCCESS', async () => {
    const user = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!;
    const request = order(user.plate_number!);
    const accepted = await client().v2.vehicle.pay.payapply(request);
    expect(decidePayApplyRelease(accepted)).toMatchObject({
      action: 'query-again',
      reason: expect.stringMatching(/accepted/),
    });
    expect(decidePayApplyRelease(accepted, { advanceFunding: true }).action).toBe('release');
    const m = direct();
    await expect
      .poll(async () => {
        const known = await queryUntilKnown(() =>
          client().v2.transit.queryorder({
            appid: m.appId,
            mch_id: m.mchId,
            out_trade_no: request.out_trade_no,
          }),
        );
        return decidePayApplyRelease(known);
      })
      .toMatchObject({ action: 'release', tradeState: 'SUCCESS' });
  });

  it('holds a car whose owner is in arrears, with WeChat Pay’s verified reason', async () => {
    const blocked = sandbox.config.vehicleUsers.find((u) => u.user_state === 'BLOCK' && u.plate_number)!;
    const refused = await client()
      .v2.vehicle.pay.payapply(order(blocked.plate_number!))
      .catch((e: unknown) => e);
    expect(decidePayApplyRelease(refused)).toMatchObject({
      action: 'hold',
      reason: expect.stringMatching(/INVALID_REQUEST/),
    });
  });

  it('asks again after a timeout, an unverified answer and an unreadable one, never releasing on them', async () => {
    const user = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!;
    sandbox.setHostile('slow', { delayMs: 1500 });
    const timedOut = await client(300)
      .v2.vehicle.pay.payapply(order(user.plate_number!))
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(timedOut)).toBe(true);
    expect(decidePayApplyRelease(timedOut)).toMatchObject({ action: 'query-again', reason: /TIMEOUT/ });
    sandbox.setHostile('bad-sign');
    const forged = await client()
      .v2.vehicle.pay.payapply(order(user.plate_number!))
      .catch((e: unknown) => e);
    expect(decidePayApplyRelease(forged)).toMatchObject({ action: 'query-again', reason: /verification/ });
    sandbox.setHostile('garbage');
    const unreadable = await client()
      .v2.vehicle.pay.payapply(order(user.plate_number!))
      .catch((e: unknown) => e);
    expect(decidePayApplyRelease(unreadable)).toMatchObject({
      action: 'query-again',
      reason: /could not be read/,
    });
  });

  it('holds on a verified ORDERNOTEXIST, saying 申请扣款 may be sent again with the same out_trade_no', async () => {
    const m = direct();
    const known = await queryUntilKnown(
      () => client().v2.transit.queryorder({ appid: m.appId, mch_id: m.mchId, out_trade_no: 'NEVER-SENT-R' }),
      { delayMs: 10 },
    );
    expect(decidePayApplyRelease(known)).toMatchObject({ action: 'hold', reason: /same out_trade_no/ });
    expect(decidePayApplyRelease({ outcome: 'unknown', error: new Error('x') }).action).toBe('query-again');
  });
});
