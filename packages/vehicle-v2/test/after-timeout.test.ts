import { createClient, queryUntilKnown, TransportError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleV2 } from '../src/index.ts';

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

describe('after a timeout on APIv2 申请扣款: query by out_trade_no instead of resending', () => {
  it('finds the deduction a timed-out 申请扣款 created, sending it only once', async () => {
    const m = direct();
    const user = sandbox.config.vehicleUsers.find(
      (u) => u.plate_number && u.openid && u.user_state === 'NORMAL',
    )!;
    const out_trade_no = `T${Date.now()}`;
    sandbox.setHostile('slow', { delayMs: 5000 });
    const failure = await client(1500)
      .v2.vehicle.pay.payapply({
        appid: m.appId,
        mch_id: m.mchId,
        body: '停车费',
        out_trade_no,
        total_fee: 800,
        spbill_create_ip: '127.0.0.1',
        notify_url: 'http://127.0.0.1:9/unused',
        openid: user.openid!,
        trade_scene: 'PARKING',
        scene_info: {
          start_time: new Date(Date.now() - 3_600_000),
          end_time: new Date(),
          charging_time: '3600',
          plate_number: user.plate_number!,
          parking_name: 'P',
          deduct_mode: 'AUTOPAY',
          support_deduct_mode: 'DEDUCT_ALL',
        },
      })
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
