#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from './http/server.ts';
import { generateSandboxConfig, parseSandboxConfig } from './keys/config.ts';
import type { SandboxConfig, SandboxConfigInput, V3KeyMode } from './types.ts';

const usage = `usage: wxpark-sandbox [--config FILE] [--key-mode public-key|certificate] [--port N] [--host H]
       (npx @wxpark/sandbox …, or in the repository: pnpm --filter @wxpark/sandbox start -- …)

  --config <path>     merchants and car owners (JSON, see sandbox.config.example.json), relative to the
                      directory the command was typed in; also SANDBOX_CONFIG. Without it a fresh
                      configuration is generated and its keys printed.
  --key-mode <mode>   which key signs APIv3 answers: public-key (default) or certificate
  --port <n>          where to listen; also PORT (default 8787; 0 picks a free port)
  --host <h>          the interface to bind; also HOST (default 127.0.0.1; the sandbox has no authentication)

The inspector is at <url>/inspector.`;

function fail(message: string): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(1);
}

/**
 * The arguments after the script. `pnpm … start -- --config FILE` passes its `--` through to the script (npm
 * does not), so one leading `--` is dropped rather than read as the end of the options.
 */
function cliArgs(argv: readonly string[]): string[] {
  return argv[0] === '--' ? argv.slice(1) : [...argv];
}

interface CliOptions {
  configPath: string | undefined;
  keyMode: V3KeyMode;
  port: string | undefined;
  host: string | undefined;
}

function readArgs(): CliOptions {
  try {
    const { values } = parseArgs({
      args: cliArgs(process.argv.slice(2)),
      options: {
        config: { type: 'string' },
        'key-mode': { type: 'string', default: 'public-key' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const keyMode = values['key-mode'];
    if (keyMode !== 'public-key' && keyMode !== 'certificate') {
      fail(`--key-mode: expected public-key or certificate, got ${JSON.stringify(keyMode)}`);
    }
    return {
      configPath: values.config ?? process.env.SANDBOX_CONFIG,
      keyMode,
      port: values.port ?? process.env.PORT,
      host: values.host ?? process.env.HOST,
    };
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)} (try --help)`);
  }
}

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 8787;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    fail(`PORT: expected a port number (0-65535), got ${JSON.stringify(raw)}`);
  return port;
}

/** Where a relative --config is read from: where the command was typed (npm and pnpm set INIT_CWD there). */
function configFile(path: string): string {
  return resolve(process.env.INIT_CWD || process.cwd(), path);
}

function loadConfig(absolute: string): SandboxConfigInput {
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    fail(`cannot read config ${absolute}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(`config ${absolute} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseSandboxConfig(json);
  } catch (error) {
    fail(`config ${absolute}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function summarize(config: SandboxConfig, showKeys: boolean): string {
  const lines = config.merchants.map((m) => {
    const kind = m.subMerchants?.length ? 'service provider' : 'direct merchant';
    const subs = (m.subMerchants ?? []).map(
      (s) => ` sub_mch_id=${s.subMchId}${s.subAppId ? ` sub_appid=${s.subAppId}` : ''}`,
    );
    const v3 = m.v3 ? ` v3 serial_no=${m.v3.serialNo}${showKeys ? ` apiV3Key=${m.v3.apiV3Key}` : ''}` : '';
    return `  ${kind.padEnd(16)} mch_id=${m.mchId} appid=${m.appId}${showKeys ? ` v2ApiKey=${m.v2ApiKey}` : ''}${subs.join('')}${v3}`;
  });
  const users = config.vehicleUsers.map((u) => `${u.plate_number ?? u.openid} ${u.user_state}`).join(', ');
  const platform = config.platform;
  return [
    ...lines,
    `  car owners: ${users}`,
    `  WeChat Pay keys: public key ${platform.publicKeyId}, certificates ${platform.certificates.map((c) => c.serialNo).join(', ')}`,
    ...(config.brands ?? []).map(
      (b) => `  brand ${b.brandId} appid=${b.appId} served by ${b.mchIds.join(', ')}`,
    ),
    ...(config.parkingLots ?? []).map(
      (l) =>
        `  parking lot ${l.wx_parking_lot_id} (${l.out_parking_lot_id}) of ${l.mchId} ${l.enabled_state}`,
    ),
  ].join('\n');
}

const args = readArgs();
const { keyMode } = args;
const port = readPort(args.port);
const host = args.host || '127.0.0.1';
const configPath = args.configPath === undefined ? undefined : configFile(args.configPath);
const config = configPath === undefined ? undefined : loadConfig(configPath);
const running = config ?? generateSandboxConfig();

const sandbox = await startSandbox({
  port,
  host,
  config: running,
  keyMode,
  log: (line) => console.log(line),
}).catch((error: unknown) =>
  fail(`cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`),
);

console.log(`wxpark sandbox listening on ${sandbox.url}`);
console.log(`inspector: ${sandbox.url}/inspector (every request, notice and the state, live)`);
if (config) {
  console.log(`merchants from ${configPath}:\n${summarize(sandbox.config, false)}`);
  const generated = config.merchants.filter((m) => !m.v3).map((m) => m.mchId);
  if (generated.length > 0) {
    console.log(`  APIv3 credentials generated for ${generated.join(', ')}: GET /__sandbox/config has them`);
  }
} else {
  console.log(`generated merchants (sandbox-only keys, valid nowhere else; pass --config to fix them):`);
  console.log(summarize(sandbox.config, true));
  console.log('  merchant private keys and WeChat Pay public keys: GET /__sandbox/config');
}
console.log(`APIv3 answers signed in ${sandbox.keyMode} mode`);
console.log(
  `admin: ${sandbox.url}/__sandbox/config (GET), /__sandbox/requests, /__sandbox/hostile, /__sandbox/fail-next, /__sandbox/v3/…`,
);
if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
  console.log(`warning: listening on ${host}, beyond loopback; the sandbox has no authentication`);
}

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  sandbox.close().then(
    () => process.exit(0),
    (error: unknown) => fail(`close failed: ${error instanceof Error ? error.message : String(error)}`),
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
