import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describeValue, invalidArgument, SignerError } from './errors.ts';
import { type ApiV3Key, apiV3AesKey } from './secrets.ts';

/** An APIv3 `resource` (callbacks) or `encrypt_certificate` (`GET /v3/certificates`). */
export interface EncryptedResource {
  /** 加密算法类型: `AEAD_AES_256_GCM`. */
  algorithm: string;
  /** 数据密文: base64 of the encrypted bytes followed by the 16-byte tag. */
  ciphertext: string;
  /** 随机串: the 12-character nonce. */
  nonce: string;
  /** 附加数据: authenticated, not encrypted; may be empty. */
  associated_data?: string;
  /** 原始类型: what the plaintext is, e.g. `transaction`. */
  original_type?: string;
}

const tagLength = 16;
const base64Shape = /^[A-Za-z0-9+/]*={0,2}$/;
const decryptHint =
  'check that the APIv3 key (not the APIv2 key) is configured, and that ciphertext/nonce/associated_data are passed unchanged';

/**
 * Decrypts AEAD_AES_256_GCM as WeChat Pay uses it: key = the APIv3 key's 32 bytes, IV = the nonce's UTF-8
 * bytes, AAD = `associatedData` (may be empty), ciphertext = base64(encrypted ‖ 16-byte tag).
 *
 * @returns the plaintext as UTF-8 text.
 * @throws {@link SignerError} `DECRYPT_FAILED` when the tag does not verify (almost always the wrong key) or
 * the ciphertext is not base64 of at least 16 bytes; `INVALID_ARGUMENT` for a non-string field or a key
 * that is not an {@link ApiV3Key}.
 */
export function decryptAeadAes256Gcm(input: {
  key: ApiV3Key;
  nonce: string;
  associatedData?: string;
  ciphertext: string;
}): string {
  const key = apiV3AesKey(input.key);
  const iv = nonceBytes(input.nonce);
  const aad = aadBytes(input.associatedData);
  const { ciphertext } = input;
  if (typeof ciphertext !== 'string')
    throw invalidArgument('ciphertext', 'a base64 string', describeValue(ciphertext));
  if (ciphertext.length % 4 !== 0 || !base64Shape.test(ciphertext)) {
    throw new SignerError({
      code: 'DECRYPT_FAILED',
      message: 'ciphertext must be base64',
      hint: decryptHint,
    });
  }
  const bytes = Buffer.from(ciphertext, 'base64');
  if (bytes.length < tagLength) {
    throw new SignerError({
      code: 'DECRYPT_FAILED',
      message: `ciphertext must hold at least the ${tagLength}-byte tag, received ${bytes.length} bytes`,
      hint: decryptHint,
    });
  }
  const split = bytes.length - tagLength;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
    decipher.setAuthTag(bytes.subarray(split));
    decipher.setAAD(aad);
    const plain = Buffer.concat([decipher.update(bytes.subarray(0, split)), decipher.final()]);
    return plain.toString('utf8');
  } catch (error) {
    throw new SignerError({
      code: 'DECRYPT_FAILED',
      message: 'AEAD_AES_256_GCM decryption failed: the authentication tag does not match',
      hint: decryptHint,
      cause: error,
    });
  }
}

/**
 * Encrypts as WeChat Pay does for callbacks and certificates (for the sandbox and tests); the inverse of
 * {@link decryptAeadAes256Gcm}. Use a fresh nonce for every message under the same key.
 *
 * @returns base64(encrypted ‖ 16-byte tag).
 */
export function encryptAeadAes256Gcm(input: {
  key: ApiV3Key;
  nonce: string;
  associatedData?: string;
  plaintext: string;
}): string {
  const key = apiV3AesKey(input.key);
  const iv = nonceBytes(input.nonce);
  const aad = aadBytes(input.associatedData);
  if (typeof input.plaintext !== 'string')
    throw invalidArgument('plaintext', 'a string', describeValue(input.plaintext));
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
  cipher.setAAD(aad);
  const encrypted = Buffer.concat([
    cipher.update(input.plaintext, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return encrypted.toString('base64');
}

/**
 * Decrypts an APIv3 `resource` or `encrypt_certificate` with the APIv3 key.
 *
 * @throws {@link SignerError} `UNSUPPORTED_ALGORITHM` unless `algorithm` is `AEAD_AES_256_GCM`; otherwise as
 * {@link decryptAeadAes256Gcm}.
 */
export function decryptResource(resource: EncryptedResource, key: ApiV3Key): string {
  if (typeof resource !== 'object' || resource === null) {
    throw invalidArgument(
      'resource',
      'an object with algorithm, ciphertext and nonce',
      describeValue(resource),
    );
  }
  if (resource.algorithm !== 'AEAD_AES_256_GCM') {
    const received =
      typeof resource.algorithm === 'string'
        ? JSON.stringify(resource.algorithm.slice(0, 64))
        : describeValue(resource.algorithm);
    throw new SignerError({
      code: 'UNSUPPORTED_ALGORITHM',
      message: `resource.algorithm must be AEAD_AES_256_GCM, received ${received}`,
    });
  }
  for (const field of ['ciphertext', 'nonce'] as const) {
    if (typeof resource[field] !== 'string') {
      throw invalidArgument(`resource.${field}`, 'a string', describeValue(resource[field]));
    }
  }
  const associated = resource.associated_data;
  if (associated != null && typeof associated !== 'string') {
    throw invalidArgument('resource.associated_data', 'a string', describeValue(associated));
  }
  return decryptAeadAes256Gcm({
    key,
    nonce: resource.nonce,
    associatedData: associated ?? '',
    ciphertext: resource.ciphertext,
  });
}

function nonceBytes(nonce: unknown): Buffer {
  if (typeof nonce !== 'string' || nonce === '') {
    throw invalidArgument(
      'nonce',
      'a non-empty string (WeChat Pay sends 12 characters)',
      describeValue(nonce),
    );
  }
  return Buffer.from(nonce, 'utf8');
}

function aadBytes(associatedData: unknown): Buffer {
  if (associatedData === undefined || associatedData === null) return Buffer.alloc(0);
  if (typeof associatedData !== 'string') {
    throw invalidArgument('associatedData', 'a string', describeValue(associatedData));
  }
  return Buffer.from(associatedData, 'utf8');
}
