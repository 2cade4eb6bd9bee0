import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createNonce, createV2ApiKey, signV2, verifyV2 } from '@wxpark/signer';
import { listen } from '@wxpark/test-utils';
import { buildXml, parseXml } from '@wxpark/xml';
import type { Sandbox, SandboxMerchant } from '../src/index.ts';

export type Fields = Record<string, string | undefined>;

/** A plate in the given state from a generated config. */
export function plateIn(sandbox: Sandbox, state: string): string {
  return sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === state)!.plate_number!;
}

function clean(fields: Fields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

/** Signs fields as a client would (a fresh nonce unless given) and encodes them as XML. */
export function signedXml(
  fields: Fields,
  secret: string,
  signType: 'MD5' | 'HMAC-SHA256' = 'HMAC-SHA256',
): string {
  const all = clean({ nonce_str: createNonce(32), ...fields });
  return buildXml({ ...all, sign: signV2(all, createV2ApiKey(secret), signType) });
}

/** Calls an admin route (`/__sandbox/<path>`), with a JSON body when given. */
export function admin(sandbox: Sandbox, method: string, path: string, body?: unknown) {
  return fetch(`${sandbox.url}/__sandbox/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

export interface XmlAnswer {
  status: number;
  contentType: string | null;
  text: string;
  fields: Record<string, string>;
}

export async function postXml(url: string, body: string): Promise<XmlAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    fields: parseXml(text),
  };
}

/** Signs and POSTs an APIv2 request with the merchant's key. */
export function callV2(sandbox: Sandbox, path: string, fields: Fields, secret: string): Promise<XmlAnswer> {
  return postXml(`${sandbox.url}${path}`, signedXml(fields, secret));
}

export function verifies(
  fields: Record<string, string>,
  secret: string,
  signType: 'MD5' | 'HMAC-SHA256' = 'HMAC-SHA256',
) {
  return verifyV2(fields, createV2ApiKey(secret), signType);
}

/**
 * HMAC-SHA256 APIv2 sign written out from the published rule, independent of @wxpark/signer: sorted
 * non-empty fields but sign, `k=v` joined by `&`, then `&key=`.
 */
export function independentHmacSign(fields: Record<string, string>, secret: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHmac('sha256', secret).update(`${text}&key=${secret}`).digest('hex').toUpperCase();
}

/** scene_info text for a PARKING 用户入场通知. */
export function parkingScene(plate: string, extra: Record<string, string> = {}): string {
  return JSON.stringify({
    scene_info: {
      start_time: '20261124103000',
      plate_number: plate,
      parking_name: '欢乐海岸停车场',
      free_time: '1200',
      ...extra,
    },
  });
}

/**
 * The fields an APIv2 vehicle request by `merchant` in the PARKING scene carries (HMAC-SHA256, version 3.0),
 * with `extra` over them: as it stands, a complete 用户状态查询 once `extra` names the car.
 */
export function parkingFields(merchant: SandboxMerchant, extra: Fields = {}): Fields {
  return {
    appid: merchant.appId,
    mch_id: merchant.mchId,
    sign_type: 'HMAC-SHA256',
    version: '3.0',
    trade_scene: 'PARKING',
    ...extra,
  };
}

/** A complete PARKING 用户入场通知 for a direct merchant. */
export function parkingNotification(merchant: SandboxMerchant, plate: string, extra: Fields = {}): Fields {
  return parkingFields(merchant, { scene_info: parkingScene(plate), ...extra });
}

let orders = 0;

/**
 * A complete PARKING 申请扣款 (wire fields) by `merchant` for the car `plate`, numbered afresh (SBX…), whose
 * 扣费结果通知 goes to `notify_url`.
 */
export function payApplyFields(
  merchant: SandboxMerchant,
  plate: string,
  notify_url: string,
  extra: Fields = {},
) {
  return {
    ...parkingFields(merchant),
    body: '停车费',
    out_trade_no: `SBX${Date.now()}${orders++}`,
    total_fee: '1500',
    spbill_create_ip: '203.0.113.7',
    notify_url,
    trade_type: 'PAP',
    scene_info: JSON.stringify({
      scene_info: {
        start_time: '20261124080000',
        end_time: '20261124103000',
        charging_time: '9000',
        plate_number: plate,
        parking_name: '欢乐海岸停车场',
      },
    }),
    ...extra,
  };
}

export interface ReceivedCallback {
  headers: IncomingMessage['headers'];
  body: string;
}

export const successXml =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';

/** A merchant's callback endpoint on loopback: records each delivery and answers with `reply`. */
export async function startReceiver(
  reply: (body: string) => { status: number; body: string } = () => ({ status: 200, body: successXml }),
) {
  const received: ReceivedCallback[] = [];
  const unclaimed: ReceivedCallback[] = [];
  const waiters: ((callback: ReceivedCallback) => void)[] = [];
  const { url, server } = await listen(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const callback = { headers: request.headers, body };
    received.push(callback);
    const waiter = waiters.shift();
    if (waiter) waiter(callback);
    else unclaimed.push(callback);
    const answer = reply(body);
    response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body);
  });
  return {
    url: `${url}/wxpay/notify`,
    received,
    /** The next delivery not yet taken, waiting for it if need be. */
    next(): Promise<ReceivedCallback> {
      const ready = unclaimed.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiters.push(resolve));
    },
    /** Stops it before the test ends (it stops on its own when the test ends). */
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
