import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { randomDigits, randomV2ApiKey } from '../ids.ts';
import type { SandboxMerchantV3, SandboxPlatform, SandboxPlatformCertificate } from '../types.ts';
import { createSelfSignedCertificate } from './x509.ts';

/** An RSA key pair as node:crypto objects. */
export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** WeChat Pay's platform certificates are valid for five years. */
const certificateLifetimeMs = 5 * 365 * 24 * 60 * 60 * 1000;

const cached = new Map<string, KeyPair>();

/** A new RSA-2048 key pair (50–200 ms of CPU). */
export function freshKeyPair(): KeyPair {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/**
 * The RSA-2048 key pair for a role (`merchant-0`, `platform-public-key`, …), made once per process: tests
 * start many sandboxes, and each would otherwise spend a good part of a second making keys. Sandboxes in one
 * process therefore share keys role by role, while their ids, serials and APIv3 keys stay their own.
 */
export function cachedKeyPair(role: string): KeyPair {
  let pair = cached.get(role);
  if (!pair) {
    pair = freshKeyPair();
    cached.set(role, pair);
  }
  return pair;
}

export function privatePem(pair: KeyPair): string {
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function publicPem(pair: KeyPair): string {
  return pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** 40 uppercase hex digits, the shape of WeChat's certificate serials. */
export function randomSerial(): string {
  const bytes = randomBytes(20);
  bytes[0] = (bytes[0]! % 0x7f) + 1;
  return bytes.toString('hex').toUpperCase();
}

/** APIv3 credentials for the `index`-th merchant of a config. */
export function generateMerchantV3(index: number): SandboxMerchantV3 {
  const pair = cachedKeyPair(`merchant-${index}`);
  return {
    serialNo: randomSerial(),
    privateKey: privatePem(pair),
    publicKey: publicPem(pair),
    apiV3Key: randomV2ApiKey(),
  };
}

/** A platform certificate for a key pair, valid from a minute ago for five years, with its private key. */
export function generatePlatformCertificate(pair: KeyPair): Required<SandboxPlatformCertificate> {
  const notBefore = new Date(Date.now() - 60_000);
  const { serialNo, pem } = createSelfSignedCertificate(pair, {
    commonName: 'wxpark sandbox platform certificate',
    notBefore,
    notAfter: new Date(notBefore.getTime() + certificateLifetimeMs),
  });
  return { serialNo, certificate: pem, privateKey: privatePem(pair) };
}

/** WeChat Pay's keys for a new config, private keys included (the sandbox needs them to sign). */
export function generatePlatform(): SandboxPlatform {
  const publicKey = cachedKeyPair('platform-public-key');
  return {
    publicKeyId: `PUB_KEY_ID_01${randomDigits(26)}`,
    publicKey: publicPem(publicKey),
    privateKey: privatePem(publicKey),
    certificates: [generatePlatformCertificate(cachedKeyPair('platform-certificate'))],
  };
}
