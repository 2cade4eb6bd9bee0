import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { describeValue, invalidArgument, SignerError } from './errors.ts';
import { type V2ApiKey, v2KeyBytes } from './secrets.ts';

// APIv2 退款结果通知 (doc/v2/partner/4011989265, "解密方式"): req_info is base64 of AES-256-ECB (PKCS7) under
// the lowercase hex MD5 of the APIv2 key, its 32 ASCII characters used as the 32-byte key.

const blockBytes = 16;
const base64Shape = /^[A-Za-z0-9+/]*={0,2}$/;
const decryptHint =
  'check that the APIv2 key (not the APIv3 key) of the merchant that asked for the refund is configured, and that req_info is passed unchanged';

function refundInfoKey(key: V2ApiKey): Buffer {
  return Buffer.from(createHash('md5').update(v2KeyBytes(key)).digest('hex'), 'ascii');
}

/**
 * Decrypts the `req_info` of an APIv2 退款结果通知: base64-decode, then AES-256-ECB with PKCS#7 padding under
 * the lowercase hex MD5 of the APIv2 key. ECB carries no tag: a wrong key or changed bytes are caught only
 * when the padding comes out wrong (and otherwise by what the plaintext does not parse as).
 *
 * @returns the plaintext as UTF-8 text (WeChat sends `<root>…</root>` XML).
 * @throws {@link SignerError} `DECRYPT_FAILED` when `reqInfo` is not base64 of whole 16-byte blocks or the
 * padding is wrong (almost always the wrong key); `INVALID_ARGUMENT` for a non-string or a key that is not a
 * {@link V2ApiKey}.
 */
export function decryptV2RefundInfo(reqInfo: string, key: V2ApiKey): string {
  const aesKey = refundInfoKey(key);
  if (typeof reqInfo !== 'string')
    throw invalidArgument('reqInfo', 'a base64 string', describeValue(reqInfo));
  const bytes = Buffer.from(reqInfo, 'base64');
  if (
    reqInfo.length % 4 !== 0 ||
    !base64Shape.test(reqInfo) ||
    bytes.length === 0 ||
    bytes.length % blockBytes !== 0
  ) {
    throw new SignerError({
      code: 'DECRYPT_FAILED',
      message: `req_info must be base64 of whole ${blockBytes}-byte AES blocks, received ${describeValue(reqInfo)}`,
      hint: decryptHint,
    });
  }
  try {
    const decipher = createDecipheriv('aes-256-ecb', aesKey, null);
    return Buffer.concat([decipher.update(bytes), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new SignerError({
      code: 'DECRYPT_FAILED',
      message: 'req_info did not decrypt: its AES-256-ECB padding is wrong',
      hint: decryptHint,
      cause,
    });
  }
}

/**
 * Encrypts a 退款结果通知 `req_info` as WeChat Pay does ({@link decryptV2RefundInfo} reverses it): for the
 * sandbox and for tests of a notice handler.
 *
 * @throws {@link SignerError} `INVALID_ARGUMENT` for a non-string or a key that is not a {@link V2ApiKey}.
 */
export function encryptV2RefundInfo(plaintext: string, key: V2ApiKey): string {
  const aesKey = refundInfoKey(key);
  if (typeof plaintext !== 'string') throw invalidArgument('plaintext', 'a string', describeValue(plaintext));
  const cipher = createCipheriv('aes-256-ecb', aesKey, null);
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}
