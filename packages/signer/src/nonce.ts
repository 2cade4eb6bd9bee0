import { randomFillSync } from 'node:crypto';
import { invalidArgument } from './errors.ts';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 248 = 4 × 62: bytes at or above it are dropped so that `byte % 62` is uniform (no modulo bias).
const limit = 248;

/**
 * A random string of `[0-9A-Za-z]` for `nonce_str` (APIv2) and the APIv3 `Authorization` nonce.
 *
 * Drawn from node:crypto's CSPRNG (in 4 KiB blocks) with rejection sampling, so every character is equally
 * likely.
 *
 * @param length - how many characters, 1 to 1024. @default 32 (WeChat Pay's maximum for `nonce_str`)
 * @throws {@link SignerError} `INVALID_ARGUMENT` for a length that is not an integer in range.
 * @example
 * ```ts
 * const fields = { appid, mch_id, nonce_str: createNonce(), plate_number };
 * ```
 */
export function createNonce(length = 32): string {
  if (!Number.isInteger(length) || length < 1 || length > 1024) {
    throw invalidArgument('length', 'an integer from 1 to 1024', String(length));
  }
  let out = '';
  while (out.length < length) {
    const byte = nextRandomByte();
    // Rejection keeps the 62 characters equally likely (about 3% of bytes are skipped).
    if (byte < limit) out += alphabet[byte % 62];
  }
  return out;
}

// Entropy is drawn from the CSPRNG in blocks, as node:crypto's randomUUID does: one small randomBytes call
// per nonce cost more than the HMAC that signs the request. Each byte is used once, then the block is zeroed.
const poolSize = 4096;
const pool = Buffer.alloc(poolSize);
let poolOffset = poolSize;

function nextRandomByte(): number {
  if (poolOffset === poolSize) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const byte = pool[poolOffset] as number;
  pool[poolOffset++] = 0;
  return byte;
}
