import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { parseXml } from '@wxpark/xml';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SqliteGateStore } from '../src/store/sqlite.ts';

const main = new URL('../src/main.ts', import.meta.url).pathname;
let sandbox: Sandbox;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'wxpark-durability-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the gateway as its own process (`serve`, live configuration aimed at the sandbox). */
async function startGatewayProcess(
  db: string,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const merchant = sandbox.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
  const keyFile = join(dir, 'apiclient_key.pem');
  const publicKeyFile = join(dir, 'pub_key.pem');
  writeFileSync(keyFile, merchant.v3!.privateKey);
  writeFileSync(publicKeyFile, sandbox.config.platform.publicKey);
  const lot = sandbox.config.parkingLots!.find((l) => l.mchId === merchant.mchId)!;
  const child = spawn(
    process.execPath,
    ['--conditions=@wxpark/source', '--disable-warning=ExperimentalWarning', main, 'serve'],
    {
      env: {
        PATH: process.env.PATH,
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
        WXPARK_DB: db,
        WXPARK_LEASE_MS: '6000',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 15_000);
    child.stdout!.on('data', () => {
      const match = /gateway listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
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

  const first = await startGatewayProcess(db);
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

  const second = await startGatewayProcess(db);
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
