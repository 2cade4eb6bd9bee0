import { createHash, randomInt } from 'node:crypto';
import { formatChinaTime } from './china-time.ts';

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const base64url = `${alphanumeric}-_`;

function randomFrom(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `length` random decimal digits. */
export function randomDigits(length: number): string {
  return randomFrom('0123456789', length);
}

/** A 32-character APIv2 key drawn from crypto randomness (letters and digits, like the merchant console's). */
export function randomV2ApiKey(): string {
  return randomFrom(alphanumeric, 32);
}

/** A 10-digit 商户号 in the range WeChat issues (16xxxxxxxx–19xxxxxxxx). */
export function randomMchId(): string {
  return `1${randomInt(6, 10)}${randomDigits(8)}`;
}

/** An 18-character appid: `wx` and 16 hex digits. */
export function randomAppId(): string {
  return `wx${randomFrom('0123456789abcdef', 16)}`;
}

/** A 28-character openid shaped like WeChat's (`o` + 27 base64url characters). */
export function randomOpenId(): string {
  return `o${randomFrom(base64url, 27)}`;
}

/** The openid the sandbox reports for a car owner configured by plate only: stable per plate. */
export function openIdForPlate(plate: string): string {
  return `o${createHash('sha256').update(plate).digest('base64url').slice(0, 27)}`;
}

/** A 28-digit 微信订单号: `4200`, 6 digits, the China date, 10 digits. */
export function newTransactionId(now = new Date()): string {
  return `4200${randomDigits(6)}${formatChinaTime(now).slice(0, 8)}${randomDigits(10)}`;
}

/** A `Request-ID` shaped like WeChat Pay's: `08` and 44 uppercase hex digits. */
export function newRequestId(): string {
  return `08${randomFrom('0123456789ABCDEF', 44)}`;
}

/** A 19-character id of uppercase letters and digits, like a 停车入场ID or 微信停车单号. */
export function newParkingId(): string {
  return randomFrom('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 19);
}
