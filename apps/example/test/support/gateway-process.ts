import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '@wxpark/sandbox';

const main = new URL('../../src/main.ts', import.meta.url).pathname;

/** A gateway running as its own process (`serve`), configured for the sandbox's direct merchant. */
export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/** The live configuration (`WXPAY_*` variables) aimed at the sandbox, key files written into `dir`. */
export function sandboxEnvironment(sandbox: Sandbox, dir: string): Record<string, string> {
  const merchant = sandbox.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
  const keyFile = join(dir, 'apiclient_key.pem');
  const publicKeyFile = join(dir, 'pub_key.pem');
  writeFileSync(keyFile, merchant.v3!.privateKey);
  writeFileSync(publicKeyFile, sandbox.config.platform.publicKey);
  const lot = sandbox.config.parkingLots!.find((l) => l.mchId === merchant.mchId)!;
  return {
    WXPAY_MCH_ID: merchant.mchId,
    WXPAY_APPID: merchant.appId,
    WXPAY_V2_API_KEY: merchant.v2ApiKey,
    WXPAY_V3_SERIAL_NO: merchant.v3!.serialNo,
    WXPAY_V3_PRIVATE_KEY_FILE: keyFile,
    WXPAY_V3_API_KEY: merchant.v3!.apiV3Key,
    WXPAY_PUBLIC_KEY_ID: sandbox.config.platform.publicKeyId,
    WXPAY_PUBLIC_KEY_FILE: publicKeyFile,
    WXPAY_PARKING_ID: lot.wx_parking_lot_id,
    WXPAY_BASE_URL: sandbox.url,
    PORT: '0',
  };
}

/** Starts `serve` with `env` and resolves once it listens; the caller kills it. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@wxpark/source', '--disable-warning=ExperimentalWarning', main, 'serve'],
    { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 20_000);
    child.stdout!.on('data', () => {
      const match = /gateway listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

/** POSTs JSON and resolves with the status and parsed body. */
export interface JsonAnswer {
  status: number;
  body: { error?: string; out_serial_number?: string; [field: string]: unknown };
}

export async function postJson(url: string, body: unknown): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed as JsonAnswer['body'] };
}
