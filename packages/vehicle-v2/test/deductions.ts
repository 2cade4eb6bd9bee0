// 申请扣款 data for the tests and benches that run against the sandbox. No vitest here: the benches import it.
import type { Sandbox, SandboxMerchant } from '@wxpark/sandbox';
import type { PayApplyParkingSceneInfo, PayApplyRequest } from '../src/index.ts';

/** A PARKING 申请扣款 with its scene_info as an object (not the pre-encoded string form). */
export type ParkingDeduction = Omit<Extract<PayApplyRequest, { trade_scene: 'PARKING' }>, 'scene_info'> & {
  scene_info: PayApplyParkingSceneInfo;
};

/** The car to charge: its plate, and the owner's openid when the deduction names the owner. */
export interface Car {
  plate_number: string;
  openid?: string;
}

/** A sandbox car owner in `user_state` (default NORMAL: one WeChat lets the merchant charge) with a plate and an openid. */
export function carOwner(sandbox: Pick<Sandbox, 'config'>, user_state = 'NORMAL'): Required<Car> {
  const user = sandbox.config.vehicleUsers.find(
    (u) => u.plate_number && u.openid && u.user_state === user_state,
  );
  if (!user?.plate_number || !user.openid) throw new Error(`the sandbox has no ${user_state} car owner`);
  return { plate_number: user.plate_number, openid: user.openid };
}

let sequence = 0;

/**
 * A 申请扣款 by `merchant` for an hour's parking that ended now, AUTOPAY, that the sandbox accepts: of
 * 1500 fen unless `fields` say otherwise, with a fresh `out_trade_no` and a notify_url nothing listens on.
 */
export function deduction(
  merchant: Pick<SandboxMerchant, 'appId' | 'mchId'>,
  car: Car,
  fields: Partial<Pick<ParkingDeduction, 'out_trade_no' | 'total_fee' | 'notify_url'>> = {},
): ParkingDeduction {
  return {
    appid: merchant.appId,
    mch_id: merchant.mchId,
    body: '停车费',
    out_trade_no: `T${Date.now()}${sequence++}`,
    total_fee: 1500,
    spbill_create_ip: '127.0.0.1',
    notify_url: 'http://127.0.0.1:9/unused',
    ...(car.openid ? { openid: car.openid } : {}),
    trade_scene: 'PARKING',
    scene_info: {
      start_time: new Date(Date.now() - 3_600_000),
      end_time: new Date(),
      charging_time: '3600',
      plate_number: car.plate_number,
      parking_name: '欢乐海岸停车场',
      deduct_mode: 'AUTOPAY',
      support_deduct_mode: 'DEDUCT_ALL',
    },
    ...fields,
  };
}
