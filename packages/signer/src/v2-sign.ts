import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { describeValue, invalidArgument } from './errors.ts';
import { type V2ApiKey, v2HmacKey, v2KeyBytes } from './secrets.ts';

/** APIv2 签名类型: the vehicle APIs use `HMAC-SHA256`; `MD5` is WeChat's default when `sign_type` is absent. */
export type V2SignType = 'MD5' | 'HMAC-SHA256';

/** APIv2 fields as sent or received: flat, string or number values; `undefined`, `null` and `''` are not signed. */
export type V2Params = Readonly<Record<string, string | number | undefined | null>>;

const hex = /^[0-9A-Fa-f]+$/;
const keySuffix = Buffer.from('&key=', 'utf8');

/**
 * The APIv2 string to sign, without the `&key=…` suffix, so it is safe to log when a signature is refused.
 *
 * Every field except `sign` whose value is not `undefined`, `null` or `''`, sorted by key in ASCII order,
 * joined as `k=v` with `&`. Values are used as they are: not trimmed, not URL-encoded.
 *
 * @throws {@link SignerError} `INVALID_ARGUMENT` naming a field whose value is not a string or finite number.
 */
export function buildV2SignString(params: V2Params): string {
  if (typeof params !== 'object' || params === null) {
    throw invalidArgument('params', 'an object of APIv2 fields', describeValue(params));
  }
  const pairs: string[] = [];
  for (const name of Object.keys(params).sort()) {
    if (name === 'sign') continue;
    const value: unknown = params[name];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string') pairs.push(`${name}=${value}`);
    else if (typeof value === 'number' && Number.isFinite(value)) pairs.push(`${name}=${value}`);
    else throw invalidArgument(`params.${name}`, 'a string or a finite number', describeValue(value));
  }
  return pairs.join('&');
}

/**
 * Signs APIv2 fields: {@link buildV2SignString} + `&key=<APIv2 key>`, then MD5, or HMAC-SHA256 keyed with the
 * APIv2 key, as uppercase hex. The `sign` field itself is ignored, so a signed object can be re-signed.
 *
 * Include `sign_type` in `params` when it is not MD5: it is a signed field like any other.
 *
 * @throws {@link SignerError} `INVALID_ARGUMENT` for an unknown `signType`, a key that is not a
 * {@link V2ApiKey}, or a field that is not a string or number.
 */
export function signV2(params: V2Params, key: V2ApiKey, signType: V2SignType): string {
  checkSignType(signType);
  const text = buildV2SignString(params);
  // The key goes into the hash as bytes, never into a string that could end up in a heap dump or log.
  const hash = signType === 'MD5' ? createHash('md5') : createHmac('sha256', v2HmacKey(key));
  hash.update(text, 'utf8').update(keySuffix).update(v2KeyBytes(key));
  return hash.digest('hex').toUpperCase();
}

/**
 * Checks the `sign` of APIv2 fields (an answer or a callback) with the algorithm the request used.
 *
 * The algorithm is never guessed from the signature's length: an attacker could otherwise pick the weaker
 * one. Comparison is constant-time; a lowercase signature is accepted. Returns false when `sign` is missing,
 * empty or of the wrong length.
 *
 * @throws {@link SignerError} `INVALID_ARGUMENT` for an unknown `signType`, a key that is not a
 * {@link V2ApiKey}, or a field that is not a string or number.
 */
export function verifyV2(params: V2Params, key: V2ApiKey, signType: V2SignType): boolean {
  const expected = Buffer.from(signV2(params, key, signType), 'ascii');
  const received = params.sign;
  // Hex only: then one character is one byte, and the buffers compared below have equal lengths.
  if (typeof received !== 'string' || received.length !== expected.length || !hex.test(received))
    return false;
  return timingSafeEqual(expected, Buffer.from(received.toUpperCase(), 'ascii'));
}

function checkSignType(signType: unknown): asserts signType is V2SignType {
  if (signType !== 'MD5' && signType !== 'HMAC-SHA256') {
    throw invalidArgument('signType', "'MD5' or 'HMAC-SHA256'", describeValue(signType));
  }
}
