// 用户入场通知 data for the tests and benches that run against the sandbox. No vitest here: the benches import it.
import type { SandboxMerchant } from '@wxpark/sandbox';
import type { PayNotificationRequest } from '../src/index.ts';

/** A 用户入场通知 by `merchant` for a small car with plate `plate_number` entering a PARKING lot, 20 free minutes. */
export function parkingEntry(
  merchant: Pick<SandboxMerchant, 'appId' | 'mchId'>,
  plate_number: string,
): PayNotificationRequest {
  return {
    appid: merchant.appId,
    mch_id: merchant.mchId,
    trade_scene: 'PARKING',
    scene_info: {
      start_time: '20261124103000',
      plate_number,
      parking_name: '欢乐海岸停车场',
      free_time: '1200',
      car_type: '小型车',
    },
  };
}
