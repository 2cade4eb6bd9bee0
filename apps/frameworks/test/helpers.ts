import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { businesscircle, createMallNoticeHandler, type MallNotice } from '@wxpark/businesscircle';
import { createClient, getNoticeKeys } from '@wxpark/core';
import { createParkingNoticeHandler, type ParkingNotice, parkingV3 } from '@wxpark/parking-v3';
import type { Sandbox, SandboxMerchant } from '@wxpark/sandbox';
import { createV2NoticeHandler, type V2Notice, vehicleV2 } from '@wxpark/vehicle-v2';
import type { NoticeHandlers } from '../src/notices.ts';

/** What the handlers of one app were given: notices processed and errors reported. */
export interface Records {
  vehicle: V2Notice[];
  parking: ParkingNotice[];
  mall: MallNotice[];
  errors: unknown[];
  reset(): void;
}

export function createRecords(): Records {
  const records: Records = {
    vehicle: [],
    parking: [],
    mall: [],
    errors: [],
    reset() {
      for (const list of [records.vehicle, records.parking, records.mall, records.errors]) list.length = 0;
    },
  };
  return records;
}

export function directMerchant(
  sandbox: Sandbox,
): SandboxMerchant & { v3: NonNullable<SandboxMerchant['v3']> } {
  const merchant = sandbox.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
  return { ...merchant, v3: merchant.v3! };
}

function v3ClientOf(sandbox: Sandbox, mchId: string) {
  const merchant = sandbox.config.merchants.find((m) => m.mchId === mchId)!;
  const { publicKeyId, publicKey } = sandbox.config.platform;
  return createClient(
    {
      mchId,
      v3: {
        serialNo: merchant.v3!.serialNo,
        privateKey: merchant.v3!.privateKey,
        apiV3Key: merchant.v3!.apiV3Key,
        publicKey: { id: publicKeyId, key: publicKey },
      },
      baseUrl: sandbox.url,
      backupBaseUrls: [],
    },
    [parkingV3, businesscircle],
  );
}

/** The merchants whose keys sign or encrypt each kind of notice in these tests. */
export function noticeMerchants(sandbox: Sandbox) {
  const direct = directMerchant(sandbox);
  const lot = sandbox.config.parkingLots!.find((l) => l.enabled_state === 'ENABLED_STATE_ENABLED')!;
  const brand = sandbox.config.brands![0]!;
  return { vehicle: direct, parking: lot.mchId, mall: brand.mchIds[0]!, lot, brand };
}

/** The three handlers of an app, as a user builds them, recording what they were given. */
export function createHandlers(sandbox: Sandbox, records: Records): NoticeHandlers {
  const merchants = noticeMerchants(sandbox);
  const onError = (error: unknown) => void records.errors.push(error);
  return {
    vehicleNotices: createV2NoticeHandler({
      apiKey: merchants.vehicle.v2ApiKey,
      onNotice: (notice) => void records.vehicle.push(notice),
      onError,
    }),
    parkingNotices: createParkingNoticeHandler({
      ...getNoticeKeys(v3ClientOf(sandbox, merchants.parking)),
      onNotice: (notice) => void records.parking.push(notice),
      onError,
    }),
    mallNotices: createMallNoticeHandler({
      ...getNoticeKeys(v3ClientOf(sandbox, merchants.mall)),
      onNotice: (notice) => void records.mall.push(notice),
      onError,
    }),
  };
}

/** One request as it crossed the tap. */
export interface Tapped {
  headers: Record<string, string>;
  body: Buffer;
  status: number;
  answer: string;
}

/**
 * A loopback relay between the sandbox and the app under test: it forwards each request unchanged and keeps
 * the exact bytes, so a test can replay a genuine APIv2 notice (the sandbox does not hand them back).
 */
export async function startTap(): Promise<{
  url: string;
  target: string;
  readonly last: Tapped | undefined;
  close(): Promise<void>;
}> {
  let last: Tapped | undefined;
  const tap = {
    url: '',
    target: '',
    get last() {
      return last;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = plainHeaders(req.headers);
    const answer = await fetch(`${tap.target}${req.url}`, { method: req.method ?? 'POST', headers, body });
    const text = await answer.text();
    last = { headers, body, status: answer.status, answer: text };
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tap.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return tap;
}

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // Hop-by-hop and framing headers are fetch's to set.
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))
      continue;
    plain[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return plain;
}

/**
 * Makes the sandbox send the APIv2 车牌状态变更通知 through the tap: a 用户入场通知 first gives the plate its
 * notify_url (once per sandbox), as WeChat learns it.
 */
export async function registerPlate(sandbox: Sandbox, notifyUrl: string): Promise<string> {
  const merchant = directMerchant(sandbox);
  const plate = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!
    .plate_number!;
  const client = createClient(
    { v2: { apiKey: merchant.v2ApiKey }, baseUrl: sandbox.url, backupBaseUrls: [] },
    [vehicleV2],
  );
  await client.v2.vehicle.pay.notification({
    appid: merchant.appId,
    mch_id: merchant.mchId,
    trade_scene: 'PARKING',
    scene_info: {
      start_time: new Date(),
      plate_number: plate,
      parking_name: '欢乐海岸停车场',
      free_time: '1200',
      notify_url: notifyUrl,
    },
  });
  return plate;
}

/** Posts bytes to the app as WeChat would, with the given headers. */
export async function post(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text() };
}
