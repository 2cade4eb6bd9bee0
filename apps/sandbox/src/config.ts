import { SandboxConfigError } from './errors.ts';
import { randomAppId, randomMchId, randomOpenId, randomV2ApiKey } from './ids.ts';
import type { SandboxConfig, SandboxMerchant, SandboxVehicleUser } from './types.ts';

/**
 * A fresh configuration: one direct merchant, one service provider with one sub-merchant, and car owners in
 * every state (the plate in arrears answers BLOCK). Keys come from crypto randomness and exist nowhere else.
 */
export function generateSandboxConfig(): SandboxConfig {
  return {
    merchants: [
      { mchId: randomMchId(), appId: randomAppId(), v2ApiKey: randomV2ApiKey() },
      {
        mchId: randomMchId(),
        appId: randomAppId(),
        v2ApiKey: randomV2ApiKey(),
        subMerchants: [{ subMchId: randomMchId(), subAppId: randomAppId() }],
      },
    ],
    vehicleUsers: [
      { plate_number: '粤B888888', openid: randomOpenId(), user_state: 'NORMAL', deduct_mode: 'AUTOPAY' },
      { plate_number: '粤BD12345', openid: randomOpenId(), user_state: 'NORMAL', deduct_mode: 'PROACTIVE' },
      { plate_number: '京A00001', openid: randomOpenId(), user_state: 'BLOCK', deduct_mode: 'AUTOPAY' },
      { plate_number: '沪C66666', openid: randomOpenId(), user_state: 'PAUSED', deduct_mode: 'PROACTIVE' },
      { plate_number: '苏E55555', user_state: 'UNAUTHORIZED' },
      { openid: randomOpenId(), user_state: 'NORMAL', deduct_mode: 'PROACTIVE' },
    ],
  };
}

const userStates = ['NORMAL', 'BLOCK', 'PAUSED', 'OVERDUE', 'UNAUTHORIZED'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, expected: string, value: unknown): never {
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  throw new SandboxConfigError(`${path}: expected ${expected}, got ${got}`);
}

function text(
  record: Record<string, unknown>,
  key: string,
  path: string,
  optional = false,
): string | undefined {
  const value = record[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > 32) {
    fail(`${path}.${key}`, 'a non-empty string of at most 32 characters', value);
  }
  return value;
}

function parseMerchant(value: unknown, path: string): SandboxMerchant {
  if (!isRecord(value)) fail(path, 'an object', value);
  const merchant: SandboxMerchant = {
    mchId: text(value, 'mchId', path)!,
    appId: text(value, 'appId', path)!,
    v2ApiKey: text(value, 'v2ApiKey', path)!,
  };
  if (merchant.v2ApiKey.length !== 32) {
    throw new SandboxConfigError(
      `${path}.v2ApiKey: expected exactly 32 characters, got ${merchant.v2ApiKey.length}`,
    );
  }
  if (value.subMerchants !== undefined) {
    if (!Array.isArray(value.subMerchants)) fail(`${path}.subMerchants`, 'an array', value.subMerchants);
    merchant.subMerchants = value.subMerchants.map((sub: unknown, i) => {
      const subPath = `${path}.subMerchants[${i}]`;
      if (!isRecord(sub)) fail(subPath, 'an object', sub);
      const subAppId = text(sub, 'subAppId', subPath, true);
      return { subMchId: text(sub, 'subMchId', subPath)!, ...(subAppId === undefined ? {} : { subAppId }) };
    });
  }
  return merchant;
}

/** Checks one car owner (from a config file, the admin API or `setVehicleUser`). */
export function parseVehicleUser(value: unknown, path = 'vehicleUser'): SandboxVehicleUser {
  if (!isRecord(value)) fail(path, 'an object', value);
  const plate_number = text(value, 'plate_number', path, true);
  const openid = text(value, 'openid', path, true);
  if (plate_number === undefined && openid === undefined) {
    throw new SandboxConfigError(`${path}: expected plate_number or openid (or both), got neither`);
  }
  if (typeof value.user_state !== 'string' || !userStates.includes(value.user_state)) {
    fail(`${path}.user_state`, `one of ${userStates.join(', ')}`, value.user_state);
  }
  const deduct_mode = value.deduct_mode;
  if (deduct_mode !== undefined && deduct_mode !== 'PROACTIVE' && deduct_mode !== 'AUTOPAY') {
    fail(`${path}.deduct_mode`, 'PROACTIVE or AUTOPAY', deduct_mode);
  }
  return {
    ...(plate_number === undefined ? {} : { plate_number }),
    ...(openid === undefined ? {} : { openid }),
    user_state: value.user_state,
    ...(deduct_mode === undefined ? {} : { deduct_mode }),
  };
}

/** Checks a whole configuration and returns a fresh copy of it. */
export function parseSandboxConfig(value: unknown): SandboxConfig {
  if (!isRecord(value)) fail('config', 'an object', value);
  if (!Array.isArray(value.merchants) || value.merchants.length === 0) {
    fail('merchants', 'a non-empty array', value.merchants);
  }
  if (!Array.isArray(value.vehicleUsers)) fail('vehicleUsers', 'an array', value.vehicleUsers);
  const merchants = value.merchants.map((m: unknown, i) => parseMerchant(m, `merchants[${i}]`));
  const seen = new Set<string>();
  for (const [i, merchant] of merchants.entries()) {
    if (seen.has(merchant.mchId)) {
      throw new SandboxConfigError(`merchants[${i}].mchId: ${merchant.mchId} appears twice`);
    }
    seen.add(merchant.mchId);
  }
  const vehicleUsers = value.vehicleUsers.map((u: unknown, i) => parseVehicleUser(u, `vehicleUsers[${i}]`));
  return { merchants, vehicleUsers };
}
