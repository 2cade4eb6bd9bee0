import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createV3NoticeHandler, type V3Notice } from '@wxpark/core';
import { type Sandbox, type SandboxOptions, startSandbox } from '@wxpark/sandbox';
import { loadPlatformPublicKey } from '@wxpark/signer';
import { createV2NoticeHandler, type V2Notice } from '@wxpark/vehicle-v2';
import { afterAll, afterEach } from 'vitest';

/** The built bin: the tests run what users run. */
export const binPath = fileURLToPath(new URL('../dist/bin.mjs', import.meta.url));

/** What one run of the bin did. */
export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no WXPAY_* from the machine, no colour forced either way. */
function baseEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/** Runs `wxpark …` as a child process and collects its output; gives up after 30 s. */
export function runBin(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {},
): Promise<BinResult> {
  if (!existsSync(binPath))
    throw new Error(`${binPath} is missing: run pnpm --filter @wxpark/cli build first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      env: baseEnv(options.env ?? {}),
      cwd: options.cwd ?? process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running `wxpark …` (listen, sandbox): resolves once `ready` matches its output. */
export function startBin(
  args: readonly string[],
  ready: RegExp,
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
) {
  const child = spawn(process.execPath, [binPath, ...args], {
    env: baseEnv(options.env ?? {}),
    cwd: options.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const started = new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const match = (output.stdout + output.stderr).match(ready);
      if (match) resolve(match);
    };
    child.stdout.on('data', (chunk) => {
      output.stdout += chunk;
      check();
    });
    child.stderr.on('data', (chunk) => {
      output.stderr += chunk;
      check();
    });
    void exited.then((code) =>
      reject(new Error(`exited ${code} before ready: ${output.stdout}${output.stderr}`)),
    );
    setTimeout(
      () => reject(new Error(`not ready in 20 s: ${output.stdout}${output.stderr}`)),
      20_000,
    ).unref();
  });
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return exited;
  };
  cleanups.push(stop);
  return { started, output, exited, stop, pid: child.pid };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A sandbox for this test file, closed after it. */
export async function useSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  afterAll(() => sandbox.close());
  return sandbox;
}

// Directories are removed by one file-level hook: `afterAll` registered inside a running test is
// never called, and these directories hold private keys.
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed after the file's tests, also when made inside a test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxpark-cli-test-'));
  tempDirs.push(dir);
  return dir;
}

/** Writes a `--config` file with the sandbox's first merchant; returns its path. */
export function writeConfig(
  sandbox: Sandbox,
  dir: string,
  extra: Record<string, string> = {},
  omit: readonly string[] = [],
): string {
  const merchant = sandbox.config.merchants[0]!;
  writeFileSync(join(dir, 'apiclient_key.pem'), merchant.v3!.privateKey);
  writeFileSync(join(dir, 'wechatpay_public_key.pem'), sandbox.config.platform.publicKey);
  const file = join(dir, `wxpark-${Math.random().toString(36).slice(2)}.json`);
  const settings: Record<string, string> = {
    baseUrl: sandbox.url,
    mchId: merchant.mchId,
    appid: merchant.appId,
    v2ApiKey: merchant.v2ApiKey,
    v3SerialNo: merchant.v3!.serialNo,
    v3PrivateKeyFile: './apiclient_key.pem',
    v3ApiKey: merchant.v3!.apiV3Key,
    publicKeyId: sandbox.config.platform.publicKeyId,
    publicKeyFile: './wechatpay_public_key.pem',
    ...extra,
  };
  for (const name of omit) delete settings[name];
  writeFileSync(file, JSON.stringify(settings));
  return file;
}

/** A notice received and verified by the real wxpark handlers, as the user's server would. */
export interface ReceivedNotice {
  protocol: 'v2' | 'v3';
  notice: V2Notice | V3Notice;
}

/**
 * The user's server: verifies every notice with the sandbox merchant's keys (APIv2 XML or APIv3 JSON) and
 * replies as WeChat expects, or with `status` when set (to see a refusal reported).
 */
export async function startReceiver(sandbox: Sandbox, mchIndex = 0) {
  const merchant = sandbox.config.merchants[mchIndex]!;
  const received: ReceivedNotice[] = [];
  const settings = { status: undefined as number | undefined };
  const v3 = createV3NoticeHandler({
    verifier: [loadPlatformPublicKey(sandbox.config.platform.publicKeyId, sandbox.config.platform.publicKey)],
    apiV3Key: merchant.v3!.apiV3Key,
    onNotice: (notice) => {
      received.push({ protocol: 'v3', notice });
    },
  });
  const v2 = createV2NoticeHandler({
    apiKey: merchant.v2ApiKey,
    onNotice: (notice) => {
      received.push({ protocol: 'v2', notice });
    },
  });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (settings.status !== undefined) {
      response
        .writeHead(settings.status, { 'content-type': 'application/json' })
        .end('{"code":"FAIL","message":"busy"}');
      return;
    }
    const handler = request.headers['wechatpay-signature'] ? v3 : v2;
    void handler.node(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/wxpay/notify`, received, settings };
}

/** True when the text has an ANSI escape sequence. */
export function hasAnsi(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for the escape character itself.
  return /\x1b\[/.test(text);
}
