import { SandboxConfigError } from '../errors.ts';
import { randomAppId, randomDigits, randomMchId, randomOpenId, randomV2ApiKey } from '../ids.ts';
import type { SandboxConfig, SandboxConfigInput, SandboxMerchant, SandboxVehicleUser } from '../types.ts';
import { fail, isRecord, list, text } from './config-fields.ts';
import { generateMerchantV3, generatePlatform } from './keys.ts';
import {
  parseBrands,
  parseMallMembers,
  parseMerchantV3,
  parseParkingLots,
  parsePlatform,
} from './v3-config.ts';

/**
 * A fresh configuration: one direct merchant, one service provider with one sub-merchant (both with APIv3
 * credentials), car owners in every state (the plate in arrears answers BLOCK), WeChat Pay's keys (public key
 * and one platform certificate, private keys included so the config can be handed to `startSandbox`), a
 * business-circle brand both merchants serve with members in each state, and an enabled parking lot per
 * merchant.
 *
 * Ids, serials and secrets come from crypto randomness. The RSA key pairs are made once per process and
 * reused role by role (see `cachedKeyPair`): making them takes most of a second.
 */
export function generateSandboxConfig(): SandboxConfig {
  const direct: SandboxMerchant = {
    mchId: randomMchId(),
    appId: randomAppId(),
    v2ApiKey: randomV2ApiKey(),
    v3: generateMerchantV3(0),
  };
  const provider: SandboxMerchant = {
    mchId: randomMchId(),
    appId: randomAppId(),
    v2ApiKey: randomV2ApiKey(),
    subMerchants: [{ subMchId: randomMchId(), subAppId: randomAppId() }],
    v3: generateMerchantV3(1),
  };
  const brandId = Number(`1${randomDigits(5)}`);
  return {
    merchants: [direct, provider],
    vehicleUsers: [
      { plate_number: '粤B888888', openid: randomOpenId(), user_state: 'NORMAL', deduct_mode: 'AUTOPAY' },
      { plate_number: '粤BD12345', openid: randomOpenId(), user_state: 'NORMAL', deduct_mode: 'PROACTIVE' },
      { plate_number: '京A00001', openid: randomOpenId(), user_state: 'BLOCK', deduct_mode: 'AUTOPAY' },
      { plate_number: '沪C66666', openid: randomOpenId(), user_state: 'PAUSED', deduct_mode: 'PROACTIVE' },
      { plate_number: '苏E55555', user_state: 'UNAUTHORIZED' },
      { openid: randomOpenId(), user_state: 'NORMAL', deduct_mode: 'PROACTIVE' },
    ],
    platform: generatePlatform(),
    brands: [
      {
        brandId,
        appId: randomAppId(),
        mchIds: [direct.mchId, provider.mchId, ...provider.subMerchants!.map((s) => s.subMchId)],
      },
    ],
    mallMembers: [
      {
        openid: randomOpenId(),
        brandId,
        authorize_state: 'AUTHORIZED',
        authorize_time: '2026-01-05T09:30:00+08:00',
      },
      {
        openid: randomOpenId(),
        brandId,
        authorize_state: 'AUTHORIZED',
        authorize_time: '2026-02-11T14:02:10+08:00',
        points_commit_status: 'PENDING',
      },
      {
        openid: randomOpenId(),
        brandId,
        authorize_state: 'DEAUTHORIZED',
        authorize_time: '2025-10-01T08:00:00+08:00',
        deauthorize_time: '2026-03-01T20:15:00+08:00',
      },
    ],
    parkingLots: [direct, provider].map((merchant, i) => ({
      wx_parking_lot_id: randomDigits(19),
      out_parking_lot_id: `LOT-${String.fromCharCode(65 + i)}`,
      parking_lot_name: i === 0 ? '欢乐海岸停车场' : '万象城地下停车场',
      mchId: merchant.mchId,
      enabled_state: 'ENABLED_STATE_ENABLED' as const,
    })),
  };
}

/**
 * Fills in what a configuration may leave out: APIv3 credentials for merchants without them, and WeChat
 * Pay's keys. Generated parts follow {@link generateSandboxConfig}.
 */
export function completeSandboxConfig(config: SandboxConfigInput): SandboxConfig {
  return {
    ...config,
    merchants: config.merchants.map((m, i) => (m.v3 ? m : { ...m, v3: generateMerchantV3(i) })),
    platform: config.platform ?? generatePlatform(),
  };
}

const userStates = ['NORMAL', 'BLOCK', 'PAUSED', 'OVERDUE', 'UNAUTHORIZED'];

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
  if (value.v3 !== undefined) merchant.v3 = parseMerchantV3(value.v3, `${path}.v3`);
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
export function parseSandboxConfig(value: unknown): SandboxConfigInput {
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
  const config: SandboxConfigInput = { merchants, vehicleUsers };
  if (value.platform !== undefined) config.platform = parsePlatform(value.platform, 'platform');
  const brands = list(value, 'brands', '', true);
  if (brands) config.brands = parseBrands(brands, merchants);
  const members = list(value, 'mallMembers', '', true);
  if (members) config.mallMembers = parseMallMembers(members, config.brands ?? []);
  const lots = list(value, 'parkingLots', '', true);
  if (lots) config.parkingLots = parseParkingLots(lots, merchants);
  return config;
}
