import type { ValidationError } from '@wxpark/core';
import { useSandbox } from '@wxpark/test-utils';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ParkingService } from '../src/index.ts';
import { carOwner, merchantOf, noticeReceiver, parkedCar, v3Client } from './helpers.ts';

const sandbox = await useSandbox();

describe('微信支付分停车 through the client', () => {
  it('finds a plate’s service state with a GET whose query is signed', async () => {
    const user = carOwner(sandbox);
    const client = v3Client(sandbox);
    const { data } = await client.v3.vehicle.parking.services.find({
      appid: merchantOf(sandbox).appId,
      plate_number: user.plate_number,
      plate_color: 'BLUE',
      openid: user.openid,
    });
    expectTypeOf(data).toEqualTypeOf<ParkingService>();
    expect(data.service_state).toBe('NORMAL');
    expect(sandbox.requests.at(-1)!.path).toMatch(/^\/v3\/vehicle\/parking\/services\/find\?appid=/);
  });

  it('creates an entry, deducts, receives the verified TRANSACTION.SUCCESS callback, and queries the order', async () => {
    const client = v3Client(sandbox);
    const receiver = await noticeReceiver(client);
    const { parking, charge } = await parkedCar(client, {
      appid: merchantOf(sandbox).appId,
      plate_number: carOwner(sandbox).plate_number,
      total: 1500,
      minutes: 90,
      free_duration: 900,
      notify_url: `${receiver.url}/notify`,
    });
    expect(parking.state).toBe('NORMAL');
    // A Date goes out as RFC 3339 in China time.
    expect(JSON.parse(sandbox.requests.at(-1)!.body).start_time).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/,
    );

    const { out_trade_no } = charge;
    const accepted = await client.v3.vehicle.transactions.parking(charge);
    expect(accepted.data.trade_state).toBe('ACCEPTED');
    await expect.poll(() => receiver.notices.length).toBe(1);
    expect(receiver.notices[0]!.event_type).toBe('TRANSACTION.SUCCESS');

    const order = await client.v3.vehicle.transactions['out-trade-no']['{out_trade_no}']({ out_trade_no });
    expect(order.data.trade_state).toBe('SUCCESS');
    expect(sandbox.requests.at(-1)!.path).toBe(`/v3/vehicle/transactions/out-trade-no/${out_trade_no}`);
  });

  it('refuses the reminders colour enum on the score-parking routes, before any I/O', async () => {
    sandbox.clearRequests();
    const error = await v3Client(sandbox)
      .v3.vehicle.parking.services.find({
        appid: 'wx1',
        plate_number: '粤B888888',
        // @ts-expect-error: score parking spells colours BLUE, GREEN, …
        plate_color: 'PLATE_COLOR_BLUE',
        openid: 'o1',
      })
      .catch((e: unknown) => e);
    expect((error as ValidationError).field).toBe('plate_color');
    expect(sandbox.requests).toHaveLength(0);
  });
});
