import { createSecretKey, type KeyObject } from 'node:crypto';
import { describeValue, SignerError } from './errors.ts';
import { Redacted } from './redacted.ts';

// Filled by the classes' static blocks: the only way to read a #private field from outside a class body,
// so sibling modules can use the raw key while nothing reachable from the public entry can.
// Each reader returns undefined for anything that is not a genuine holder (brand check with `#field in`).
let makeV2: (secret: string) => V2ApiKey;
let readV2: (key: unknown) => Buffer | undefined;
let readV2Hmac: (key: unknown) => KeyObject | undefined;
let makeV3: (secret: string) => ApiV3Key;
let readV3: (key: unknown) => KeyObject | undefined;

/**
 * APIv2 密钥 (the 32-character API key from 商户平台 → 账户中心 → API安全), held opaquely.
 *
 * Printing it in any way (`String()`, template literals, `JSON.stringify`, `console.log`,
 * `util.inspect`) gives `V2ApiKey(redacted)`. Create one with {@link createV2ApiKey}.
 */
export class V2ApiKey extends Redacted {
  readonly #bytes: Buffer;
  #hmacKey: KeyObject | undefined;

  // Private for callers, and still checked: plain JavaScript can call it despite `private`.
  private constructor(secret: string) {
    checkV2Key(secret);
    super('V2ApiKey');
    this.#bytes = Buffer.from(secret, 'utf8');
  }

  static {
    makeV2 = (secret) => new V2ApiKey(secret);
    readV2 = (key) => (isObject(key) && #bytes in key ? key.#bytes : undefined);
    readV2Hmac = (key) => {
      if (!isObject(key) || !(#bytes in key)) return undefined;
      key.#hmacKey ??= createSecretKey(key.#bytes);
      return key.#hmacKey;
    };
  }
}

/**
 * APIv3 密钥 (the 32-byte key set under 商户平台 → API安全 → 设置APIv3密钥), held opaquely. It decrypts
 * callbacks and platform certificates (AEAD_AES_256_GCM).
 *
 * Printing it in any way gives `ApiV3Key(redacted)`. Create one with {@link createApiV3Key}.
 */
export class ApiV3Key extends Redacted {
  readonly #bytes: Buffer;
  #aesKey: KeyObject | undefined;

  // Private for callers, and still checked: plain JavaScript can call it despite `private`.
  private constructor(secret: string) {
    checkApiV3Key(secret);
    super('ApiV3Key');
    this.#bytes = Buffer.from(secret, 'utf8');
  }

  static {
    makeV3 = (secret) => new ApiV3Key(secret);
    readV3 = (key) => {
      if (!isObject(key) || !(#bytes in key)) return undefined;
      key.#aesKey ??= createSecretKey(key.#bytes);
      return key.#aesKey;
    };
  }
}

function checkV2Key(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string' || secret.length !== 32) {
    throw new SignerError({
      code: 'INVALID_V2_KEY',
      message: `the APIv2 key must be a string of exactly 32 characters, received ${describeValue(secret)}`,
      hint: 'copy the APIv2 密钥 from 商户平台 → API安全 without surrounding spaces, quotes or a trailing newline',
    });
  }
}

function checkApiV3Key(secret: unknown): asserts secret is string {
  const bytes = typeof secret === 'string' ? Buffer.byteLength(secret, 'utf8') : -1;
  if (bytes !== 32) {
    const received = typeof secret === 'string' ? `${bytes} bytes` : describeValue(secret);
    throw new SignerError({
      code: 'INVALID_APIV3_KEY',
      message: `the APIv3 key must be exactly 32 bytes of UTF-8, received ${received}`,
      hint: 'the APIv3 key is set separately from the APIv2 key in the merchant console (API安全 → 设置APIv3密钥)',
    });
  }
}

/**
 * Wraps the APIv2 密钥 so it cannot leak through logs or serialisation.
 *
 * @param secret - exactly 32 characters.
 * @throws {@link SignerError} `INVALID_V2_KEY` for any other length or a non-string.
 * @example
 * ```ts
 * const sign = signV2(fields, createV2ApiKey(process.env.WXPAY_V2_KEY!), 'HMAC-SHA256');
 * ```
 */
export function createV2ApiKey(secret: string): V2ApiKey {
  return makeV2(secret);
}

/**
 * Wraps the APIv3 密钥 so it cannot leak through logs or serialisation.
 *
 * @param secret - exactly 32 bytes once encoded as UTF-8 (WeChat Pay issues 32 ASCII characters).
 * @throws {@link SignerError} `INVALID_APIV3_KEY` for any other length or a non-string.
 * @example
 * ```ts
 * const apiV3Key = createApiV3Key(process.env.WXPAY_V3_KEY!);
 * const resource = decryptResource(notice.resource, apiV3Key);
 * ```
 */
export function createApiV3Key(secret: string): ApiV3Key {
  return makeV3(secret);
}

/** The APIv2 key's UTF-8 bytes. Internal to this package: not exported from the public entry. */
export function v2KeyBytes(key: V2ApiKey): Buffer {
  return readV2(key) ?? notAHolder(key, 'createV2ApiKey');
}

/** The APIv2 key as an HMAC key, created once per holder. Internal to this package. */
export function v2HmacKey(key: V2ApiKey): KeyObject {
  return readV2Hmac(key) ?? notAHolder(key, 'createV2ApiKey');
}

/** The APIv3 key as an AES-256 key, created once per holder. Internal to this package. */
export function apiV3AesKey(key: ApiV3Key): KeyObject {
  return readV3(key) ?? notAHolder(key, 'createApiV3Key');
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function notAHolder(value: unknown, factory: 'createV2ApiKey' | 'createApiV3Key'): never {
  const type = factory === 'createV2ApiKey' ? 'V2ApiKey' : 'ApiV3Key';
  throw new SignerError({
    code: 'INVALID_ARGUMENT',
    message: `key must be a ${type} made by ${factory}(), received ${describeValue(value)}`,
    // A holder from a second installed copy of this package fails the brand check too.
    hint:
      typeof value === 'string'
        ? `wrap the raw key once at start-up with ${factory}() and pass the holder`
        : `make the key with ${factory}() from the same copy of @wxpark/signer that uses it`,
  });
}
