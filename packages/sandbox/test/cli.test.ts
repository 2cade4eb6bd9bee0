import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { SandboxConfig } from '../src/index.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--conditions=@wxpark/source', 'src/cli.ts', ...args], {
    cwd: appDir,
    // A relative --config is read from INIT_CWD (where pnpm or npm was typed); here, the package.
    env: { ...process.env, PORT: '0', INIT_CWD: appDir, ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const found = /listening on (http:\/\/\S+)/.exec(stdout);
      if (found) resolve(found[1]!);
    });
    child.once('exit', () => reject(new Error(`exited before listening: ${stderr}`)));
  });
  // Tests of failures never wait for the URL.
  url.catch(() => {});
  return { child, url, exited, output: () => ({ stdout, stderr }) };
}

describe('the CLI', () => {
  it('generates a configuration, prints its keys and URL, logs requests and stops on SIGTERM', async () => {
    const cli = run([]);
    const url = await cli.url;
    const config = (await (await fetch(`${url}/__sandbox/config`)).json()) as SandboxConfig;
    await fetch(`${url}/vehicle/pay/querystate`, { method: 'POST', body: 'not xml' });
    expect(cli.output().stdout).toContain(`inspector: ${url}/inspector`);
    for (const merchant of config.merchants) {
      expect(cli.output().stdout).toContain(`mch_id=${merchant.mchId}`);
      expect(cli.output().stdout).toContain(`v2ApiKey=${merchant.v2ApiKey}`);
    }
    await expect
      .poll(() => cli.output().stdout)
      .toMatch(/POST \/vehicle\/pay\/querystate 200 \d+ms return FAIL XML格式错误/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('runs with --config and does not print the keys it was given', async () => {
    const cli = run(['--config', 'sandbox.config.example.json']);
    const url = await cli.url;
    const config = (await (await fetch(`${url}/__sandbox/config`)).json()) as SandboxConfig;
    expect(config.merchants[0]!.mchId).toBe('1900000109');
    expect(cli.output().stdout).toContain('mch_id=1900000109');
    expect(cli.output().stdout).not.toContain(config.merchants[0]!.v2ApiKey);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it('exits 1 with a one-line error for a config it cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxpark-sandbox-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ merchants: [{ mchId: '1', appId: 'wx', v2ApiKey: 'short' }], vehicleUsers: [] }),
    );
    const bad = run([], { SANDBOX_CONFIG: file });
    expect(await bad.exited).toBe(1);
    expect(bad.output().stderr).toMatch(
      /^sandbox: config .*bad\.json: merchants\[0\]\.v2ApiKey: expected exactly 32 characters, got 5\n$/,
    );

    const missing = run(['--config', join(dir, 'nope.json')]);
    expect(await missing.exited).toBe(1);
    expect(missing.output().stderr).toMatch(/^sandbox: cannot read config .*nope\.json: ENOENT\n$/);
  });

  it('prints the APIv3 credentials it generated and signs APIv3 answers in the --key-mode given', async () => {
    const cli = run(['--key-mode', 'certificate']);
    const url = await cli.url;
    const config = (await (await fetch(`${url}/__sandbox/config`)).json()) as SandboxConfig;
    for (const merchant of config.merchants) {
      expect(cli.output().stdout).toContain(
        `v3 serial_no=${merchant.v3!.serialNo} apiV3Key=${merchant.v3!.apiV3Key}`,
      );
    }
    expect(cli.output().stdout).toContain('APIv3 answers signed in certificate mode');
    const answer = await fetch(`${url}/v3/certificates`);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('wechatpay-serial')).toBe(config.platform.certificates[0]!.serialNo);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);

    const bad = run(['--key-mode', 'both']);
    expect(await bad.exited).toBe(1);
    expect(bad.output().stderr).toBe('sandbox: --key-mode: expected public-key or certificate, got "both"\n');
  });

  it('exits 1 for a PORT that is not a port number', async () => {
    const cli = run([], { PORT: 'eighty' });
    expect(await cli.exited).toBe(1);
    expect(cli.output().stderr).toBe('sandbox: PORT: expected a port number (0-65535), got "eighty"\n');
  });
});
