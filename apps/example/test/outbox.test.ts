import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { tempDir, useSandbox } from '@wxpark/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayApp, type GatewayAppOptions, startGateway } from '../src/app.ts';
import type { GatewayConfig } from '../src/config.ts';
import { sandboxConfig } from '../src/sandbox-config.ts';
import { PostgresGateStore } from '../src/store/postgres.ts';
import type { GateStore, OutboxCall } from '../src/store/types.ts';
import { postJson, sandboxEnvironment, startGatewayProcess } from './support/gateway-process.ts';
import { freshDatabase } from './support/postgres.ts';

// Several gateway instances on one PostgreSQL database and the sandbox, as a fleet runs.
const sandbox = await useSandbox();
const dir = tempDir('wxpark-outbox-');
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.close();
});

const car = { plate_color: 'PLATE_COLOR_BLUE', vehicle_type: 'VEHICLE_TYPE_SMALL' };
let plates = 0;
/** A new plate of a car owner the sandbox knows (an unknown plate is refused by 用户入场通知). */
function nextPlate(on: Sandbox = sandbox): string {
  const plate_number = `粤F${String(++plates).padStart(5, '0')}`;
  on.setVehicleUser({ plate_number, user_state: 'NORMAL', deduct_mode: 'AUTOPAY' });
  return plate_number;
}

async function openStore(url: string): Promise<GateStore> {
  const store = await PostgresGateStore.open(url, { max: 4 });
  running.push(store);
  return store;
}

async function instance(
  store: GateStore,
  options: Partial<GatewayAppOptions> = {},
  config: GatewayConfig = sandboxConfig(sandbox),
): Promise<GatewayApp> {
  const app = await startGateway(config, store, {
    port: 0,
    ...options,
    outbox: { leaseMs: 3_000, pollMs: 100, backoff: { baseMs: 200, maxMs: 1_000 }, ...options.outbox },
  });
  running.push(app);
  return app;
}

async function callsOf(app: GatewayApp, status?: string): Promise<OutboxCall[]> {
  return (await fetch(`${app.url}/gate/calls${status ? `?status=${status}` : ''}`)).json() as Promise<
    OutboxCall[]
  >;
}

describe('an outbox shared by instances on PostgreSQL', () => {
  it('backs off after a retryable failure, keeping its code, then sends the same bytes again', async () => {
    const store = await openStore(await freshDatabase('retry'));
    const app = await instance(store);
    sandbox.clearRequests();
    sandbox.failNext({ path: '/v3/parking/reminders/entry', status: 500, code: 'SYSTEM_ERROR' });
    const started = Date.now();
    const entry = await postJson(`${app.url}/gate/entry`, { plate_number: nextPlate(), ...car });
    const v3 = (entry.body.calls as { route: string; status: string; error?: string }[]).find((c) =>
      c.route.startsWith('v3/'),
    );
    expect(v3).toMatchObject({ status: 'pending', error: expect.stringMatching(/SYSTEM_ERROR/) });
    const [pending] = (await store.listCalls({ status: 'pending' })).filter((c) => c.route.startsWith('v3/'));
    expect(pending?.error_code).toBe('SYSTEM_ERROR');
    expect(pending!.next_attempt_at).toBeGreaterThan(started);
    await expect
      .poll(async () => (await store.listCalls({ status: 'pending' })).length, { timeout: 10_000 })
      .toBe(0);
    const sent = sandbox.requests.filter((r) => r.path === '/v3/parking/reminders/entry');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body).toBe(sent[0]!.body);
    // Authorization is rebuilt for the resend (a new nonce and timestamp), over the same body.
    expect(sent[1]!.headers.authorization).not.toBe(sent[0]!.headers.authorization);
  });

  it('records a final failure with its code and request id; an operator lists it and sends it again', async () => {
    const store = await openStore(await freshDatabase('failed'));
    const [a, b] = [await instance(store), await instance(store)];
    sandbox.clearRequests();
    sandbox.failNext({ path: '/v3/parking/reminders/entry', status: 400, code: 'PARAM_ERROR' });
    await postJson(`${a.url}/gate/entry`, { plate_number: nextPlate(), ...car });
    const failed = await callsOf(b, 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ route: 'v3/parking/reminders/entry', error_code: 'PARAM_ERROR' });
    expect(failed[0]!.request_id).toMatch(/\S/);
    expect((await postJson(`${b.url}/gate/calls/retry`, { ids: 'all' })).status).toBe(400);
    expect((await postJson(`${b.url}/gate/calls/retry`, { ids: [failed[0]!.id] })).body).toEqual({
      retried: 1,
    });
    await expect.poll(async () => (await callsOf(a, 'failed')).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(async () => (await callsOf(a, 'pending')).length, { timeout: 10_000 }).toBe(0);
    const sent = sandbox.requests.filter((r) => r.path === '/v3/parking/reminders/entry');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body).toBe(sent[0]!.body);
  });

  it('runs a notice delivered to two instances at once only once', async () => {
    const store = await openStore(await freshDatabase('notices'));
    let runs = 0;
    const onNotice = () => {
      runs++;
    };
    const [a, b] = [await instance(store, { onNotice }), await instance(store, { onNotice })];
    const config = sandboxConfig(sandbox);
    // The sandbox signs and sends it to one instance; the test delivers the same bytes to both, at once.
    const sent = await sandbox.sendV3Notice({
      url: `${a.url}/wxpay/v3/notify`,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: {
        sp_mchid: config.client.mchId,
        parking_id: config.targets.v3?.parking_id,
        plate_number: '粤F99999',
        plate_color: 'PLATE_COLOR_BLUE',
        state: 'ENTRANCE_STATE_IN',
      },
    });
    expect(sent.status).toBeLessThan(300);
    const replays = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        fetch(`${(i % 2 ? a : b).url}/wxpay/v3/notify`, {
          method: 'POST',
          headers: sent.headers,
          body: sent.envelope,
        }),
      ),
    );
    // A delivery that finds the notice claimed elsewhere is asked to come again (WeChat retries): never run twice.
    for (const reply of replays) expect([200, 204, 503]).toContain(reply.status);
    expect(runs).toBe(1);
  });

  it('takes over the calls of an instance killed mid-call and resends them byte for byte', async () => {
    const url = await freshDatabase('takeover');
    const store = await openStore(url);
    const env = { ...sandboxEnvironment(sandbox, dir), DATABASE_URL: url, WXPARK_LEASE_MS: '3000' };
    const doomed = await startGatewayProcess(env);
    running.push({ close: async () => void doomed.child.kill('SIGKILL') });
    sandbox.clearRequests();
    sandbox.setHostile('slow', { delayMs: 20_000, count: 2 });
    const answer = fetch(`${doomed.url}/gate/entry`, {
      method: 'POST',
      body: JSON.stringify({ plate_number: nextPlate(), ...car }),
    }).catch((error: unknown) => error);
    await expect.poll(() => sandbox.requests.length, { timeout: 10_000 }).toBe(2);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect(await answer).toBeInstanceOf(Error);
    const survivor = await instance(store);
    await expect
      .poll(async () => (await callsOf(survivor)).map((c) => c.status), { timeout: 15_000 })
      .toEqual(['done', 'done']);
    const calls = await store.listCalls();
    for (const call of calls) expect(call.takeovers).toBe(1);
    for (const path of ['/vehicle/pay/notification', '/v3/parking/reminders/entry']) {
      const sent = sandbox.requests.filter((r) => r.path === path);
      expect(sent).toHaveLength(2);
      expect(sent[1]!.body).toBe(sent[0]!.body);
    }
    expect(survivor.outbox.stats.resends).toBe(2);
  });
});

describe('the merchant rate limit, shared in PostgreSQL', () => {
  it('drains a backlog from two instances under a sandbox that answers 429 above its rate: nothing lost, few 429s', async () => {
    const limited = await startSandbox({ port: 0, rateLimit: 40 });
    running.push(limited);
    const store = await openStore(await freshDatabase('rate'));
    const config = { ...sandboxConfig(limited), rate: { perSecond: 20, burst: 4 } };
    const apps = [await instance(store, {}, config), await instance(store, {}, config)];
    const events = 60;
    const answers = await Promise.all(
      Array.from({ length: events }, (_, i) =>
        postJson(`${apps[i % 2]!.url}/gate/entry`, { plate_number: nextPlate(limited), ...car }),
      ),
    );
    expect(
      answers
        .filter((a) => a.status !== 200)
        .map((a) => JSON.stringify(a.body))
        .slice(0, 3),
    ).toEqual([]);
    await expect
      .poll(async () => (await store.listCalls({ status: 'done' })).length, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(events * 2);
    expect(await store.listCalls({ status: 'failed' })).toEqual([]);
    const rateLimited = apps.reduce((sum, app) => sum + app.outbox.stats.rateLimited, 0);
    // Without the shared limit, 120 calls at once meet about 80 refusals (120 with retries); with it, half
    // the sandbox's rate leaves room for a loaded machine's bunching, and a handful at most is refused.
    expect(rateLimited).toBeLessThanOrEqual(6);
    console.log(`rate limit: ${events * 2} calls drained, ${rateLimited} answered 429`);
  });
});
