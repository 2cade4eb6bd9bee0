import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { type GatewayApp, startGateway } from './app.ts';
import {
  ConfigError,
  type GatewayConfig,
  readLiveConfig,
  readOutboxSettings,
  wantsSandbox,
} from './config.ts';
import { describeError } from './gateway.ts';
import { sandboxConfig } from './sandbox-config.ts';
import { runScenario } from './scenario.ts';
import { describeStore, openStore } from './store/open.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(command: string): Promise<void> {
  if (command !== 'demo' && command !== 'serve')
    throw new ConfigError([`unknown command ${JSON.stringify(command)}: use demo or serve`]);
  const started = performance.now();
  let sandbox: Sandbox | undefined;
  let config: GatewayConfig;
  if (wantsSandbox(process.env)) {
    sandbox = await startSandbox({ port: 0 });
    config = sandboxConfig(sandbox);
    log(
      `no WXPAY_* credentials set: using the embedded WeChat Pay sandbox at ${sandbox.url} (keys generated for this run)`,
    );
  } else {
    config = readLiveConfig(process.env);
    log(
      `using WeChat Pay at ${config.client.baseUrl ?? 'https://api.mch.weixin.qq.com'} as merchant ${config.client.mchId}`,
    );
  }

  Object.assign(config, readOutboxSettings(process.env));
  const leaseMs = Number(process.env.WXPARK_LEASE_MS ?? 30_000);
  if (!(Number.isSafeInteger(leaseMs) && leaseMs >= 1000))
    throw new ConfigError(['WXPARK_LEASE_MS: expected milliseconds, at least 1000']);
  // A call must end (answered or timed out) well within its lease, or a second instance could send it too.
  config.client.timeout ??= Math.min(10_000, Math.floor(leaseMs / 3));

  // The demo keeps its database to itself; serve keeps a durable one across restarts.
  const demoDir = command === 'demo' ? mkdtempSync(join(tmpdir(), 'wxpark-demo-')) : undefined;
  const storeSettings = {
    ...(command === 'serve' && process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    sqlitePath: demoDir ? join(demoDir, 'gateway.sqlite') : (process.env.WXPARK_DB ?? 'data/gateway.sqlite'),
  };
  const store = await openStore(storeSettings);

  const port = command === 'demo' ? 0 : Number(process.env.PORT ?? 8080);
  let app: GatewayApp | undefined;
  try {
    app = await startGateway(config, store, {
      port,
      outbox: { leaseMs },
      onNotice: (kind, id, summary, fresh) =>
        log(
          `  ← callback ${kind} ${id}: ${fresh ? `verified, recorded: ${summary.slice(0, 120)}` : 'verified, a repeat delivery: acknowledged, not processed again'}`,
        ),
    });
    // Callbacks come back to this gateway: with the sandbox it is reachable on loopback.
    const publicUrl = config.publicUrl ?? (sandbox ? app.url : undefined);
    if (publicUrl && config.targets.v2 && !config.targets.v2.notify_url)
      config.targets.v2.notify_url = `${publicUrl}/wxpay/v2/notify`;
    if (publicUrl && config.targets.scoreParking && !config.targets.scoreParking.notify_url)
      config.targets.scoreParking.notify_url = `${publicUrl}/wxpay/v3/notify`;
    log(`gateway listening on ${app.url} (${describeStore(store, storeSettings)})`);

    if (command === 'serve') {
      log(
        'ready: POST /gate/entry, POST /gate/exit, GET /gate/stays/{out_serial_number}, GET /gate/calls[?status=failed], POST /gate/calls/retry; callbacks at /wxpay/v2/notify, /wxpay/v3/notify, /wxpay/mall/notify',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return;
    }
    await runScenario({ app, sandbox, config, log });
    log(`\ndemo finished in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  } finally {
    await app?.close();
    await store.close();
    await sandbox?.close();
    if (demoDir) rmSync(demoDir, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? 'serve').catch((error: unknown) => {
  // One line with the cause, never a stack: the user fixes configuration, not our code.
  if (error instanceof ConfigError)
    for (const problem of error.problems) process.stderr.write(`wxpark example: ${problem}\n`);
  else process.stderr.write(`wxpark example: ${describeError(error)}\n`);
  process.exitCode = 1;
});
