import { constants, KeyObject, privateDecrypt, publicEncrypt } from 'node:crypto';
import { describeValue, invalidArgument, SignerError } from './errors.ts';
import { type KeyInput, loadPrivateKey, type PlatformKey } from './keys.ts';

// WeChat Pay specifies OAEP with SHA-1 for both the label hash and MGF1. (PKCS#1 v1.5 decryption is gone
// from Node since CVE-2023-46809, and WeChat never needs it.)
const oaepHash = 'sha1';
const base64Shape = /^[A-Za-z0-9+/]+={0,2}$/;
// OAEP overhead: two hash lengths (SHA-1: 20 bytes) plus two bytes.
const oaepOverhead = 2 * 20 + 2;

/**
 * Encrypts a sensitive request field (敏感信息加密, e.g. a name or phone number) with WeChat Pay's key:
 * RSA-OAEP with SHA-1 and MGF1-SHA-1, base64. Send the key's id as the request's `Wechatpay-Serial`.
 *
 * @param key - a {@link PlatformKey} (certificate or public key) or an RSA public `KeyObject`.
 * @throws {@link SignerError} `INVALID_ARGUMENT` for a non-string, a plaintext too long for the key (the
 * message gives sizes, never the text), or a key that is not an RSA public key.
 */
export function encryptSensitive(plaintext: string, key: PlatformKey | KeyObject): string {
  const publicKey = key instanceof KeyObject ? key : (key as PlatformKey | undefined)?.publicKey;
  if (
    !(publicKey instanceof KeyObject) ||
    publicKey.type !== 'public' ||
    publicKey.asymmetricKeyType !== 'rsa'
  ) {
    throw invalidArgument('key', 'a PlatformKey or an RSA public KeyObject', describeValue(key));
  }
  if (typeof plaintext !== 'string') throw invalidArgument('plaintext', 'a string', describeValue(plaintext));
  const data = Buffer.from(plaintext, 'utf8');
  const limit = (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8 - oaepOverhead;
  if (data.length > limit) {
    throw invalidArgument(
      'plaintext',
      `at most ${limit} bytes of UTF-8 for this key`,
      `${data.length} bytes`,
    );
  }
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
    data,
  ).toString('base64');
}

/**
 * Decrypts a sensitive field WeChat Pay encrypted for the merchant (RSA-OAEP, SHA-1/MGF1-SHA-1, base64)
 * with the merchant API private key.
 *
 * @param privateKey - PEM or a `KeyObject`; pass a `KeyObject` (see `loadPrivateKey`) to decrypt many
 * fields without parsing the PEM each time.
 * @throws {@link SignerError} `DECRYPT_FAILED` when the ciphertext is not base64 or does not decrypt with this
 * key; `INVALID_KEY` as `loadPrivateKey` does.
 */
export function decryptSensitive(ciphertext: string, privateKey: KeyInput): string {
  const key = loadPrivateKey(privateKey);
  if (typeof ciphertext !== 'string' || ciphertext.length % 4 !== 0 || !base64Shape.test(ciphertext)) {
    throw new SignerError({
      code: 'DECRYPT_FAILED',
      message: `ciphertext must be base64, received ${describeValue(ciphertext)}`,
    });
  }
  try {
    const plain = privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
      Buffer.from(ciphertext, 'base64'),
    );
    return plain.toString('utf8');
  } catch (error) {
    throw new SignerError({
      code: 'DECRYPT_FAILED',
      message: 'RSA-OAEP decryption failed: the ciphertext was not made for this private key, or was changed',
      hint: 'decrypt with the merchant API private key (apiclient_key.pem) of the certificate WeChat Pay encrypted for',
      cause: error,
    });
  }
}
