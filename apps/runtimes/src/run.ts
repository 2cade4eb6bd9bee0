// Runs the smoke suite (smoke.ts) on Bun and Deno, and on Node for comparison, each in its own process on the
// built packages (dist, as users get them), against one sandbox running here on Node. Prints a table and a
// closing `N passed, N failed` line; exits 1 when any step failed on any runtime.
//
// Usage: pnpm test:runtimes (builds the packages first), or from apps/runtimes:
//   node --conditions=@wxpark/source src/run.ts [--only=bun,deno]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import type { SmokeData, SmokeReport, V3Merchant } from './data.ts';

const here = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));
const smoke = 'src/smoke.ts';

/** Each runtime's command line; Deno gets only the permissions the suite needs. */
const runtimes: { name: string; command: string; args: string[] }[] = [
  { name: 'bun', command: bin('bun'), args: [smoke] },
  {
    name: 'deno',
    command: bin('deno'),
    args: ['run', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', smoke],
  },
  // Node without the source condition, so it too runs the built dist.
  { name: 'node', command: process.execPath, args: ['--disable-warning=ExperimentalWarning', smoke] },
];

function dataOf(sandbox: Sandbox): SmokeData {
  const { config } = sandbox;
  const direct = config.merchants.find((m) => !m.subMerchants?.length)!;
  const provider = config.merchants.find((m) => m.subMerchants?.length)!;
  const sub = provider.subMerchants![0]!;
  const plate = config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!.plate_number!;
  const lot = config.parkingLots!.find((l) => l.enabled_state === 'ENABLED_STATE_ENABLED')!;
  const brand = config.brands![0]!;
  const member = config.mallMembers!.find(
    (m) => m.brandId === brand.brandId && m.authorize_state === 'AUTHORIZED',
  )!;
  const v3 = (mchId: string): V3Merchant => {
    const merchant = config.merchants.find((m) => m.mchId === mchId)!;
    return {
      mchId,
      serialNo: merchant.v3!.serialNo,
      privateKey: merchant.v3!.privateKey,
      apiV3Key: merchant.v3!.apiV3Key,
      publicKeyId: config.platform.publicKeyId,
      publicKey: config.platform.publicKey,
    };
  };
  return {
    url: sandbox.url,
    plate,
    v2: {
      direct: { mchId: direct.mchId, appId: direct.appId, apiKey: direct.v2ApiKey },
      provider: {
        mchId: provider.mchId,
        appId: provider.appId,
        apiKey: provider.v2ApiKey,
        subMchId: sub.subMchId,
        subAppId: sub.subAppId ?? provider.appId,
      },
    },
    v3: {
      parking: v3(lot.mchId),
      mall: v3(brand.mchIds[0]!),
      parkingId: lot.wx_parking_lot_id,
      brandId: brand.brandId,
      mallAppId: brand.appId,
      openid: member.openid,
    },
  };
}

function runSmoke(
  runtime: (typeof runtimes)[number],
  data: SmokeData,
): Promise<{ report?: SmokeReport; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, WXPARK_SANDBOX: JSON.stringify(data), NO_COLOR: '1' };
    // The workspace's own resolution settings must not reach the runtime under test.
    delete env.NODE_OPTIONS;
    const child = spawn(runtime.command, runtime.args, { cwd: here, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // Every wait is bounded: a runtime that hangs is a failure, not a stuck CI.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ output: `${output}${error.message}` });
    });
    child.on('close', () => {
      clearTimeout(timer);
      const line = output.split('\n').find((l) => l.startsWith('WXPARK_SMOKE '));
      resolve({
        ...(line ? { report: JSON.parse(line.slice('WXPARK_SMOKE '.length)) as SmokeReport } : {}),
        output,
      });
    });
  });
}

const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const selected = runtimes.filter((r) => !only || only.includes(r.name));
for (const runtime of selected) {
  if (runtime.command !== process.execPath && !existsSync(runtime.command)) {
    console.error(`${runtime.name} is not installed at ${runtime.command}: run pnpm install`);
    process.exit(1);
  }
}

const sandbox = await startSandbox({ port: 0 });
let passed = 0;
let failed = 0;
try {
  const data = dataOf(sandbox);
  for (const runtime of selected) {
    const from = performance.now();
    const { report, output } = await runSmoke(runtime, data);
    const seconds = ((performance.now() - from) / 1000).toFixed(1);
    if (!report) {
      failed++;
      console.log(
        `\n✗ ${runtime.name}: no report (${seconds} s)\n${output.trim().split('\n').slice(-30).join('\n')}`,
      );
      continue;
    }
    console.log(
      `\n${report.runtime} (${seconds} s), @wxpark/core from ${report.resolved.replace(/^.*\/packages\//, 'packages/')}`,
    );
    for (const step of report.steps) {
      if (step.ok) passed++;
      else failed++;
      console.log(`  ${step.ok ? '✓' : '✗'} ${step.name}: ${step.detail} (${step.ms} ms)`);
    }
    if (!report.resolved.includes('/dist/')) {
      failed++;
      console.log('  ✗ the packages resolved to source, not to the built dist');
    }
  }
} finally {
  await sandbox.close();
}
console.log(`\nruntimes: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
