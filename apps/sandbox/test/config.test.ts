import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSandboxConfig } from '../src/config.ts';
import { generateSandboxConfig } from '../src/index.ts';

describe('generateSandboxConfig', () => {
  it('makes a direct merchant and a service provider with a sub-merchant, each with its own 32-character key', () => {
    const config = generateSandboxConfig();
    const direct = config.merchants.filter((m) => !m.subMerchants?.length);
    const providers = config.merchants.filter((m) => m.subMerchants?.length);
    expect(direct).toHaveLength(1);
    expect(providers).toHaveLength(1);
    for (const merchant of config.merchants) {
      expect(merchant.v2ApiKey).toMatch(/^[0-9A-Za-z]{32}$/);
      expect(merchant.mchId).toMatch(/^1[6-9]\d{8}$/);
      expect(merchant.appId).toMatch(/^wx[0-9a-f]{16}$/);
    }
    expect(new Set(config.merchants.map((m) => m.v2ApiKey)).size).toBe(2);
    expect(providers[0]!.subMerchants![0]!.subMchId).not.toBe(providers[0]!.mchId);
  });

  it('gives fresh keys on every call', () => {
    expect(generateSandboxConfig().merchants[0]!.v2ApiKey).not.toBe(
      generateSandboxConfig().merchants[0]!.v2ApiKey,
    );
  });

  it('includes a NORMAL plate, a plate in arrears and an owner known by openid only', () => {
    const { vehicleUsers } = generateSandboxConfig();
    expect(vehicleUsers.some((u) => u.plate_number && u.user_state === 'NORMAL')).toBe(true);
    expect(vehicleUsers.some((u) => u.plate_number && u.user_state === 'BLOCK')).toBe(true);
    expect(vehicleUsers.some((u) => !u.plate_number && u.openid)).toBe(true);
  });
});

describe('parseSandboxConfig', () => {
  it('accepts the example configuration', () => {
    const example = JSON.parse(
      readFileSync(new URL('../sandbox.config.example.json', import.meta.url), 'utf8'),
    );
    expect(parseSandboxConfig(example)).toEqual(example);
  });

  it.each([
    ['no merchants', { merchants: [], vehicleUsers: [] }, /^merchants: expected a non-empty array/],
    [
      'a key of the wrong length',
      { merchants: [{ mchId: '1', appId: 'wx', v2ApiKey: 'x'.repeat(31) }], vehicleUsers: [] },
      /^merchants\[0\]\.v2ApiKey: expected exactly 32 characters, got 31$/,
    ],
    [
      'a missing appId',
      { merchants: [{ mchId: '1', v2ApiKey: 'x'.repeat(32) }], vehicleUsers: [] },
      /^merchants\[0\]\.appId: .* got nothing$/,
    ],
    [
      'a bad sub-merchant',
      {
        merchants: [{ mchId: '1', appId: 'wx', v2ApiKey: 'x'.repeat(32), subMerchants: [{}] }],
        vehicleUsers: [],
      },
      /^merchants\[0\]\.subMerchants\[0\]\.subMchId/,
    ],
    [
      'a repeated mchId',
      {
        merchants: [
          { mchId: '1', appId: 'wx', v2ApiKey: 'x'.repeat(32) },
          { mchId: '1', appId: 'wx', v2ApiKey: 'y'.repeat(32) },
        ],
        vehicleUsers: [],
      },
      /^merchants\[1\]\.mchId: 1 appears twice$/,
    ],
    [
      'an unknown user_state',
      {
        merchants: [{ mchId: '1', appId: 'wx', v2ApiKey: 'x'.repeat(32) }],
        vehicleUsers: [{ plate_number: 'A', user_state: 'OK' }],
      },
      /^vehicleUsers\[0\]\.user_state: expected one of NORMAL, BLOCK/,
    ],
    [
      'a user with neither plate nor openid',
      {
        merchants: [{ mchId: '1', appId: 'wx', v2ApiKey: 'x'.repeat(32) }],
        vehicleUsers: [{ user_state: 'NORMAL' }],
      },
      /^vehicleUsers\[0\]: expected plate_number or openid/,
    ],
    [
      'no vehicleUsers',
      { merchants: [{ mchId: '1', appId: 'wx', v2ApiKey: 'x'.repeat(32) }] },
      /^vehicleUsers: expected an array/,
    ],
  ])('refuses %s with a one-line message naming the field', (_name, value, message) => {
    expect(() => parseSandboxConfig(value)).toThrow(message);
    try {
      parseSandboxConfig(value);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).name).toBe('SandboxConfigError');
    }
  });
});
