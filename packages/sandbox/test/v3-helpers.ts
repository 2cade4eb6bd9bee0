import {
  createAuthorization,
  createRsaSigner,
  loadPlatformCertificate,
  loadPlatformPublicKey,
  PlatformKeySet,
  readWechatpayHeaders,
  verifyV3Signature,
} from '@wxpark/signer';
import type { SandboxV3Merchant } from '@wxpark/test-utils';
import type { Sandbox } from '../src/index.ts';

export interface V3Response {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; undefined when empty or not JSON. */
  json: Record<string, unknown> | undefined;
}

export interface V3CallOptions {
  /** Extra request headers (e.g. Wechatpay-Serial). */
  headers?: Record<string, string>;
  /** Signs with another timestamp. */
  timestamp?: number;
  /** Signs in the name of another merchant id, serial, or with another private key. */
  mchId?: string;
  serialNo?: string;
  privateKey?: string;
  /** Sends this body instead of JSON.stringify(body), still signed. */
  rawBody?: string;
  /** Replaces the Authorization header entirely (undefined: none is sent). */
  authorization?: string | null;
}

/**
 * Signs and sends an APIv3 request as a merchant's client would, with @wxpark/signer and plain fetch: the
 * Authorization header over the exact path, query and body sent.
 */
export async function callV3(
  sandbox: Sandbox,
  merchant: SandboxV3Merchant,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  options: V3CallOptions = {},
): Promise<V3Response> {
  const text = options.rawBody ?? (body === undefined ? '' : JSON.stringify(body));
  const authorization =
    options.authorization !== undefined
      ? options.authorization
      : await createAuthorization({
          mchId: options.mchId ?? merchant.mchId,
          serialNo: options.serialNo ?? merchant.v3.serialNo,
          signer: createRsaSigner(options.privateKey ?? merchant.v3.privateKey),
          method,
          url,
          body: text,
          ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
        });
  const response = await fetch(`${sandbox.url}${url}`, {
    method,
    headers: {
      accept: 'application/json',
      'user-agent': 'wxpark-sandbox-test',
      ...(authorization === null ? {} : { authorization }),
      ...(text === '' ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(method === 'GET' ? {} : { body: text }),
  });
  const answer = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = answer === '' ? undefined : (JSON.parse(answer) as Record<string, unknown>);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text: answer, json };
}

/** WeChat Pay's public keys as a client would configure them: the public key and every listed certificate. */
export function platformKeys(sandbox: Sandbox): PlatformKeySet {
  const platform = sandbox.config.platform;
  return new PlatformKeySet([
    loadPlatformPublicKey(platform.publicKeyId, platform.publicKey),
    ...platform.certificates.map((c) => loadPlatformCertificate(c.certificate)),
  ]);
}

/** Verifies an answer with the signer, as a client must. Rejects with the signer's error. */
export function verifyAnswer(
  sandbox: Sandbox,
  answer: { headers: Headers; text: string },
  options: { windowSeconds?: number; keys?: PlatformKeySet } = {},
): Promise<void> {
  return verifyV3Signature({
    headers: readWechatpayHeaders(answer.headers),
    body: answer.text,
    verifier: options.keys ?? platformKeys(sandbox),
    ...(options.windowSeconds === undefined ? {} : { windowSeconds: options.windowSeconds }),
  });
}

/** A plate's entry time a little in the past, in Unix seconds. */
export function minutesAgo(minutes: number): number {
  return Math.floor(Date.now() / 1000) - minutes * 60;
}

/** An RFC 3339 China time `minutes` ago. */
export function rfc3339MinutesAgo(minutes: number): string {
  const shifted = new Date(Date.now() - minutes * 60_000 + 8 * 3_600_000).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}

let serial = 0;

/** The body of a 创建停车入场 for the car `plate`, in since 90 minutes ago, numbered afresh (OP…). */
export function parkingEnterFields(plate: string, notify_url: string, extra: Record<string, unknown> = {}) {
  serial += 1;
  return {
    out_parking_no: `OP${Date.now()}${serial}`,
    plate_number: plate,
    plate_color: 'BLUE',
    notify_url,
    start_time: rfc3339MinutesAgo(90),
    parking_name: '欢乐海岸停车场',
    free_duration: 900,
    ...extra,
  };
}

/**
 * The body of a 扣费受理 by `merchant` of 1500 fen for the stay `parking` (in 90 minutes ago, out a minute
 * ago), numbered afresh (PT…).
 */
export function parkingTransactionFields(
  merchant: Pick<SandboxV3Merchant, 'appId'>,
  parking: { id: string; plate_number: string },
  notify_url: string,
  extra: Record<string, unknown> = {},
) {
  serial += 1;
  return {
    appid: merchant.appId,
    description: '停车费',
    out_trade_no: `PT${Date.now()}${serial}`,
    trade_scene: 'PARKING',
    notify_url,
    amount: { total: 1500, currency: 'CNY' },
    parking_info: {
      parking_id: parking.id,
      plate_number: parking.plate_number,
      plate_color: 'BLUE',
      start_time: rfc3339MinutesAgo(90),
      end_time: rfc3339MinutesAgo(1),
      parking_name: '欢乐海岸停车场',
      charging_duration: 5340,
      device_id: 'GATE-01',
    },
    ...extra,
  };
}
