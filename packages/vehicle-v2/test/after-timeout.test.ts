import { queryUntilKnown, TransportError } from '@wxpark/core';
import { clientFor, merchantsOf, useSandbox } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { vehicleV2 } from '../src/index.ts';
import { carOwner, deduction } from './deductions.ts';

const sandbox = await useSandbox();

function direct() {
  return merchantsOf(sandbox).direct;
}

function client(timeout = 10_000) {
  return clientFor(sandbox, [vehicleV2], { timeout });
}

describe('after a timeout on APIv2 申请扣款: query by out_trade_no instead of resending', () => {
  it('finds the deduction a timed-out 申请扣款 created, sending it only once', async () => {
    const m = direct();
    const request = deduction(m, carOwner(sandbox), { total_fee: 800 });
    const { out_trade_no } = request;
    sandbox.setHostile('slow', { delayMs: 5000 });
    const failure = await client(1500)
      .v2.vehicle.pay.payapply(request)
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'TIMEOUT' });

    const known = await queryUntilKnown(
      () => client().v2.transit.queryorder({ appid: m.appId, mch_id: m.mchId, out_trade_no }),
      { delayMs: 50 },
    );
    expect(known.outcome).toBe('found');
    if (known.outcome !== 'found') return;
    expect(['ACCEPT', 'SUCCESS']).toContain(known.data.data.trade_state);
    expect(sandbox.requests.filter((r) => r.path === '/vehicle/pay/payapply')).toHaveLength(1);
  });

  it('reports absent on a verified ORDERNOTEXIST: the deduction never arrived and may be sent again', async () => {
    const m = direct();
    const known = await queryUntilKnown(
      () => client().v2.transit.queryorder({ appid: m.appId, mch_id: m.mchId, out_trade_no: 'NEVER-SENT-2' }),
      { delayMs: 10 },
    );
    expect(known.outcome).toBe('absent');
    if (known.outcome === 'absent')
      expect(known.error).toMatchObject({ code: 'ORDERNOTEXIST', signatureVerified: true });
  });
});
