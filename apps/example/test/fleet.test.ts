import { randomUUID } from 'node:crypto';
import { type RecordedRequest, type Sandbox, startSandbox } from '@wxpark/sandbox';
import { tempDir } from '@wxpark/test-utils';
import { parseXml } from '@wxpark/xml';
import { afterAll, expect, it } from 'vitest';
import { PostgresGateStore } from '../src/store/postgres.ts';
import { type GatewayProcess, sandboxEnvironment, startGatewayProcess } from './support/gateway-process.ts';
import { freshDatabase } from './support/postgres.ts';

// Issue 15 §5: three gateway processes on one PostgreSQL and the sandbox, gate events and notices spread over
// them, while one of them is killed (SIGKILL) every few seconds and restarted.
const instances = 3;
const plates = 500; // an entry and an exit each: 1,000 gate events
const notices = 200;
const workers = 12;
const killEveryMs = 3_000;
const minimumKills = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

let sandbox: Sandbox | undefined;
const processes: GatewayProcess[] = [];
afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await sandbox?.close();
});

/** A call's identity on the wire, to compare every time it was sent. */
function callKey(request: RecordedRequest): string {
  if (request.path.startsWith('/vehicle/')) return `v2 ${parseXml(request.body).nonce_str}`;
  const body = JSON.parse(request.body) as Record<string, string>;
  if (request.path === '/v3/businesscircle/parkings') return `mall ${body.plate_number} ${body.state}`;
  return `${request.path} ${body.out_serial_number}`;
}

it('runs a fleet of three on one PostgreSQL through kill -9s: nothing lost, nothing sent with other bytes, no notice run twice, one open stay per plate', {
  timeout: 240_000,
}, async () => {
  sandbox = await startSandbox({ port: 0 });
  const box = sandbox;
  const dir = tempDir('wxpark-fleet-');
  const databaseUrl = await freshDatabase('fleet');
  const merchant = box.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
  const brand = box.config.brands!.find((b) => b.mchIds.includes(merchant.mchId))!;
  const member = box.config.mallMembers!.find(
    (m) => m.brandId === brand.brandId && m.authorize_state === 'AUTHORIZED',
  )!;
  const env: Record<string, string> = {
    ...sandboxEnvironment(box, dir),
    DATABASE_URL: databaseUrl,
    WXPAY_MALL_BRAND_ID: String(brand.brandId),
    WXPAY_MALL_APPID: brand.appId,
    WXPARK_LEASE_MS: '3000',
    WXPARK_RATE_LIMIT: 'off',
  };
  const plateNumbers = Array.from({ length: plates }, (_, i) => `粤K${String(i).padStart(5, '0')}`);
  for (const plate_number of plateNumbers)
    box.setVehicleUser({ plate_number, user_state: 'NORMAL', deduct_mode: 'AUTOPAY' });

  // Every request the sandbox receives, kept by identity (its own log keeps the last 1,000).
  const seen = new Set<RecordedRequest>();
  const wire: RecordedRequest[] = [];
  const collect = () => {
    for (const request of box.requests)
      if (!seen.has(request)) {
        seen.add(request);
        wire.push(request);
      }
  };
  const collector = setInterval(collect, 50);

  const live: (GatewayProcess | undefined)[] = await Promise.all(
    Array.from({ length: instances }, () => startGatewayProcess(env)),
  );
  processes.push(...(live as GatewayProcess[]));
  const liveUrls = () => live.filter((p): p is GatewayProcess => p !== undefined).map((p) => p.url);

  let kills = 0;
  let trafficDone = false;
  const killer = (async () => {
    while (!trafficDone) {
      // The first kills come quickly, so that a fast machine, which ends the traffic in seconds, still sees
      // instances die mid-call; then one every few seconds.
      await sleep(kills < minimumKills ? 700 : killEveryMs);
      if (trafficDone) break;
      const index = Math.floor(Math.random() * instances);
      const victim = live[index]!;
      live[index] = undefined;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills++;
      const fresh = await startGatewayProcess(env);
      processes.push(fresh);
      live[index] = fresh;
    }
  })();

  /**
   * POSTs to a random live instance until one accepts it (a killed one drops the connection; a notice claimed
   * by a killed one is answered 503 until its lease runs out), as a gate controller and WeChat retry.
   */
  async function deliver(path: string, init: RequestInit, accept: (status: number) => boolean) {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      const url = pick(liveUrls());
      try {
        const response = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
        const text = await response.text();
        if (accept(response.status)) return { status: response.status, text, attempt };
      } catch {}
      if (Date.now() > deadline) throw new Error(`${path}: no instance accepted it within 60 s`);
      await sleep(100);
    }
  }

  const car = { plate_color: 'PLATE_COLOR_BLUE', vehicle_type: 'VEHICLE_TYPE_SMALL' };
  const acknowledged: { kind: string; plate: string; serial?: string }[] = [];
  const queue = [...plateNumbers];
  async function gateWorker() {
    for (let plate = queue.shift(); plate; plate = queue.shift()) {
      const event = {
        plate_number: plate,
        ...car,
        ...(plate.endsWith('0') ? { openid: member.openid } : {}),
      };
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
      };
      const entry = await deliver('/gate/entry', init, (s) => s === 200);
      acknowledged.push({ kind: 'entry', plate, serial: JSON.parse(entry.text).out_serial_number });
      // An exit whose answer was lost in a kill is acknowledged already: its retry finds no open stay (404).
      const exit = await deliver('/gate/exit', init, (s) => s === 200 || s === 404);
      acknowledged.push({ kind: 'exit', plate });
      expect(exit.status === 200 || exit.attempt > 0).toBe(true);
    }
  }

  const noticeIds: string[] = [];
  async function noticeWorker() {
    for (let n = 0; n < notices; n++) {
      const resource = {
        sp_mchid: merchant.mchId,
        parking_id: env.WXPAY_PARKING_ID,
        plate_number: `粤N${String(n).padStart(5, '0')}`,
        plate_color: 'PLATE_COLOR_BLUE',
        state: 'ENTRANCE_STATE_IN',
      };
      // One notice, one id: a delivery cut by a kill is the same notice delivered again (as WeChat does),
      // which the instance may already have recorded before it died.
      const id = randomUUID();
      let sent: Awaited<ReturnType<Sandbox['sendV3Notice']>> | undefined;
      for (let attempt = 0; !sent; attempt++) {
        try {
          sent = await box.sendV3Notice({
            url: `${pick(liveUrls())}/wxpay/v3/notify`,
            mchId: merchant.mchId,
            event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
            resource,
            id,
          });
        } catch {
          if (attempt > 300) throw new Error('no instance took the notice');
          await sleep(100);
        }
      }
      noticeIds.push(JSON.parse(sent.envelope).id);
      // The same delivery again, at two instances at once, until each repeat is answered 2xx (WeChat retries).
      await Promise.all(
        [0, 1].map(() =>
          deliver(
            '/wxpay/v3/notify',
            { method: 'POST', headers: sent.headers, body: sent.envelope },
            (s) => s >= 200 && s < 300,
          ),
        ),
      );
    }
  }

  const started = performance.now();
  await Promise.all([...Array.from({ length: workers }, gateWorker), noticeWorker()]);
  // However fast the traffic went, the fleet has lost instances before the checks below.
  while (kills < minimumKills) await sleep(100);
  trafficDone = true;
  await killer;
  const trafficSeconds = (performance.now() - started) / 1000;

  // Let the fleet finish what it owes: every call answered.
  const store = await PostgresGateStore.open(databaseUrl, { max: 2 });
  try {
    const unfinished = async () => (await store.listCalls()).filter((c) => c.status !== 'done');
    for (let waited = 0; waited < 60_000 && (await unfinished()).length > 0; waited += 500) await sleep(500);
    expect((await unfinished()).map((c) => `${c.route} ${c.status} ${c.error_code} ${c.error}`)).toEqual([]);
    await sleep(200);
    clearInterval(collector);
    collect();
    const calls = await store.listCalls();

    // Every acknowledged event has its calls, sent and answered.
    const entries = acknowledged.filter((a) => a.kind === 'entry');
    expect(entries).toHaveLength(plates);
    expect(acknowledged.filter((a) => a.kind === 'exit')).toHaveLength(plates);
    const bySerial = new Map<string, string[]>();
    for (const call of calls)
      bySerial.set(call.out_serial_number, [...(bySerial.get(call.out_serial_number) ?? []), call.route]);
    for (const entry of entries) {
      const routes = bySerial.get(entry.serial!)?.sort() ?? [];
      const mall = entry.plate.endsWith('0')
        ? ['v3/businesscircle/parkings', 'v3/businesscircle/parkings#OUT']
        : [];
      expect(routes).toEqual(
        [
          'v2/vehicle/pay/notification',
          ...mall,
          'v3/parking/reminders/entry',
          'v3/parking/reminders/exit',
        ].sort(),
      );
    }
    // Each call reached the sandbox with the body the database holds, and every resend with the same bytes.
    const bodies = new Map<string, string>();
    let resends = 0;
    for (const request of wire) {
      const key = callKey(request);
      const first = bodies.get(key);
      if (first === undefined) bodies.set(key, request.body);
      else {
        resends++;
        expect(request.body, `${key} sent again with other bytes`).toBe(first);
      }
    }
    expect(bodies.size).toBe(calls.length);
    const stored = new Set(calls.map((c) => c.body));
    for (const body of bodies.values()) expect(stored.has(body)).toBe(true);

    // No notice ran twice: across every process that ever ran, each id was recorded once.
    const output = processes.map((p) => p.output()).join('\n');
    const recorded = [...output.matchAll(/← callback \S+ (\S+): verified, recorded/g)].map((m) => m[1]!);
    expect(noticeIds).toHaveLength(notices);
    expect(new Set(noticeIds).size).toBe(notices);
    expect(recorded.sort()).toEqual([...noticeIds].sort());

    // One open stay per plate (every plate has left: none is open).
    expect(await store.platesWithSeveralOpenStays()).toEqual([]);
    for (const plate of plateNumbers.slice(0, 20)) expect(await store.openStay(plate)).toBeUndefined();

    const takeovers = calls.reduce((sum, c) => sum + c.takeovers, 0);
    expect(kills).toBeGreaterThanOrEqual(minimumKills);
    console.log(
      `fleet: ${plates * 2} gate events, ${calls.length} calls, ${notices} notices (${notices * 3} deliveries) in ${trafficSeconds.toFixed(1)} s; ` +
        `${kills} kills, ${takeovers} takeovers, ${resends} resends (byte-identical), ${wire.length} requests seen by the sandbox`,
    );
  } finally {
    await store.close();
  }
});
