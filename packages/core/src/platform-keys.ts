import {
  type KeyInput,
  loadPlatformCertificate,
  loadPlatformPublicKey,
  type PlatformKey,
  PlatformKeySet,
  type SignatureVerifier,
  SignerError,
} from '@wxpark/signer';
import { WxparkError } from './errors.ts';

/**
 * Where WeChat Pay's keys come from: the verifier for responses and callbacks, and the id the client asks
 * WeChat to answer with (the `Wechatpay-Serial` request header).
 */
export interface PlatformKeyProvider extends SignatureVerifier {
  /** The key id WeChat should sign responses with: a `PUB_KEY_ID_…` or a certificate serial. */
  preferredSerial(): Promise<string | undefined>;
  /** The key to encrypt sensitive request fields with, and its id. */
  encryptionKey(): Promise<PlatformKey>;
}

/** Settings for {@link createPlatformKeys}. */
export interface PlatformKeysOptions {
  /** 微信支付公钥 and its id (`PUB_KEY_ID_…`): public-key mode, the only mode for merchants registered recently. */
  publicKey?: { id: string; key: KeyInput };
  /** Platform certificates already held (PEM). */
  certificates?: readonly (string | Buffer)[];
  /**
   * Downloads and decrypts the current platform certificates. `createClient` supplies one that calls
   * `GET /v3/certificates`; leave it out in public-key mode so that endpoint is never called.
   */
  download?: () => Promise<PlatformKey[]>;
  /**
   * Least milliseconds between downloads triggered by an unknown serial after a successful one, so forged
   * notices cannot make the client hammer `/v3/certificates`.
   * @default 60000
   */
  minRefreshInterval?: number;
  /**
   * Milliseconds before the first download after a failed one, doubling with each further failure up to
   * `minRefreshInterval`, so a certificate rotated right after a failure is picked up within seconds.
   * @default 1000
   */
  failureBackoff?: number;
  /**
   * Refresh certificates this long before the newest one expires, and at least this often.
   * @default 43200000 (12 hours)
   */
  refreshEvery?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Holds WeChat Pay's platform keys in one of three modes: the public key alone, platform certificates
 * (downloaded, cached, refreshed before expiry and on an unknown serial, concurrent refreshes coalesced),
 * or both during a switch-over (the public key is preferred).
 */
export function createPlatformKeys(options: PlatformKeysOptions): PlatformKeyProvider {
  const now = options.now ?? Date.now;
  const set = new PlatformKeySet([], { now });
  const publicKey = options.publicKey
    ? loadPlatformPublicKey(options.publicKey.id, options.publicKey.key)
    : undefined;
  if (publicKey) set.add(publicKey);
  for (const pem of options.certificates ?? []) set.add(loadPlatformCertificate(pem));
  const download = options.download;
  const minInterval = options.minRefreshInterval ?? 60_000;
  const refreshEvery = options.refreshEvery ?? 12 * 60 * 60 * 1000;
  const failureBackoff = Math.min(options.failureBackoff ?? 1_000, minInterval);
  let inFlight: Promise<void> | undefined;
  let lastRefresh = Number.NEGATIVE_INFINITY;
  // Refreshes for an unknown serial are rate-limited on their own clock: the download at start must not
  // stop the client from following a rotation a minute later, and forged serials must not cost a download
  // each. After a failed download the wait is short and grows (1 s, 2 s, 4 s … up to minRefreshInterval):
  // a rotation right after a failure would otherwise fail every response and notice for a whole interval.
  let nextMissRefresh = Number.NEGATIVE_INFINITY;
  let failures = 0;

  function refresh(onMiss = false): Promise<void> {
    if (!download) return Promise.resolve();
    inFlight ??= download()
      .then(
        (keys) => {
          for (const key of keys) set.add(key);
          // Drop certificates that have expired; overlapping ones stay for notices still signed with them.
          for (const id of set.ids()) {
            const key = set.get(id);
            if (key?.kind === 'certificate' && key.notAfter && key.notAfter.getTime() < now()) set.delete(id);
          }
          failures = 0;
          if (onMiss) nextMissRefresh = now() + minInterval;
        },
        (error: unknown) => {
          failures++;
          nextMissRefresh = now() + Math.min(failureBackoff * 2 ** (failures - 1), minInterval);
          throw error;
        },
      )
      .finally(() => {
        lastRefresh = now();
        inFlight = undefined;
      });
    return inFlight;
  }

  function newestCertificate(): PlatformKey | undefined {
    let newest: PlatformKey | undefined;
    for (const id of set.ids()) {
      const key = set.get(id)!;
      if (key.kind !== 'certificate') continue;
      if (key.notBefore && key.notBefore.getTime() > now()) continue;
      // Ties (certificates issued within the same second) go to the one learnt last.
      if (!newest || (key.notBefore?.getTime() ?? 0) >= (newest.notBefore?.getTime() ?? 0)) newest = key;
    }
    return newest;
  }

  async function ensureFresh(): Promise<void> {
    if (!download) return;
    const newest = newestCertificate();
    if (!newest) return refresh();
    const expiresSoon = newest.notAfter !== undefined && newest.notAfter.getTime() - now() < refreshEvery;
    if ((expiresSoon || now() - lastRefresh > refreshEvery) && !inFlight) {
      // A usable certificate is held: refresh in the background rather than delay this call.
      refresh().catch(() => {});
    }
  }

  return {
    async verify(serial, message, signature, context) {
      if (!set.has(serial) && download && (inFlight || now() >= nextMissRefresh)) {
        await refresh(true).catch((error: unknown) => {
          throw new WxparkError({
            code: 'PLATFORM_KEYS_UNAVAILABLE',
            message: `a response was signed with key ${serial}, and downloading the platform certificates to find it failed`,
            cause: error,
          });
        });
      }
      return set.verify(serial, message, signature, context);
    },
    async preferredSerial() {
      if (publicKey) return publicKey.id;
      await ensureFresh();
      return newestCertificate()?.id;
    },
    async encryptionKey() {
      if (publicKey) return publicKey;
      await ensureFresh();
      const key = newestCertificate();
      if (!key) {
        throw new SignerError({
          code: 'UNKNOWN_SERIAL',
          message: 'no platform key is available to encrypt sensitive fields with',
        });
      }
      return key;
    },
  };
}
