import { randomBytes } from 'node:crypto';
import { invalidArgument } from './errors.ts';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 248 = 4 × 62: bytes at or above it are dropped so that `byte % 62` is uniform (no modulo bias).
const limit = 248;

/**
 * A random string of `[0-9A-Za-z]` for `nonce_str` (APIv2) and the APIv3 `Authorization` nonce.
 *
 * Drawn from `crypto.randomBytes` with rejection sampling, so every character is equally likely.
 *
 * @param length - how many characters, 1 to 1024. @default 32 (WeChat Pay's maximum for `nonce_str`)
 * @throws {@link SignerError} `INVALID_ARGUMENT` for a length that is not an integer in range.
 */
export function createNonce(length = 32): string {
  if (!Number.isInteger(length) || length < 1 || length > 1024) {
    throw invalidArgument('length', 'an integer from 1 to 1024', String(length));
  }
  let out = '';
  while (out.length < length) {
    // Ask for a little more than needed: about 3% of bytes are rejected.
    const bytes = randomBytes(length - out.length + 8);
    for (const byte of bytes) {
      if (byte >= limit) continue;
      out += alphabet[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}
