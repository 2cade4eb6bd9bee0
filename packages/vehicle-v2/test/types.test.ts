import { type CallData, createClient, type WxparkResponse } from '@wxpark/core';
import { describe, expectTypeOf, it } from 'vitest';
import { type PayNotificationRequest, type PayNotificationResponse, vehicleV2 } from '../src/index.ts';

// Type-level checks: `pnpm typecheck` fails if any of these stop holding. The runtime bodies never call out.
const client = createClient({ v2: { apiKey: 'k'.repeat(32) }, baseUrl: 'http://127.0.0.1:9' }, [vehicleV2]);
const data: PayNotificationRequest = {
  appid: 'wx1',
  mch_id: '1',
  trade_scene: 'PARKING',
  scene_info: { start_time: '20261124103000', plate_number: '粤B1', parking_name: 'P', free_time: '0' },
};

describe('call-style types', () => {
  it('gives every call style the same request and response types', () => {
    type Expected = Promise<WxparkResponse<PayNotificationResponse>>;
    expectTypeOf(client.v2.vehicle.pay.notification.post).returns.toEqualTypeOf<Expected>();
    expectTypeOf(client.v2.vehicle.pay.notification).returns.toEqualTypeOf<Expected>();
    expectTypeOf(client.chain('v2/vehicle/pay/notification').post).returns.toEqualTypeOf<Expected>();
    expectTypeOf(client['v2/vehicle/pay/notification'].post)
      .parameter(0)
      .toEqualTypeOf<CallData<(typeof vehicleV2.routes)['v2/vehicle/pay/notification']>>();
    // mch_id and appid may be left to the client's mchId and appId; the rest of the request is unchanged.
    expectTypeOf<PayNotificationRequest>().toExtend<
      Parameters<typeof client.v2.vehicle.pay.notification.post>[0]
    >();
  });

  it('types response enums as open unions with the documented values', () => {
    expectTypeOf<'BLOCK'>().toExtend<PayNotificationResponse['user_state']>();
    expectTypeOf<'NORMAL'>().toExtend<PayNotificationResponse['user_state']>();
  });

  it('refuses wrong paths, missing fields, wrong enums and wrong scene fields at compile time', () => {
    const never = (fn: () => unknown) => fn;
    never(() => {
      // @ts-expect-error: no such route
      client.chain('v2/vehicle/pay/notifications');
      // @ts-expect-error: no such route (v3 package not composed)
      client.chain('v3/parking/reminders/entry');
      // @ts-expect-error: property style knows the composed routes only
      client.v3;
      // @ts-expect-error: only POST exists on this route
      client.v2.vehicle.pay.notification.get;
      const { trade_scene: _omitted, ...missing } = data;
      // @ts-expect-error: trade_scene is required
      client.v2.vehicle.pay.notification.post(missing);
      // @ts-expect-error: trade_scene must be PARKING or PARKING SPACE
      client.v2.vehicle.pay.notification.post({ ...data, trade_scene: 'GARAGE' });
      client.v2.vehicle.pay.notification.post({
        ...data,
        trade_scene: 'PARKING SPACE',
        // @ts-expect-error: PARKING SPACE needs space_number, not plate_number
        scene_info: { start_time: '20261124103000', plate_number: '粤B1', free_time: '0' },
      });
      client.v2.vehicle.pay.notification.post({
        ...data,
        // @ts-expect-error: free_time is a string of seconds
        scene_info: { start_time: '20261124103000', plate_number: 'A', parking_name: 'P', free_time: 1200 },
      });
      // @ts-expect-error: sub_mch_id is required for service providers
      client.v2.vehicle.partnerpay.notification.post({ ...data, sub_appid: 'wx2' });
    });
  });
});
