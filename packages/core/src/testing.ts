import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import {
  buildV3VerifyMessage,
  createApiV3Key,
  createNonce,
  encryptAeadAes256Gcm,
  loadPlatformPublicKey,
  type PlatformKey,
} from '@wxpark/signer';
import { formatChinaRfc3339 } from './time.ts';

/**
 * Keys for testing your own notice handlers without WeChat Pay or the sandbox: configure the handler (or
 * the client) with them, and sign test notices with them. Never use them anywhere else.
 */
export interface TestNoticeKeys {
  /** An APIv3 key (32 characters) to configure as `apiV3Key`. */
  readonly apiV3Key: string;
  /** An APIv2 key (32 characters) to configure as `apiKey` for APIv2 notices. */
  readonly v2ApiKey: string;
  /** A WeChat Pay public key and its id, shaped like `ClientOptions.v3.publicKey`. */
  readonly publicKey: { readonly id: string; readonly key: string };
  /** The private half of `publicKey`, which signs test notices as WeChat Pay would (PEM). */
  readonly privateKey: string;
  /** `publicKey`, loaded, to pass as a handler's `verifier`. */
  readonly verifier: readonly PlatformKey[];
}

/** Makes a fresh set of test keys (a new 2048-bit RSA pair and random APIv2/APIv3 keys). */
export function createTestNoticeKeys(): TestNoticeKeys {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const id = `PUB_KEY_ID_01${randomBytes(16).toString('hex').toUpperCase()}`;
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    apiV3Key: randomKey(),
    v2ApiKey: randomKey(),
    publicKey: { id, key: publicKey },
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    verifier: [loadPlatformPublicKey(id, publicKey)],
  };
}

let shared: TestNoticeKeys | undefined;

/**
 * The test keys of this process: made on first use, then the same on every call, so a test can configure
 * its handler and sign its notices without passing keys around.
 */
export function testNoticeKeys(): TestNoticeKeys {
  shared ??= createTestNoticeKeys();
  return shared;
}

/** A signed test notice, ready to POST. */
export interface TestNotice {
  /** The raw body, exactly as WeChat Pay would send it. */
  readonly body: string;
  /** The request headers, `Wechatpay-*` signature headers included. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Settings for {@link createTestV3Notice}. */
export interface TestV3NoticeOptions {
  /** 通知类型, e.g. `VEHICLE.ENTRANCE_STATE_CHANGE`. */
  event_type: string;
  /** The resource before encryption (sent as encrypted JSON). */
  resource: object;
  /** @default a random UUID */
  id?: string;
  /** @default the event family (`parking_fee`, `transaction`, …) */
  original_type?: string;
  /** @default '通知' */
  summary?: string;
  /** @default testNoticeKeys() */
  keys?: TestNoticeKeys;
  /**
   * The signature time in Unix seconds (to test the 5-minute window).
   * @default now
   */
  timestamp?: number;
}

/**
 * Builds an APIv3 notice as WeChat Pay sends it: the envelope with its resource encrypted under the test
 * APIv3 key, signed with the test private key. Like stripe's `generateTestHeaderString`, for testing your
 * own handler without the sandbox.
 *
 * @example
 * ```ts
 * import { createTestV3Notice, testNoticeKeys } from '@wxpark/core/testing';
 *
 * const keys = testNoticeKeys();
 * const handler = createParkingNoticeHandler({ verifier: keys.verifier, apiV3Key: keys.apiV3Key, onNotice });
 * const { body, headers } = createTestV3Notice({ event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE', resource });
 * const answer = await handler.fetch(new Request('http://test/notify', { method: 'POST', headers, body }));
 * ```
 */
export function createTestV3Notice(options: TestV3NoticeOptions): TestNotice & { readonly id: string } {
  const keys = options.keys ?? testNoticeKeys();
  const id = options.id ?? randomUUID();
  const originalType = options.original_type ?? originalTypeOf(options.event_type);
  const nonce = createNonce(12);
  const body = JSON.stringify({
    id,
    create_time: formatChinaRfc3339(new Date()),
    resource_type: 'encrypt-resource',
    event_type: options.event_type,
    summary: options.summary ?? '通知',
    resource: {
      original_type: originalType,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptAeadAes256Gcm({
        key: createApiV3Key(keys.apiV3Key),
        nonce,
        associatedData: originalType,
        plaintext: JSON.stringify(options.resource),
      }),
      associated_data: originalType,
      nonce,
    },
  });
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signatureNonce = createNonce(32);
  const signature = sign(
    'sha256',
    Buffer.from(buildV3VerifyMessage(timestamp, signatureNonce, body), 'utf8'),
    keys.privateKey,
  ).toString('base64');
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': signatureNonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': keys.publicKey.id,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
  };
}

function originalTypeOf(eventType: string): string {
  if (eventType === 'PARKING_FEE.QUERY_TRANS_INFO') return 'parking_fee';
  if (eventType.startsWith('MALL_')) return eventType.split('.')[0]!.toLowerCase();
  return eventType.split('.')[0]!.toLowerCase();
}

function randomKey(): string {
  return randomBytes(24).toString('base64url').slice(0, 32);
}
