import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSandboxConfig } from '@wxpark/sandbox';
import { loadPlatformCertificate } from '@wxpark/signer';
import { tempDir, useSandbox } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { runBin, writeConfig } from './helpers.ts';

const sandbox = await useSandbox();
const dir = tempDir();
const config = writeConfig(sandbox, dir);
const merchant = sandbox.config.merchants[0]!;
const certificateSandbox = await useSandbox({ keyMode: 'certificate' });

// A certificate with its own private key, standing in for apiclient_cert.pem + apiclient_key.pem.
const pair = generateSandboxConfig().platform.certificates[0]!;
writeFileSync(join(dir, 'apiclient_cert.pem'), pair.certificate);
writeFileSync(join(dir, 'pair_key.pem'), pair.privateKey!);

describe('wxpark keys check', () => {
  it('passes a private key that belongs to the certificate whose serial is configured', async () => {
    const result = await runBin(['--config', config, 'keys', 'check'], {
      env: {
        WXPAY_V3_CERTIFICATE_FILE: join(dir, 'apiclient_cert.pem'),
        WXPAY_V3_PRIVATE_KEY_FILE: join(dir, 'pair_key.pem'),
        WXPAY_V3_SERIAL_NO: pair.serialNo.toLowerCase(),
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`✔ certificate matches +serial ${pair.serialNo}, private key belongs to it`),
    );
    expect(result.stdout).toMatch(/✔ APIv3 key +32 bytes/);
    expect(result.stdout).toMatch(/✔ WeChat Pay public key +PUB_KEY_ID_\d+/);
  });

  it('fails a private key of another certificate, and a serial that is not the certificate’s: exit 1', async () => {
    const wrongKey = await runBin(['--config', config, 'keys', 'check'], {
      env: { WXPAY_V3_CERTIFICATE_FILE: join(dir, 'apiclient_cert.pem'), WXPAY_V3_SERIAL_NO: pair.serialNo },
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(
      /✖ certificate matches +the private key does not belong to the certificate/,
    );
    const wrongSerial = await runBin(['--config', config, '--json', 'keys', 'check'], {
      env: { WXPAY_V3_CERTIFICATE_FILE: join(dir, 'apiclient_cert.pem') },
    });
    expect(wrongSerial.code).toBe(1);
    const check = JSON.parse(wrongSerial.stdout).checks.find(
      (c: { check: string }) => c.check === 'certificate matches',
    );
    expect(check).toMatchObject({ ok: false });
    expect(check.detail).toContain(`the certificate's serial is ${pair.serialNo}, but v3SerialNo in`);
  });

  it('fails an APIv3 key of the wrong length and a public key id that is a serial, without echoing them', async () => {
    const result = await runBin(['--config', config, 'keys', 'check'], {
      env: { WXPAY_V3_API_KEY: 'not-32-bytes', WXPAY_PUBLIC_KEY_ID: merchant.v3!.serialNo },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ APIv3 key +WXPAY_V3_API_KEY: 12 bytes, expected 32/);
    expect(result.stdout).toMatch(
      /✖ WeChat Pay public key +WXPAY_PUBLIC_KEY_ID: expected PUB_KEY_ID_ and digits/,
    );
    expect(result.stdout).not.toContain('not-32-bytes');
  });

  it('--call proves the APIv2 key with one call, and fails another key with SIGNERROR', async () => {
    const good = await runBin(['--config', config, 'keys', 'check', '--call']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/✔ APIv2 key \(call\) +accepted/);
    const bad = await runBin(['--config', config, 'keys', 'check', '--call'], {
      env: { WXPAY_V2_API_KEY: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345' },
    });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✖ APIv2 key \(call\) +SIGNERROR/);
    expect(bad.stdout).not.toContain('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345');
  });

  it('has nothing to check without keys: exit 2', async () => {
    const result = await runBin(['keys', 'check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no keys configured');
  });
});

describe('wxpark certificates download', () => {
  it('writes the decrypted, verified platform certificates of a certificate-mode sandbox', async () => {
    certificateSandbox.rotatePlatformCertificate();
    const certDir = tempDir();
    // Certificate mode: no public key configured, so the client downloads and verifies them first.
    const settings = writeConfig(certificateSandbox, certDir, {}, ['publicKeyId', 'publicKeyFile']);
    const result = await runBin(['--config', settings, 'certificates', 'download', '--out-dir', 'out'], {
      cwd: certDir,
    });
    expect(result.code).toBe(0);
    const written = readdirSync(join(certDir, 'out')).sort();
    const expected = certificateSandbox.config.platform.certificates
      .map((c) => `wechatpay_${c.serialNo}.pem`)
      .sort();
    expect(written).toEqual(expected);
    for (const file of written) {
      const key = loadPlatformCertificate(readFileSync(join(certDir, 'out', file), 'utf8'));
      expect(file).toBe(`wechatpay_${key.id}.pem`);
    }
    expect(result.stderr).toMatch(/✔ 2 platform certificate\(s\) verified and written · Request-ID \S+/);
  });

  it('explains that a public-key merchant has no certificates: exit 1', async () => {
    const result = await runBin([
      '--config',
      config,
      'certificates',
      'download',
      '--out-dir',
      join(dir, 'none'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('NO_PLATFORM_CERTIFICATES');
    expect(result.stderr).toContain('set WXPAY_PUBLIC_KEY_ID and WXPAY_PUBLIC_KEY_FILE instead');
  });

  it('needs the APIv3 key: exit 2, nothing sent', async () => {
    sandbox.clearRequests();
    const settings = writeConfig(sandbox, dir, {}, ['v3ApiKey']);
    const result = await runBin(['--config', settings, 'certificates', 'download']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('platform certificates need WXPAY_V3_API_KEY');
    expect(sandbox.requests).toHaveLength(0);
  });
});
