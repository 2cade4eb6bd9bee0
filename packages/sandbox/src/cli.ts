import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from './http/server.ts';
import { generateSandboxConfig, parseSandboxConfig } from './keys/config.ts';
import type { SandboxConfig, SandboxConfigInput, V3KeyMode } from './types.ts';

const usage = `usage: pnpm --filter @wxpark/sandbox start [-- --config sandbox.config.json] [--key-mode certificate]

  --config <path>     merchants and car owners (JSON, see sandbox.config.example.json);
                      also SANDBOX_CONFIG. Without it a fresh configuration is generated.
  --key-mode <mode>   which key signs APIv3 answers: public-key (default) or certificate
  PORT, HOST          where to listen (default 8787 on 127.0.0.1)`;

function fail(message: string): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(1);
}

function readArgs(): { configPath: string | undefined; keyMode: V3KeyMode } {
  try {
    const { values } = parseArgs({
      options: {
        config: { type: 'string' },
        'key-mode': { type: 'string', default: 'public-key' },
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
    return { configPath: values.config ?? process.env.SANDBOX_CONFIG, keyMode };
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)} (try --help)`);
  }
}

function readPort(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === '') return 8787;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    fail(`PORT: expected a port number (0-65535), got ${JSON.stringify(raw)}`);
  return port;
}

function loadConfig(path: string): SandboxConfigInput {
  const absolute = resolve(path);
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

const { configPath, keyMode } = readArgs();
const port = readPort();
const host = process.env.HOST || '127.0.0.1';
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
if (config) {
  console.log(`merchants from ${resolve(configPath!)}:\n${summarize(sandbox.config, false)}`);
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
