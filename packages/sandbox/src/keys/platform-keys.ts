import type { KeyObject } from 'node:crypto';
import { createRsaSigner, loadPlatformCertificate, loadPrivateKey, type RequestSigner } from '@wxpark/signer';
import { SandboxUsageError } from '../errors.ts';
import type { SandboxPlatform, V3KeyMode } from '../types.ts';
import { freshKeyPair, generatePlatformCertificate } from './keys.ts';

/** One of WeChat Pay's keys as the sandbox holds it: the private half included. */
export interface HeldPlatformKey {
  /** What `Wechatpay-Serial` names it by: `PUB_KEY_ID_…` or the certificate serial. */
  readonly id: string;
  readonly kind: V3KeyMode;
  readonly signer: RequestSigner;
  readonly privateKey: KeyObject;
  /** Certificates only. */
  readonly certificate?: { pem: string; notBefore: Date; notAfter: Date };
}

export const keyModes: readonly V3KeyMode[] = ['public-key', 'certificate'];

/** WeChat Pay's keys, the key mode, and certificate rotation. */
export interface PlatformKeyring {
  readonly mode: V3KeyMode;
  setMode(mode: V3KeyMode): void;
  /**
   * The key that signs an answer: the one the request named in `Wechatpay-Serial` when the sandbox holds it
   * (WeChat answers with the key the merchant asks for, which is how a switch from certificates to the public
   * key works), else the key of `mode` (default: the current mode).
   */
  signingKey(requested?: string, mode?: V3KeyMode): HeldPlatformKey;
  /** The certificates `/v3/certificates` lists, oldest first. */
  certificates(): HeldPlatformKey[];
  rotate(): { serialNo: string };
  retire(serialNo: string): void;
}

function checkMode(mode: unknown): asserts mode is V3KeyMode {
  if (!keyModes.includes(mode as V3KeyMode)) {
    throw new SandboxUsageError(
      `key mode: expected one of ${keyModes.join(', ')}, got ${JSON.stringify(mode)}`,
    );
  }
}

function holdCertificate(pem: string, privatePem: string): HeldPlatformKey {
  const loaded = loadPlatformCertificate(pem);
  const privateKey = loadPrivateKey(privatePem);
  return {
    id: loaded.id,
    kind: 'certificate',
    signer: createRsaSigner(privateKey),
    privateKey,
    certificate: { pem, notBefore: loaded.notBefore!, notAfter: loaded.notAfter! },
  };
}

/**
 * Holds the platform keys of `platform` (private keys required) and keeps `view` (the public copy shown in
 * `sandbox.config`) in step with rotations.
 */
export function createPlatformKeyring(
  platform: SandboxPlatform,
  view: SandboxPlatform,
  initialMode: V3KeyMode,
): PlatformKeyring {
  checkMode(initialMode);
  let mode = initialMode;
  const publicPrivate = loadPrivateKey(platform.privateKey!);
  const publicKey: HeldPlatformKey = {
    id: platform.publicKeyId,
    kind: 'public-key',
    signer: createRsaSigner(publicPrivate),
    privateKey: publicPrivate,
  };
  const listed = platform.certificates.map((c) => holdCertificate(c.certificate, c.privateKey!));

  return {
    get mode() {
      return mode;
    },
    setMode(next) {
      checkMode(next);
      mode = next;
    },
    signingKey(requested, forMode = mode) {
      if (requested === publicKey.id) return publicKey;
      const asked = requested && listed.find((k) => k.id === requested.toUpperCase());
      if (asked) return asked;
      return forMode === 'public-key' ? publicKey : listed[listed.length - 1]!;
    },
    certificates() {
      return listed.slice();
    },
    rotate() {
      const generated = generatePlatformCertificate(freshKeyPair());
      listed.push(holdCertificate(generated.certificate, generated.privateKey));
      view.certificates.push({ serialNo: generated.serialNo, certificate: generated.certificate });
      return { serialNo: generated.serialNo };
    },
    retire(serialNo) {
      const id = typeof serialNo === 'string' ? serialNo.toUpperCase() : '';
      const at = listed.findIndex((k) => k.id === id);
      if (at === -1) {
        throw new SandboxUsageError(
          `serialNo: expected one of ${listed.map((k) => k.id).join(', ')}, got ${JSON.stringify(serialNo)}`,
        );
      }
      if (listed.length === 1) {
        throw new SandboxUsageError(
          `serialNo: ${id} is the only platform certificate left; rotate before retiring it`,
        );
      }
      listed.splice(at, 1);
      view.certificates.splice(
        view.certificates.findIndex((c) => c.serialNo.toUpperCase() === id),
        1,
      );
    },
  };
}

/** The platform as `sandbox.config` shows it: public parts only. */
export function publicPlatformView(platform: SandboxPlatform): SandboxPlatform {
  return {
    publicKeyId: platform.publicKeyId,
    publicKey: platform.publicKey,
    certificates: platform.certificates.map((c) => ({ serialNo: c.serialNo, certificate: c.certificate })),
  };
}
