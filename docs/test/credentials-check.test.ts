// The key check in docs/credentials.md, run as a user runs it (`node check-keys.ts`), against the sandbox: with
// keys that belong together every line is ok, and each wrong key is named by the line that checks it.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSandboxConfig, type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const docs = fileURLToPath(new URL('..', import.meta.url));
// Inside docs/ so that the script resolves the @wxpark packages as this workspace installed them.
const scriptDir = join(docs, '.check-credentials');
const script = join(scriptDir, 'check-keys.ts');
const keysDir = mkdtempSync(join(tmpdir(), 'wxpark-check-keys-'));

function checkBlock(): string {
  const text = readFileSync(join(docs, 'credentials.md'), 'utf8');
  const block = /<!-- tested: credentials-check -->\s*```ts\n([\s\S]*?)\n```/.exec(text)?.[1];
  if (!block) throw new Error('docs/credentials.md has no block marked <!-- tested: credentials-check -->');
  return block;
}

let sandbox: Sandbox;
let env: Record<string, string>;

beforeAll(async () => {
  // A merchant whose API certificate is a real X.509 certificate of its key: the sandbox's platform
  // certificate and key stand in for apiclient_cert.pem / apiclient_key.pem.
  const config = generateSandboxConfig();
  const certificate = config.platform.certificates[0]!;
  const merchant = config.merchants.find((m) => !m.subMerchants?.length)!;
  merchant.v3 = {
    serialNo: certificate.serialNo,
    privateKey: certificate.privateKey!,
    publicKey: new X509Certificate(certificate.certificate).publicKey.export({
      type: 'spki',
      format: 'pem',
    }) as string,
    apiV3Key: merchant.v3!.apiV3Key,
  };
  sandbox = await startSandbox({ port: 0, config });
  const file = (name: string, content: string) => {
    writeFileSync(join(keysDir, name), content);
    return join(keysDir, name);
  };
  env = {
    WXPAY_BASE_URL: sandbox.url,
    WXPAY_MCH_ID: merchant.mchId,
    WXPAY_APP_ID: merchant.appId,
    WXPAY_V2_KEY: merchant.v2ApiKey,
    WXPAY_APIV3_KEY: merchant.v3.apiV3Key,
    WXPAY_SERIAL_NO: certificate.serialNo,
    WXPAY_CERT_FILE: file('apiclient_cert.pem', certificate.certificate),
    WXPAY_KEY_FILE: file('apiclient_key.pem', certificate.privateKey!),
    WXPAY_PUBLIC_KEY_ID: sandbox.config.platform.publicKeyId,
    WXPAY_PUBLIC_KEY_FILE: file('pub_key.pem', sandbox.config.platform.publicKey),
    WXPAY_OTHER_KEY_FILE: file('other_key.pem', merchant.v3.publicKey),
    // Another merchant's private key: not the certificate's.
    WXPAY_OTHER_PRIVATE_KEY_FILE: file(
      'other_private.pem',
      config.merchants.find((m) => m !== merchant)!.v3!.privateKey,
    ),
  };
  mkdirSync(scriptDir, { recursive: true });
  writeFileSync(script, `${checkBlock()}\n`);
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(scriptDir, { recursive: true, force: true });
  rmSync(keysDir, { recursive: true, force: true });
});

/**
 * Runs the documented script as `node check-keys.ts` with these values; returns its lines. Asynchronously: the
 * sandbox it calls runs in this process.
 */
function runCheck(overrides: Record<string, string> = {}): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@wxpark/source', '--disable-warning=ExperimentalWarning', script],
      { cwd: scriptDir, env: { ...process.env, ...env, ...overrides }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      if (stderr) reject(new Error(`check-keys.ts wrote to stderr:\n${stderr}`));
      else resolve(stdout.trim().split('\n'));
    });
  });
}

const failures = (lines: string[]) => lines.filter((line) => !line.startsWith('ok  '));

describe('the key check in docs/credentials.md', () => {
  it('prints only ok lines when every key belongs to the merchant', async () => {
    const lines = await runCheck();
    expect(lines).toHaveLength(6);
    expect(failures(lines)).toEqual([]);
  });

  it('names a wrong APIv2 key', async () => {
    expect(failures(await runCheck({ WXPAY_V2_KEY: 'W'.repeat(32) }))).toEqual([
      'FAIL APIv2: WeChat Pay refused the signature: check the APIv2 key of mch_id',
    ]);
  });

  it('names a 微信支付公钥 that is not WeChat Pay’s', async () => {
    expect(failures(await runCheck({ WXPAY_PUBLIC_KEY_FILE: env.WXPAY_OTHER_KEY_FILE! }))).toEqual([
      'FAIL APIv3: the answer did not verify (SIGNATURE_MISMATCH): check the 微信支付公钥 and its id',
    ]);
  });

  it('names a private key that is not the certificate’s, and WeChat Pay refuses the signature', async () => {
    const lines = await runCheck({ WXPAY_KEY_FILE: env.WXPAY_OTHER_PRIVATE_KEY_FILE! });
    expect(failures(lines)).toEqual([
      'FAIL apiclient_key.pem is the key of apiclient_cert.pem',
      'FAIL APIv3: WeChat Pay refused the signature: check privateKey, serialNo or mchId',
    ]);
  });

  it('names a serial that is not the certificate’s', async () => {
    expect(failures(await runCheck({ WXPAY_SERIAL_NO: '0123456789ABCDEF' }))).toEqual([
      'FAIL WXPAY_SERIAL_NO is the certificate serial',
    ]);
  });
});
