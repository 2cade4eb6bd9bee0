import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createApiV3Key, loadPlatformCertificate, loadPrivateKey } from '@wxpark/signer';
import { describe, expect, it } from 'vitest';
import { generateSandboxConfig } from '../src/index.ts';
import { completeSandboxConfig, parseSandboxConfig } from '../src/keys/config.ts';
import { cachedKeyPair, privatePem } from '../src/keys/keys.ts';

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

  it('gives every merchant APIv3 credentials: a key pair that matches, a serial, a 32-character APIv3 key', () => {
    const config = generateSandboxConfig();
    for (const merchant of config.merchants) {
      const v3 = merchant.v3!;
      expect(v3.serialNo).toMatch(/^[0-9A-F]{40}$/);
      expect(loadPrivateKey(v3.privateKey).asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(v3.privateKey).toContain('-----BEGIN PRIVATE KEY-----');
      expect(v3.publicKey).toContain('-----BEGIN PUBLIC KEY-----');
      expect(() => createApiV3Key(v3.apiV3Key)).not.toThrow();
    }
    expect(new Set(config.merchants.map((m) => m.v3!.apiV3Key)).size).toBe(2);
  });

  it('makes WeChat Pay keys: a public key id and a certificate that loads with X509Certificate and the signer', () => {
    const { platform } = generateSandboxConfig();
    expect(platform.publicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    expect(platform.privateKey).toContain('PRIVATE KEY');
    const [certificate] = platform.certificates;
    const x509 = new X509Certificate(certificate!.certificate);
    expect(x509.serialNumber).toBe(certificate!.serialNo);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(loadPlatformCertificate(certificate!.certificate).id).toBe(certificate!.serialNo);
    const years = (x509.validToDate.getTime() - x509.validFromDate.getTime()) / (365 * 24 * 3600 * 1000);
    expect(Math.round(years)).toBe(5);
  });

  it('makes a brand both merchants serve, members in each state and an enabled lot per merchant', () => {
    const config = generateSandboxConfig();
    const [brand] = config.brands!;
    expect(brand!.mchIds).toEqual(expect.arrayContaining(config.merchants.map((m) => m.mchId)));
    expect(new Set(config.mallMembers!.map((m) => m.authorize_state))).toEqual(
      new Set(['AUTHORIZED', 'DEAUTHORIZED']),
    );
    expect(config.parkingLots!.map((l) => l.mchId)).toEqual(config.merchants.map((m) => m.mchId));
  });

  it('generates quickly after the first call (key pairs are made once per process)', () => {
    generateSandboxConfig();
    const started = performance.now();
    for (let i = 0; i < 5; i++) generateSandboxConfig();
    expect((performance.now() - started) / 5).toBeLessThan(50);
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

  it('accepts a generated configuration, and completeSandboxConfig fills in what a file leaves out', () => {
    const generated = generateSandboxConfig();
    expect(parseSandboxConfig(JSON.parse(JSON.stringify(generated)))).toEqual(generated);
    const example = parseSandboxConfig(
      JSON.parse(readFileSync(new URL('../sandbox.config.example.json', import.meta.url), 'utf8')),
    );
    const complete = completeSandboxConfig(example);
    expect(complete.merchants.every((m) => m.v3)).toBe(true);
    expect(complete.platform.privateKey).toContain('PRIVATE KEY');
  });

  const generated = generateSandboxConfig();
  const merchant = generated.merchants[0]!;
  const other = generated.merchants[1]!;
  it.each([
    [
      'an APIv3 key of 31 characters',
      { ...generated, merchants: [{ ...merchant, v3: { ...merchant.v3!, apiV3Key: 'x'.repeat(31) } }] },
      /^merchants\[0\]\.v3\.apiV3Key: expected exactly 32 bytes of UTF-8, got 31$/,
    ],
    [
      'a public key that is not the private key’s',
      { ...generated, merchants: [{ ...merchant, v3: { ...merchant.v3!, publicKey: other.v3!.publicKey } }] },
      /^merchants\[0\]\.v3\.privateKey: expected the private key of merchants\[0\]\.v3\.publicKey/,
    ],
    [
      'a serial that is not hex',
      { ...generated, merchants: [{ ...merchant, v3: { ...merchant.v3!, serialNo: 'serial-1' } }] },
      /^merchants\[0\]\.v3\.serialNo: expected a certificate serial in hex/,
    ],
    [
      'a platform without its private key',
      { ...generated, platform: { ...generated.platform, privateKey: undefined } },
      /^platform\.privateKey: expected PEM text/,
    ],
    [
      'a certificate listed under another serial',
      {
        ...generated,
        platform: {
          ...generated.platform,
          certificates: [{ ...generated.platform.certificates[0]!, serialNo: 'ABCDEF' }],
        },
      },
      /^platform\.certificates\[0\]\.serialNo: ABCDEF is not the certificate's serial/,
    ],
    [
      'a certificate with the wrong private key',
      {
        ...generated,
        platform: {
          ...generated.platform,
          certificates: [
            { ...generated.platform.certificates[0]!, privateKey: privatePem(cachedKeyPair('stranger')) },
          ],
        },
      },
      /^platform\.certificates\[0\]\.privateKey: expected the private key of/,
    ],
    [
      'a public key id of another shape',
      { ...generated, platform: { ...generated.platform, publicKeyId: '0112345' } },
      /^platform\.publicKeyId: expected PUB_KEY_ID_/,
    ],
    [
      'a brand served by an unknown merchant',
      { ...generated, brands: [{ brandId: 1, appId: 'wx1', mchIds: ['42'] }] },
      /^brands\[0\]\.mchIds\[0\]: expected the mchId of a merchant/,
    ],
    [
      'a member of an unknown brand',
      { ...generated, mallMembers: [{ openid: 'o1', brandId: 7, authorize_state: 'AUTHORIZED' }] },
      /^mallMembers\[0\]\.brandId: expected the brandId of one of brands, got 7$/,
    ],
    [
      'a lot of an unknown merchant',
      {
        ...generated,
        parkingLots: [
          {
            wx_parking_lot_id: '1',
            out_parking_lot_id: 'A',
            parking_lot_name: 'A',
            mchId: '42',
            enabled_state: 'ENABLED_STATE_ENABLED',
          },
        ],
      },
      /^parkingLots\[0\]\.mchId: expected the mchId of one of merchants/,
    ],
  ])('refuses %s with a one-line message naming the field', (_name, value, message) => {
    expect(() => parseSandboxConfig(value)).toThrow(message);
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
