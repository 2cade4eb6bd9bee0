import { getNoticeKeys, type V3Options } from '@wxpark/core';
import type { Sandbox } from '@wxpark/sandbox';
import { clientFor, listen, merchantsOf, type SandboxClientOverrides } from '@wxpark/test-utils';
import {
  createParkingNoticeHandler,
  type ParkingEnterResponse,
  type ParkingEntryRequest,
  type ParkingNotice,
  type ParkingTransactionRequest,
  parkingV3,
} from '../src/index.ts';

export { listen } from '@wxpark/test-utils';

/** The sandbox's direct merchant, with its APIv3 credentials. */
export function merchantOf(sandbox: Sandbox) {
  return merchantsOf(sandbox).direct;
}

/** A parking-v3 client on the sandbox in public-key mode (or as `v3` overrides say). */
export function v3Client(sandbox: Sandbox, v3: Partial<V3Options> = {}, extra: SandboxClientOverrides = {}) {
  return clientFor(sandbox, [parkingV3], { ...extra, v3 });
}

type V3Client = ReturnType<typeof v3Client>;

/** A car owner of the sandbox in good standing (NORMAL), with a plate and an openid. */
export function carOwner(sandbox: Sandbox): { plate_number: string; openid: string } {
  const user = sandbox.config.vehicleUsers.find(
    (u) => u.user_state === 'NORMAL' && u.plate_number && u.openid,
  );
  if (!user?.plate_number || !user.openid) throw new Error('the sandbox has no NORMAL car owner');
  return { plate_number: user.plate_number, openid: user.openid };
}

/** A loopback receiver (stopped like `listen`'s) whose handler has the client's notice keys; `notices` fills as they come. */
export async function noticeReceiver(client: V3Client): Promise<{ url: string; notices: ParkingNotice[] }> {
  const notices: ParkingNotice[] = [];
  const handler = createParkingNoticeHandler({
    ...getNoticeKeys(client),
    onNotice: (notice) => void notices.push(notice),
  });
  const { url } = await listen((req, res) => void handler.node(req, res));
  return { url, notices };
}

let stays = 0;

/**
 * Reports the car `plate_number` parked at 欢乐海岸停车场 since `minutes` ago (创建停车入场), and gives the
 * entry's answer with the 扣费受理 request that charges `total` fen for the stay until a minute ago. The
 * out_parking_no (OP…) and out_trade_no (OT…) are new; notify_url defaults to one nothing listens on.
 */
export async function parkedCar(
  client: V3Client,
  stay: {
    appid: string;
    plate_number: string;
    total: number;
    minutes?: number;
    free_duration?: number;
    notify_url?: string;
    sub_mchid?: string;
  },
): Promise<{ parking: ParkingEnterResponse; charge: ParkingTransactionRequest }> {
  const { appid, plate_number, total, minutes = 60, free_duration = 0, sub_mchid } = stay;
  const notify_url = stay.notify_url ?? 'http://127.0.0.1:9/unused';
  const scope = sub_mchid ? { sub_mchid } : {};
  const start = new Date(Date.now() - minutes * 60_000);
  const end = new Date(start.getTime() + (minutes - 1) * 60_000);
  const n = `${Date.now()}${stays++}`;
  const parking_name = '欢乐海岸停车场';
  const { data: parking } = await client.v3.vehicle.parking.parkings({
    ...scope,
    out_parking_no: `OP${n}`,
    plate_number,
    plate_color: 'BLUE',
    notify_url,
    start_time: start,
    parking_name,
    free_duration,
  });
  const charge: ParkingTransactionRequest = {
    ...scope,
    appid,
    description: '停车费',
    out_trade_no: `OT${n}`,
    trade_scene: 'PARKING',
    notify_url,
    amount: { total },
    parking_info: {
      parking_id: parking.id,
      plate_number,
      plate_color: 'BLUE',
      start_time: start,
      end_time: end,
      parking_name,
      charging_duration: (minutes - 1) * 60,
      device_id: 'GATE-01',
    },
  };
  return { parking, charge };
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
