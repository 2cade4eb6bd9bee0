/**
 * Gate events per second and outbox latency (event accepted → call answered, p50/p99) for one gateway on
 * SQLite and for one and three on PostgreSQL, each instance its own process, the sandbox in another, on
 * loopback. Also the RSA-SHA256 signing cost of one APIv3 call. A script that prints figures, not a test.
 *
 *   pnpm --filter @wxpark/example bench            # 400 entries per configuration
 *   EVENTS=1000 pnpm --filter @wxpark/example bench
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startSandboxProcess } from '@wxpark/sandbox';
import { PostgresGateStore } from '../src/store/postgres.ts';
import { SqliteGateStore } from '../src/store/sqlite.ts';
import type { GateStore } from '../src/store/types.ts';
import {
  type GatewayProcess,
  sandboxEnvironment,
  startGatewayProcess,
} from '../test/support/gateway-process.ts';
import { createDatabase, startPostgresCluster } from '../test/support/postgres-cluster.ts';

const events = Number(process.env.EVENTS ?? 400);
const concurrency = Number(process.env.CONCURRENCY ?? 16);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function rsaCost(): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const message = `POST\n/v3/parking/reminders/entry\n${Math.floor(Date.now() / 1000)}\n${'n'.repeat(32)}\n${'{"x":1}'.repeat(30)}\n`;
  for (let i = 0; i < 200; i++) sign('sha256', Buffer.from(message), privateKey);
  const rounds = 2_000;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) sign('sha256', Buffer.from(message), privateKey);
  return ((performance.now() - started) * 1000) / rounds;
}

const sandbox = await startSandboxProcess();
const dir = mkdtempSync(join(tmpdir(), 'wxpark-bench-'));
const cluster = await startPostgresCluster();
const rows: string[][] = [];
try {
  // sandboxEnvironment needs only the config and url of a sandbox.
  const env = sandboxEnvironment(sandbox as never, dir);
  async function register(prefix: string): Promise<string[]> {
    const plates = Array.from({ length: events }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
    for (const plate_number of plates) {
      const answer = await fetch(`${sandbox.url}/__sandbox/vehicle-users`, {
        method: 'PUT',
        body: JSON.stringify({ plate_number, user_state: 'NORMAL', deduct_mode: 'AUTOPAY' }),
      });
      await answer.arrayBuffer();
    }
    return plates;
  }

  async function run(
    label: string,
    instances: number,
    storeEnv: Record<string, string>,
    store: () => Promise<GateStore>,
    prefix: string,
  ) {
    const plates = await register(prefix);
    const gateways: GatewayProcess[] = [];
    try {
      for (let i = 0; i < instances; i++)
        gateways.push(await startGatewayProcess({ ...env, ...storeEnv, WXPARK_RATE_LIMIT: 'off' }));
      const queue = [...plates];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let plate = queue.shift(); plate; plate = queue.shift()) {
            const gateway = gateways[next++ % gateways.length]!;
            const answer = await fetch(`${gateway.url}/gate/entry`, {
              method: 'POST',
              body: JSON.stringify({
                plate_number: plate,
                plate_color: 'PLATE_COLOR_BLUE',
                vehicle_type: 'VEHICLE_TYPE_SMALL',
              }),
            });
            if (answer.status !== 200)
              throw new Error(`${label}: entry answered ${answer.status}: ${await answer.text()}`);
            await answer.arrayBuffer();
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const db = await store();
      try {
        let calls = await db.listCalls();
        for (let waited = 0; calls.some((c) => c.status !== 'done') && waited < 60_000; waited += 200) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          calls = await db.listCalls();
        }
        const latencies = calls
          .filter((c) => c.answered_at)
          .map((c) => c.answered_at! - c.created_at)
          .sort((a, b) => a - b);
        rows.push([
          label,
          String(instances),
          (events / seconds).toFixed(0),
          (calls.length / seconds).toFixed(0),
          `${percentile(latencies, 50)} ms`,
          `${percentile(latencies, 99)} ms`,
          `${calls.filter((c) => c.status !== 'done').length}`,
        ]);
      } finally {
        await db.close();
      }
    } finally {
      for (const gateway of gateways) gateway.child.kill('SIGTERM');
      await Promise.all(gateways.map((g) => g.exited));
    }
  }

  const sqlitePath = join(dir, 'gateway.sqlite');
  await run('SQLite', 1, { WXPARK_DB: sqlitePath }, async () => new SqliteGateStore(sqlitePath), '粤S');
  const one = await createDatabase(cluster.url, 'bench_one');
  await run('PostgreSQL', 1, { DATABASE_URL: one }, () => PostgresGateStore.open(one, { max: 2 }), '粤P');
  const three = await createDatabase(cluster.url, 'bench_three');
  await run('PostgreSQL', 3, { DATABASE_URL: three }, () => PostgresGateStore.open(three, { max: 2 }), '粤Q');

  const header = ['store', 'instances', 'gate events/s', 'calls/s', 'latency p50', 'latency p99', 'not done'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    `\n${events} entries per configuration (each: APIv2 用户入场通知 + APIv3 同步车辆入场通知), ${concurrency} at a time, round-robin over the instances`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log(`\nRSA-SHA256 signature (2048-bit, one per APIv3 call): ${rsaCost().toFixed(0)} µs`);
} finally {
  cluster.stop();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
