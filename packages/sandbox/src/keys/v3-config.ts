import { createPublicKey, type KeyObject } from 'node:crypto';
import { createApiV3Key, loadPlatformCertificate, loadPrivateKey } from '@wxpark/signer';
import { SandboxConfigError } from '../errors.ts';
import type {
  SandboxBrand,
  SandboxMallMember,
  SandboxMerchant,
  SandboxMerchantV3,
  SandboxParkingLot,
  SandboxPlatform,
  SandboxPlatformCertificate,
} from '../types.ts';
import { fail, isRecord, text } from './config-fields.ts';

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function pem(record: Record<string, unknown>, key: string, path: string): string {
  const value = record[key];
  if (typeof value !== 'string' || !value.includes('-----BEGIN')) {
    fail(`${path}.${key}`, 'PEM text (-----BEGIN …)', value);
  }
  return value;
}

function privateKeyAt(record: Record<string, unknown>, key: string, path: string): KeyObject {
  const value = pem(record, key, path);
  try {
    return loadPrivateKey(value);
  } catch (error) {
    throw new SandboxConfigError(`${path}.${key}: ${(error as Error).message}`);
  }
}

function publicKeyAt(record: Record<string, unknown>, key: string, path: string): KeyObject {
  const value = pem(record, key, path);
  try {
    return createPublicKey(value);
  } catch {
    throw new SandboxConfigError(`${path}.${key}: expected a PEM public key (-----BEGIN PUBLIC KEY-----)`);
  }
}

function samePair(privateKey: KeyObject, publicKey: KeyObject, path: string, what: string): void {
  if (!createPublicKey(privateKey).equals(publicKey)) {
    throw new SandboxConfigError(`${path}.privateKey: expected the private key of ${what}, got another key`);
  }
}

function hex(record: Record<string, unknown>, key: string, path: string): string {
  const value = record[key];
  if (typeof value !== 'string' || !/^[0-9A-Fa-f]{1,64}$/.test(value)) {
    fail(`${path}.${key}`, 'a certificate serial in hex (1 to 64 digits)', value);
  }
  return value;
}

/** A merchant's APIv3 credentials: the key pair must match and the APIv3 key be 32 bytes. */
export function parseMerchantV3(value: unknown, path: string): SandboxMerchantV3 {
  if (!isRecord(value)) fail(path, 'an object with serialNo, privateKey, publicKey and apiV3Key', value);
  const serialNo = hex(value, 'serialNo', path);
  const privateKey = privateKeyAt(value, 'privateKey', path);
  const publicKey = publicKeyAt(value, 'publicKey', path);
  samePair(privateKey, publicKey, path, `${path}.publicKey`);
  const apiV3Key = value.apiV3Key;
  if (typeof apiV3Key !== 'string') fail(`${path}.apiV3Key`, 'a string of exactly 32 characters', apiV3Key);
  try {
    createApiV3Key(apiV3Key);
  } catch {
    throw new SandboxConfigError(
      `${path}.apiV3Key: expected exactly 32 bytes of UTF-8, got ${Buffer.byteLength(apiV3Key)}`,
    );
  }
  return {
    serialNo,
    privateKey: value.privateKey as string,
    publicKey: value.publicKey as string,
    apiV3Key,
  };
}

function parseCertificate(value: unknown, path: string): Required<SandboxPlatformCertificate> {
  if (!isRecord(value)) fail(path, 'an object with serialNo, certificate and privateKey', value);
  const serialNo = hex(value, 'serialNo', path);
  const certificate = pem(value, 'certificate', path);
  let loaded: ReturnType<typeof loadPlatformCertificate>;
  try {
    loaded = loadPlatformCertificate(certificate);
  } catch (error) {
    throw new SandboxConfigError(`${path}.certificate: ${(error as Error).message}`);
  }
  if (loaded.id !== serialNo.toUpperCase()) {
    throw new SandboxConfigError(
      `${path}.serialNo: ${serialNo} is not the certificate's serial ${loaded.id}`,
    );
  }
  samePair(privateKeyAt(value, 'privateKey', path), loaded.publicKey, path, `${path}.certificate`);
  return { serialNo: loaded.id, certificate, privateKey: value.privateKey as string };
}

/**
 * WeChat Pay's keys from a config file. Unlike in `sandbox.config`, the private keys are required here: the
 * sandbox signs with them.
 */
export function parsePlatform(value: unknown, path: string): SandboxPlatform {
  if (!isRecord(value))
    fail(path, 'an object with publicKeyId, publicKey, privateKey and certificates', value);
  const publicKeyId = value.publicKeyId;
  if (typeof publicKeyId !== 'string' || !/^PUB_KEY_ID_[0-9A-Za-z_]+$/.test(publicKeyId)) {
    fail(`${path}.publicKeyId`, 'PUB_KEY_ID_ followed by digits', publicKeyId);
  }
  const publicKey = publicKeyAt(value, 'publicKey', path);
  samePair(privateKeyAt(value, 'privateKey', path), publicKey, path, `${path}.publicKey`);
  const certificates = value.certificates;
  if (!Array.isArray(certificates) || certificates.length === 0) {
    fail(`${path}.certificates`, 'a non-empty array', certificates);
  }
  const parsed = certificates.map((c: unknown, i) => parseCertificate(c, `${path}.certificates[${i}]`));
  const serials = new Set<string>();
  for (const [i, certificate] of parsed.entries()) {
    if (serials.has(certificate.serialNo)) {
      throw new SandboxConfigError(
        `${path}.certificates[${i}].serialNo: ${certificate.serialNo} appears twice`,
      );
    }
    serials.add(certificate.serialNo);
  }
  return {
    publicKeyId,
    publicKey: value.publicKey as string,
    privateKey: value.privateKey as string,
    certificates: parsed,
  };
}

function knownMchIds(merchants: SandboxMerchant[]): Set<string> {
  const ids = new Set<string>();
  for (const m of merchants) {
    ids.add(m.mchId);
    for (const sub of m.subMerchants ?? []) ids.add(sub.subMchId);
  }
  return ids;
}

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(path, 'a positive integer', value);
  }
  return value;
}

export function parseBrands(values: unknown[], merchants: SandboxMerchant[]): SandboxBrand[] {
  const known = knownMchIds(merchants);
  const seen = new Set<number>();
  return values.map((value, i) => {
    const path = `brands[${i}]`;
    if (!isRecord(value)) fail(path, 'an object with brandId, appId and mchIds', value);
    const brandId = positiveInteger(value.brandId, `${path}.brandId`);
    if (seen.has(brandId)) throw new SandboxConfigError(`${path}.brandId: ${brandId} appears twice`);
    seen.add(brandId);
    const mchIds = value.mchIds;
    if (!Array.isArray(mchIds) || mchIds.length === 0) fail(`${path}.mchIds`, 'a non-empty array', mchIds);
    for (const [j, mchId] of mchIds.entries()) {
      if (typeof mchId !== 'string' || !known.has(mchId)) {
        fail(`${path}.mchIds[${j}]`, 'the mchId of a merchant or sub-merchant in merchants', mchId);
      }
    }
    return { brandId, appId: text(value, 'appId', path)!, mchIds: [...(mchIds as string[])] };
  });
}

const authorizeStates = ['UNAUTHORIZED', 'AUTHORIZED', 'DEAUTHORIZED'] as const;

function time(record: Record<string, unknown>, key: string, path: string): string | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !rfc3339.test(value) || Number.isNaN(Date.parse(value))) {
    fail(`${path}.${key}`, 'an RFC 3339 time such as 2026-11-24T10:34:56+08:00', value);
  }
  return value;
}

export function parseMallMembers(values: unknown[], brands: SandboxBrand[]): SandboxMallMember[] {
  return values.map((value, i) => {
    const path = `mallMembers[${i}]`;
    if (!isRecord(value)) fail(path, 'an object with openid, brandId and authorize_state', value);
    const openid = text(value, 'openid', path, false, 128)!;
    const brandId = positiveInteger(value.brandId, `${path}.brandId`);
    if (!brands.some((b) => b.brandId === brandId))
      fail(`${path}.brandId`, 'the brandId of one of brands', brandId);
    const state = value.authorize_state;
    if (typeof state !== 'string' || !(authorizeStates as readonly string[]).includes(state)) {
      fail(`${path}.authorize_state`, `one of ${authorizeStates.join(', ')}`, state);
    }
    const commit = value.points_commit_status;
    if (commit !== undefined && commit !== 'PENDING' && commit !== 'FINISHED') {
      fail(`${path}.points_commit_status`, 'PENDING or FINISHED', commit);
    }
    const authorize_time = time(value, 'authorize_time', path);
    const deauthorize_time = time(value, 'deauthorize_time', path);
    return {
      openid,
      brandId,
      authorize_state: state as SandboxMallMember['authorize_state'],
      ...(authorize_time === undefined ? {} : { authorize_time }),
      ...(deauthorize_time === undefined ? {} : { deauthorize_time }),
      ...(commit === undefined ? {} : { points_commit_status: commit }),
    };
  });
}

const enabledStates = [
  'ENABLED_STATE_NOT_ENABLED',
  'ENABLED_STATE_ENABLED',
  'ENABLED_STATE_OFFLINE',
] as const;

export function parseParkingLots(values: unknown[], merchants: SandboxMerchant[]): SandboxParkingLot[] {
  const seen = new Set<string>();
  return values.map((value, i) => {
    const path = `parkingLots[${i}]`;
    if (!isRecord(value)) fail(path, 'an object', value);
    const wx_parking_lot_id = text(value, 'wx_parking_lot_id', path, false, 64)!;
    if (seen.has(wx_parking_lot_id)) {
      throw new SandboxConfigError(`${path}.wx_parking_lot_id: ${wx_parking_lot_id} appears twice`);
    }
    seen.add(wx_parking_lot_id);
    const mchId = text(value, 'mchId', path)!;
    if (!merchants.some((m) => m.mchId === mchId))
      fail(`${path}.mchId`, 'the mchId of one of merchants', mchId);
    const state = value.enabled_state;
    if (typeof state !== 'string' || !(enabledStates as readonly string[]).includes(state)) {
      fail(`${path}.enabled_state`, `one of ${enabledStates.join(', ')}`, state);
    }
    return {
      wx_parking_lot_id,
      out_parking_lot_id: text(value, 'out_parking_lot_id', path, false, 64)!,
      parking_lot_name: text(value, 'parking_lot_name', path, false, 128)!,
      mchId,
      enabled_state: state as SandboxParkingLot['enabled_state'],
    };
  });
}
