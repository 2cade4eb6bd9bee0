import type { V3Options } from '@wxpark/core';
import type { Sandbox } from '@wxpark/sandbox';
import { clientFor, merchantsOf, type SandboxClientOverrides } from '@wxpark/test-utils';
import { type ParkingEntryRequest, parkingV3 } from '../src/index.ts';

export { listen } from '@wxpark/test-utils';

/** The sandbox's direct merchant, with its APIv3 credentials. */
export function merchantOf(sandbox: Sandbox) {
  return merchantsOf(sandbox).direct;
}

/** A parking-v3 client on the sandbox in public-key mode (or as `v3` overrides say). */
export function v3Client(sandbox: Sandbox, v3: Partial<V3Options> = {}, extra: SandboxClientOverrides = {}) {
  return clientFor(sandbox, [parkingV3], { ...extra, v3 });
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** The wx_parking_lot_id of the direct merchant's lot. */
export function lotIdOf(sandbox: Sandbox): string {
  return sandbox.config.parkingLots!.find((l) => l.mchId === merchantOf(sandbox).mchId)!.wx_parking_lot_id;
}

let serial = 0;

/** A complete 同步车辆入场通知 for the lot: a car that came in ten minutes ago, with a serial not used before. */
export function parkingEntry(
  parking_id: string,
  extra: Partial<ParkingEntryRequest> = {},
): ParkingEntryRequest {
  serial += 1;
  return {
    out_serial_number: `E${Date.now()}${serial}`,
    parking_id,
    plate_number: '粤B888888',
    enter_timestamp: unixNow() - 600,
    plate_color: 'PLATE_COLOR_BLUE',
    car_type: 'PLATE_TYPE_TEMPORARY',
    vehicle_type: 'VEHICLE_TYPE_SMALL',
    discount_template_id: [1001],
    ...extra,
  };
}
