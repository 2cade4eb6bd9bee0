import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { tempDir, useSandbox } from '@wxpark/test-utils';
import { parseXml } from '@wxpark/xml';
import { afterEach, expect, it } from 'vitest';
import { SqliteGateStore } from '../src/store/sqlite.ts';
import { type GatewayProcess, sandboxEnvironment, startGatewayProcess } from './support/gateway-process.ts';

const sandbox = await useSandbox();
const dir = tempDir('wxpark-durability-');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the gateway as its own process (`serve`, live configuration aimed at the sandbox) on `db`. */
async function startGateway(db: string): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({
    ...sandboxEnvironment(sandbox, dir),
    WXPARK_DB: db,
    WXPARK_LEASE_MS: '6000',
  });
  children.push(gateway.child);
  return gateway;
}

function sceneInfoOf(body: string): unknown {
  return JSON.parse(parseXml(body).scene_info!);
}

it('loses and duplicates nothing when the gateway is killed (SIGKILL) mid-call; resends are byte-identical on both protocols', {
  timeout: 60_000,
}, async () => {
  const db = join(dir, 'gateway.sqlite');
  const plate = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!
    .plate_number!;
  sandbox.clearRequests();
  // The sandbox holds its answers, so both calls (APIv2 and APIv3) are in flight when the process dies.
  sandbox.setHostile('slow', { delayMs: 30_000, count: 2 });

  const first = await startGateway(db);
  const pending = fetch(`${first.url}/gate/entry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      plate_number: plate,
      plate_color: 'PLATE_COLOR_BLUE',
      vehicle_type: 'VEHICLE_TYPE_SMALL',
    }),
  }).catch((error: unknown) => error);
  await expect.poll(() => sandbox.requests.length, { timeout: 10_000 }).toBe(2);
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  expect(await pending).toBeInstanceOf(Error);

  // What the dead process left: the stay and its calls, committed, still pending.
  const left = new SqliteGateStore(db);
  const calls = await left.listCalls();
  await left.close();
  expect(calls.map((c) => c.status)).toEqual(['pending', 'pending']);
  const call = calls[0];

  const second = await startGateway(db);
  await expect
    .poll(
      async () => {
        const calls = (await (await fetch(`${second.url}/gate/calls`)).json()) as { status: string }[];
        return calls.map((c) => c.status);
      },
      { timeout: 15_000 },
    )
    .toEqual(['done', 'done']);
  // Sent twice, with the same stay: the APIv2 resend is the stored request byte for byte (same nonce_str
  // and sign), not a new one.
  const sent = sandbox.requests.filter((r) => r.path === '/vehicle/pay/notification');
  expect(sent).toHaveLength(2);
  expect(sceneInfoOf(sent[1]!.body)).toEqual(sceneInfoOf(sent[0]!.body));
  expect(sent[1]!.body).toBe(sent[0]!.body);
  // The APIv3 resend is byte for byte the first request: the same out_serial_number and enter_timestamp.
  const entries = sandbox.requests.filter((r) => r.path === '/v3/parking/reminders/entry');
  expect(entries).toHaveLength(2);
  expect(entries[1]!.body).toBe(entries[0]!.body);
  expect(JSON.parse(entries[0]!.body).out_serial_number).toBe(call!.out_serial_number);
  const after = new SqliteGateStore(db);
  expect(await after.listCalls()).toHaveLength(2);
  expect((await after.openStay(plate))?.out_serial_number).toBe(call!.out_serial_number);
  await after.close();
});
