import { type KeyObject, sign } from 'node:crypto';
import { describeValue, invalidArgument, SignerError } from './errors.ts';
import { type KeyInput, loadPrivateKey } from './keys.ts';
import { createNonce } from './nonce.ts';

/** Signs APIv3 messages with the merchant's API private key, wherever that key lives. */
export interface RequestSigner {
  /** SHA256withRSA (PKCS#1 v1.5) of the UTF-8 message, base64. May be remote (KMS/HSM). */
  sign(message: string): string | Promise<string>;
}

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');
const scheme = 'WECHATPAY2-SHA256-RSA2048';
const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const nonceShape = /^[0-9A-Za-z]{1,32}$/;
const base64Shape = /^[A-Za-z0-9+/]+={0,2}$/;
// Characters fetch's URL parser sends unchanged. Anything else (raw Chinese text, spaces, a fragment, a
// backslash, `'` in a query) is encoded, dropped or rewritten on the wire, and the signature would not match.
const pathChars = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/[\]]*$/;
const queryChars = /^[A-Za-z0-9\-._~!$&()*+,;=:@%/?[\]]*$/;

class RsaSigner implements RequestSigner {
  readonly #key: KeyObject;

  constructor(key: KeyObject) {
    this.#key = key;
  }

  sign(message: string): string {
    return sign('sha256', Buffer.from(message, 'utf8'), this.#key).toString('base64');
  }

  toString(): string {
    return 'RsaSigner(redacted)';
  }

  toJSON(): string {
    return 'RsaSigner(redacted)';
  }

  [inspectCustom](): string {
    return 'RsaSigner(redacted)';
  }
}

/**
 * A {@link RequestSigner} over the merchant API private key (商户API私钥, `apiclient_key.pem`).
 *
 * The key is parsed once, here; printing or serialising the signer shows `RsaSigner(redacted)`.
 *
 * @throws {@link SignerError} `INVALID_KEY` as {@link loadPrivateKey} does.
 */
export function createRsaSigner(privateKey: KeyInput): RequestSigner {
  return new RsaSigner(loadPrivateKey(privateKey));
}

/**
 * The APIv3 request string to sign: `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`.
 *
 * Nothing is checked or changed here, so a server can rebuild the string from a request exactly as received.
 * `body` is `''` for GET and DELETE.
 */
export function buildV3SignMessage(
  method: string,
  url: string,
  timestamp: number | string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** What {@link createAuthorization} signs. */
export interface AuthorizationInput {
  /** 商户号 (mchid) of the merchant making the call: digits. */
  mchId: string;
  /** 商户API证书序列号 (`serial_no`): hex; sent uppercase. See `readCertificateSerial`. */
  serialNo: string;
  /** Signs with the merchant API private key. See {@link createRsaSigner}. */
  signer: RequestSigner;
  /** `GET`, `POST`, `PUT`, `PATCH` or `DELETE`, uppercase as sent. */
  method: string;
  /** Path and query exactly as sent, starting with `/` (e.g. `/v3/certificates?x=1`); not the full URL. */
  url: string;
  /**
   * The request body exactly as sent.
   * @default ''
   */
  body?: string;
  /**
   * Unix time in seconds.
   * @default the current time
   */
  timestamp?: number;
  /**
   * 1 to 32 characters of `[0-9A-Za-z]`. Use a new one for every attempt.
   * @default createNonce(32)
   */
  nonce?: string;
}

/**
 * Builds the APIv3 `Authorization` header for one request attempt:
 * `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`.
 *
 * Every field is checked before anything is signed. Call it again for each retry: WeChat Pay refuses a
 * reused timestamp and nonce.
 *
 * @throws {@link SignerError} `INVALID_ARGUMENT` naming the first field out of shape (also when the signer
 * returns something that is not base64). Errors thrown by the signer itself pass through unchanged.
 */
export async function createAuthorization(input: AuthorizationInput): Promise<string> {
  if (typeof input !== 'object' || input === null) {
    throw invalidArgument(
      'input',
      'an object with mchId, serialNo, signer, method and url',
      describeValue(input),
    );
  }
  const { mchId, serialNo, signer, method, url } = input;
  const body = input.body ?? '';
  if (typeof mchId !== 'string' || !/^\d+$/.test(mchId)) {
    throw invalidArgument('mchId', 'the 商户号 as a string of digits', describeValue(mchId));
  }
  if (typeof serialNo !== 'string' || !/^[0-9A-Fa-f]+$/.test(serialNo)) {
    throw invalidArgument(
      'serialNo',
      'the merchant API certificate serial in hex',
      describeValue(serialNo),
      'readCertificateSerial(apiclient_cert.pem) gives it',
    );
  }
  if (typeof signer !== 'object' || signer === null || typeof signer.sign !== 'function') {
    throw invalidArgument(
      'signer',
      'an object with a sign(message) method (see createRsaSigner)',
      describeValue(signer),
    );
  }
  if (typeof method !== 'string' || !methods.has(method)) {
    throw invalidArgument(
      'method',
      'one of GET, POST, PUT, PATCH, DELETE (uppercase)',
      describeValue(method),
    );
  }
  checkUrl(url);
  if (typeof body !== 'string')
    throw invalidArgument('body', 'a string (the exact bytes sent)', describeValue(body));
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  checkTimestamp(timestamp);
  const nonce = input.nonce ?? createNonce(32);
  if (typeof nonce !== 'string' || !nonceShape.test(nonce)) {
    throw invalidArgument('nonce', '1 to 32 characters of [0-9A-Za-z]', describeValue(nonce));
  }

  const signature = await signer.sign(buildV3SignMessage(method, url, timestamp, nonce, body));
  if (typeof signature !== 'string' || !base64Shape.test(signature)) {
    throw invalidArgument('signer', 'a signer whose sign() returns base64', describeValue(signature));
  }
  return (
    `${scheme} mchid="${mchId}",nonce_str="${nonce}",timestamp="${timestamp}",` +
    `serial_no="${serialNo.toUpperCase()}",signature="${signature}"`
  );
}

/** The fields of an APIv3 `Authorization` header, as sent. */
export interface ParsedAuthorization {
  /** 商户号. */
  mchid: string;
  nonce_str: string;
  /** Unix seconds, as sent. */
  timestamp: string;
  /** 商户API证书序列号. */
  serial_no: string;
  /** Base64 SHA256withRSA signature. */
  signature: string;
}

const fieldNames = ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'] as const;
const pairShape = /^\s*([a-z_]+)="([^"]*)"\s*$/;

/**
 * Reads an APIv3 `Authorization` header (for servers, such as the wxpark sandbox). Field order and spaces
 * around commas are free; each of the five fields must appear exactly once; unknown fields are ignored.
 * Values are returned as sent, not validated: rebuild the message with {@link buildV3SignMessage} and verify.
 *
 * @throws {@link SignerError} `MALFORMED_HEADER` for another scheme, a missing or repeated field, or a
 * value that is not a quoted string.
 */
export function parseAuthorization(header: string): ParsedAuthorization {
  if (typeof header !== 'string' || !header.startsWith(`${scheme} `)) {
    throw malformed(`the Authorization header must start with '${scheme} '`);
  }
  const found = new Map<string, string>();
  for (const part of header.slice(scheme.length + 1).split(',')) {
    const match = pairShape.exec(part);
    if (!match) throw malformed('the Authorization header must be a list of name="value" fields');
    const [, name = '', value = ''] = match;
    if (found.has(name)) throw malformed(`the Authorization header repeats the ${name} field`);
    found.set(name, value);
  }
  const result: Partial<Record<(typeof fieldNames)[number], string>> = {};
  for (const name of fieldNames) {
    const value = found.get(name);
    if (!value) throw malformed(`the Authorization header lacks a non-empty ${name} field`);
    result[name] = value;
  }
  return result as ParsedAuthorization;
}

function checkUrl(url: unknown): void {
  if (!isWireUrl(url)) {
    const full = typeof url === 'string' && /^https?:\/\//i.test(url);
    throw invalidArgument(
      'url',
      "the path and query as sent: starting with '/', percent-encoded, without '#' or dot segments",
      describeValue(url),
      full
        ? 'pass only the path and query (e.g. /v3/parking/reminders/entry), not the scheme and host'
        : 'percent-encode query values (URLSearchParams does): the signed URL must be the bytes sent',
    );
  }
}

function isWireUrl(url: unknown): boolean {
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return false;
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? '' : url.slice(mark + 1);
  // The URL parser resolves `.` and `..` segments before sending, so the signed path would differ.
  const dotted = path.split('/').some((segment) => segment === '.' || segment === '..');
  return !dotted && pathChars.test(path) && queryChars.test(query);
}

function checkTimestamp(timestamp: unknown): void {
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0) {
    throw invalidArgument('timestamp', 'a non-negative integer of Unix seconds', describeValue(timestamp));
  }
  if (timestamp > 9_999_999_999) {
    throw invalidArgument(
      'timestamp',
      'Unix seconds',
      String(timestamp),
      'this looks like milliseconds: use Math.floor(Date.now() / 1000)',
    );
  }
}

function malformed(message: string): SignerError {
  return new SignerError({ code: 'MALFORMED_HEADER', message });
}
