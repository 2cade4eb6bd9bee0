import { getNoticeKeys, type ValidationError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createParkingNoticeHandler, type ParkingNotice, type ParkingService } from '../src/index.ts';
import { listen, merchantOf, v3Client } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

function owner() {
  return sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number && u.openid)!;
}

describe('微信支付分停车 through the client', () => {
  it('finds a plate’s service state with a GET whose query is signed', async () => {
    const user = owner();
    const client = v3Client(sandbox);
    const { data } = await client.v3.vehicle.parking.services.find({
      appid: merchantOf(sandbox).appId,
      plate_number: user.plate_number!,
      plate_color: 'BLUE',
      openid: user.openid!,
    });
    expectTypeOf(data).toEqualTypeOf<ParkingService>();
    expect(data.service_state).toBe('NORMAL');
    expect(sandbox.requests.at(-1)!.path).toMatch(/^\/v3\/vehicle\/parking\/services\/find\?appid=/);
  });

  it('creates an entry, deducts, receives the verified TRANSACTION.SUCCESS callback, and queries the order', async () => {
    const notices: ParkingNotice[] = [];
    const client = v3Client(sandbox);
    const handler = createParkingNoticeHandler({
      ...getNoticeKeys(client),
      onNotice: (n) => void notices.push(n),
    });
    const receiver = await listen((req, res) => void handler.node(req, res));
    try {
      const user = owner();
      const start = new Date(Date.now() - 90 * 60_000);
      const parking = await client.v3.vehicle.parking.parkings({
        out_parking_no: `OP${Date.now()}`,
        plate_number: user.plate_number!,
        plate_color: 'BLUE',
        notify_url: `${receiver.url}/notify`,
        start_time: start,
        parking_name: '欢乐海岸停车场',
        free_duration: 900,
      });
      expect(parking.data.state).toBe('NORMAL');
      // A Date goes out as RFC 3339 in China time.
      expect(JSON.parse(sandbox.requests.at(-1)!.body).start_time).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/,
      );

      const out_trade_no = `OT${Date.now()}`;
      const accepted = await client.v3.vehicle.transactions.parking({
        appid: merchantOf(sandbox).appId,
        description: '停车费',
        out_trade_no,
        trade_scene: 'PARKING',
        notify_url: `${receiver.url}/notify`,
        amount: { total: 1500 },
        parking_info: {
          parking_id: parking.data.id,
          plate_number: user.plate_number!,
          plate_color: 'BLUE',
          start_time: start,
          end_time: new Date(Date.now() - 60_000),
          parking_name: '欢乐海岸停车场',
          charging_duration: 5340,
          device_id: 'GATE-01',
        },
      });
      expect(accepted.data.trade_state).toBe('ACCEPTED');
      await expect.poll(() => notices.length).toBe(1);
      expect(notices[0]!.event_type).toBe('TRANSACTION.SUCCESS');

      const order = await client.v3.vehicle.transactions['out-trade-no']['{out_trade_no}']({ out_trade_no });
      expect(order.data.trade_state).toBe('SUCCESS');
      expect(sandbox.requests.at(-1)!.path).toBe(`/v3/vehicle/transactions/out-trade-no/${out_trade_no}`);
    } finally {
      await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    }
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
