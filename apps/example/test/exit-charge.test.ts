import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { closedUrl } from '@wxpark/test-utils';
import { createTestV2Notice } from '@wxpark/vehicle-v2/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayApp, type GatewayAppOptions, startGateway } from '../src/app.ts';
import type { GatewayConfig } from '../src/config.ts';
import type { GatewayTargets } from '../src/gateway.ts';
import { sandboxConfig } from '../src/sandbox-config.ts';
import { PostgresGateStore } from '../src/store/postgres.ts';
import { SqliteGateStore } from '../src/store/sqlite.ts';
import type { GateDecision, GateStore, OutboxCall } from '../src/store/types.ts';
import { postJson } from './support/gateway-process.ts';
import { freshDatabase } from './support/postgres.ts';

// The exit gate against the sandbox: the stay is charged (扣费受理 or 申请扣款), the gate decision comes from
// the SDK's helpers, and a charge whose outcome is unknown is queried, never resent blindly.
let sandbox: Sandbox;
let dir: string;
const running: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'wxpark-charge-'));
});
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.close();
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const engines = [
  { name: 'SQLite', open: async () => new SqliteGateStore(join(dir, `charge-${++opened}.sqlite`)) },
  { name: 'PostgreSQL', open: async () => PostgresGateStore.open(await freshDatabase('charge'), { max: 4 }) },
];
let opened = 0;

const car = { plate_color: 'PLATE_COLOR_BLUE', vehicle_type: 'VEHICLE_TYPE_SMALL' };
const charge = { fenPerHour: 500, freeSeconds: 900, spbill_create_ip: '127.0.0.1' };
/** Two hours ago: past the free time, so the tariff asks 1000 fen. */
const twoHoursAgo = () => new Date(Date.now() - 2 * 3600_000).toISOString();

let plates = 0;
/** A new plate of a car owner in good standing, known to both car-owner services of the sandbox. */
function nextPlate(): string {
  const plate_number = `粤K${String(++plates).padStart(5, '0')}`;
  sandbox.setVehicleUser({ plate_number, user_state: 'NORMAL', deduct_mode: 'AUTOPAY' });
  return plate_number;
}

interface Stayed {
  out_serial_number: string;
  gate?: GateDecision;
  calls: OutboxCall[];
}

async function stayOf(app: GatewayApp, serial: string): Promise<Stayed> {
  return (await fetch(`${app.url}/gate/stays/${serial}`)).json() as Promise<Stayed>;
}

const requestsTo = (path: string) => sandbox.requests.filter((r) => r.path.split('?')[0] === path);
const scoreCharge = '/v3/vehicle/transactions/parking';
const scoreQuery = (serial: string) => `/v3/vehicle/transactions/out-trade-no/${serial}`;

describe.each(engines)('the exit gate on $name', (engine) => {
  /**
   * A gateway that charges through one service only, so that the exit sends one call and a hostile mode
   * set before it meets that call: `score` (微信支付分停车, APIv3) or `owner` (车主平台, APIv2).
   */
  async function gateway(
    service: 'score' | 'owner',
    client: Partial<GatewayConfig['client']> = {},
    shared?: GateStore,
    outbox: GatewayAppOptions['outbox'] = {},
  ) {
    const store: GateStore = shared ?? (await engine.open());
    if (!shared) running.push(store);
    const base = sandboxConfig(sandbox);
    const targets: GatewayTargets =
      service === 'score'
        ? {
            parkingName: base.targets.parkingName,
            scoreParking: { appid: base.targets.v2!.appid, free_duration: 900 },
            charge,
          }
        : { parkingName: base.targets.parkingName, v2: { ...base.targets.v2! }, charge };
    const app = await startGateway({ client: { ...base.client, ...client }, targets }, store, {
      port: 0,
      outbox: {
        leaseMs: 10_000,
        pollMs: 100,
        backoff: { baseMs: 200, maxMs: 1_000 },
        query: { attempts: 3, delayMs: 100 },
        ...outbox,
      },
    });
    running.push(app);
    // The callbacks come back to this gateway.
    if (targets.scoreParking) targets.scoreParking.notify_url = `${app.url}/wxpay/v3/notify`;
    if (targets.v2) targets.v2.notify_url = `${app.url}/wxpay/v2/notify`;
    return { app, store, targets };
  }

  async function enter(app: GatewayApp, plate_number: string): Promise<string> {
    const entry = await postJson(`${app.url}/gate/entry`, { plate_number, ...car, time: twoHoursAgo() });
    expect(entry.status, JSON.stringify(entry.body)).toBe(200);
    return entry.body.out_serial_number!;
  }

  async function exit(app: GatewayApp, plate_number: string, extra: Record<string, unknown> = {}) {
    const answer = await postJson(`${app.url}/gate/exit`, { plate_number, ...car, ...extra });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body as unknown as { out_serial_number: string; gate: GateDecision; calls: unknown[] };
  }

  describe('微信支付分停车 (扣费受理, APIv3)', () => {
    it('releases the car on an accepted 扣费受理, and the TRANSACTION.SUCCESS notice then makes it SUCCESS', async () => {
      const { app } = await gateway('score');
      const plate = nextPlate();
      const serial = await enter(app, plate);
      const exited = await exit(app, plate);
      expect(exited.gate.action).toBe('release');
      // The notice can overtake the answer: by the time the exit answers, the order may be SUCCESS already.
      expect(['ACCEPTED', 'SUCCESS']).toContain(exited.gate.trade_state);
      const sent = JSON.parse(requestsTo(scoreCharge).find((r) => r.body.includes(serial))!.body);
      expect(sent).toMatchObject({ out_trade_no: serial, amount: { total: 1000 } });
      await expect
        .poll(async () => (await stayOf(app, serial)).gate, { timeout: 10_000 })
        .toMatchObject({ action: 'release', trade_state: 'SUCCESS', reason: expect.stringMatching(/paid/) });
    });

    it('holds the car with WeChat Pay’s reason when 扣费受理 is refused (NO_AUTH), and sends it once', async () => {
      const { app } = await gateway('score');
      const plate = nextPlate();
      const serial = await enter(app, plate);
      sandbox.failNext({ path: scoreCharge, status: 403, code: 'NO_AUTH' });
      const exited = await exit(app, plate);
      expect(exited.gate).toMatchObject({ action: 'hold', reason: expect.stringMatching(/NO_AUTH/) });
      const stay = await stayOf(app, serial);
      expect(stay.calls.find((c) => c.route === 'v3/vehicle/transactions/parking')).toMatchObject({
        status: 'failed',
        error_code: 'NO_AUTH',
      });
      expect(requestsTo(scoreQuery(serial))).toHaveLength(0);
    });

    it('queries the order after 扣费受理 times out, sends it exactly once, and releases on what the query finds', async () => {
      const { app } = await gateway('score', { timeout: 600 });
      const plate = nextPlate();
      const serial = await enter(app, plate);
      sandbox.clearRequests();
      // The sandbox accepts the order, then answers too late for the client's timeout.
      sandbox.setHostile('slow', { delayMs: 2_000 });
      const exited = await exit(app, plate);
      expect(exited.gate).toMatchObject({ action: 'release' });
      expect(['ACCEPTED', 'SUCCESS']).toContain(exited.gate.trade_state);
      expect(requestsTo(scoreCharge)).toHaveLength(1);
      expect(requestsTo(scoreQuery(serial)).length).toBeGreaterThanOrEqual(1);
      expect(app.outbox.stats.queried).toBe(1);
      const stay = await stayOf(app, serial);
      expect(stay.calls.find((c) => c.route === 'v3/vehicle/transactions/parking')?.status).toBe('done');
      // Nothing is left to send: the poller never resends it either.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(requestsTo(scoreCharge)).toHaveLength(1);
    });

    it('after a SYSTEM_ERROR, finds by query that WeChat Pay has no such order and only then sends the same bytes again', async () => {
      const { app } = await gateway('score');
      const plate = nextPlate();
      const serial = await enter(app, plate);
      sandbox.clearRequests();
      sandbox.failNext({ path: scoreCharge, status: 500, code: 'SYSTEM_ERROR' });
      const exited = await exit(app, plate);
      expect(exited.gate).toMatchObject({
        action: 'query-again',
        reason: expect.stringMatching(/no such order/),
      });
      await expect
        .poll(async () => (await stayOf(app, serial)).gate?.action, { timeout: 10_000 })
        .toBe('release');
      const sent = requestsTo(scoreCharge);
      expect(sent).toHaveLength(2);
      expect(sent[1]!.body).toBe(sent[0]!.body);
      // Each send followed a query that found no order: the first after the SYSTEM_ERROR, one before the resend.
      const queries = requestsTo(scoreQuery(serial));
      expect(queries.length).toBeGreaterThanOrEqual(2);
      expect(queries[0]!.at).toBeGreaterThanOrEqual(sent[0]!.at);
      expect(queries.some((q) => q.at <= sent[1]!.at)).toBe(true);
    });

    it('sends 扣费受理 after an entry still unanswered at exit, with the parking_id that entry answered', async () => {
      const { app } = await gateway('score');
      const plate = nextPlate();
      // 创建停车入场 fails twice (SYSTEM_ERROR): the stay is still without a parking_id when it leaves.
      sandbox.failNext({ path: '/v3/vehicle/parking/parkings', status: 500, code: 'SYSTEM_ERROR', count: 2 });
      const serial = await enter(app, plate);
      const exited = await exit(app, plate);
      expect(exited.gate).toMatchObject({
        action: 'query-again',
        reason: expect.stringMatching(/charging 1000 fen/),
      });
      expect(exited.calls).toEqual([
        expect.objectContaining({ status: 'pending', error: expect.stringMatching(/queued/) }),
      ]);
      await expect
        .poll(async () => (await stayOf(app, serial)).gate?.action, { timeout: 10_000 })
        .toBe('release');
      const { calls } = await stayOf(app, serial);
      const entry = calls.find((c) => c.route === 'v3/vehicle/parking/parkings')!;
      const entryId = (entry.result as { id: string }).id;
      const sent = requestsTo(scoreCharge).filter((r) => r.body.includes(serial));
      expect(sent).toHaveLength(1);
      expect(JSON.parse(sent[0]!.body).parking_info.parking_id).toBe(entryId);
    });
  });

  describe('车主平台 (申请扣款, APIv2)', () => {
    it('asks again on an accepted 申请扣款 (acceptance only), and releases when the 扣费结果通知 says SUCCESS', async () => {
      const { app } = await gateway('owner');
      const plate = nextPlate();
      const serial = await enter(app, plate);
      const exited = await exit(app, plate);
      // The notice may already have come by the time the exit answers.
      if (exited.gate.trade_state !== 'SUCCESS')
        expect(exited.gate).toMatchObject({
          action: 'query-again',
          reason: expect.stringMatching(/accepted/),
        });
      await expect
        .poll(async () => (await stayOf(app, serial)).gate, { timeout: 10_000 })
        .toMatchObject({ action: 'release', trade_state: 'SUCCESS' });
      const [sent] = requestsTo('/vehicle/pay/payapply').filter((r) => r.body.includes(serial));
      expect(sent?.body).toContain('<total_fee><![CDATA[1000]]></total_fee>');
    });

    it('holds the car when 申请扣款 is refused for an owner fallen into arrears since the entry', async () => {
      const { app } = await gateway('owner');
      const plate = nextPlate();
      await enter(app, plate);
      sandbox.setVehicleUser({ plate_number: plate, user_state: 'BLOCK', deduct_mode: 'AUTOPAY' });
      const exited = await exit(app, plate);
      expect(exited.gate).toMatchObject({ action: 'hold', reason: expect.stringMatching(/INVALID_REQUEST/) });
    });

    it('keeps the car waiting (query-again) after an accepted 申请扣款 whose 扣费结果通知 never comes, until 查询订单 finds SUCCESS', async () => {
      const { app, targets } = await gateway('owner');
      const plate = nextPlate();
      const serial = await enter(app, plate);
      // The result notice goes where nobody listens.
      targets.v2!.notify_url = `${await closedUrl()}/wxpay/v2/notify`;
      sandbox.clearRequests();
      const exited = await exit(app, plate);
      expect(exited.gate).toMatchObject({
        action: 'query-again',
        reason: expect.stringMatching(/扣费结果通知/),
      });
      expect(exited.calls).toEqual([expect.objectContaining({ status: 'pending' })]);
      // The outbox asks for the result itself, once the acceptance has had time to become a deduction.
      await expect
        .poll(async () => (await stayOf(app, serial)).gate, { timeout: 10_000 })
        .toMatchObject({ action: 'release', trade_state: 'SUCCESS', final: true });
      await expect
        .poll(
          async () =>
            (await stayOf(app, serial)).calls.find((c) => c.route === 'v2/vehicle/pay/payapply')?.status,
        )
        .toBe('done');
      expect(requestsTo('/transit/queryorder').length).toBeGreaterThanOrEqual(1);
      expect(requestsTo('/vehicle/pay/payapply')).toHaveLength(1);
    });

    it('holds a waiting car when the 扣费结果通知 says PAY_FAIL, and asks nothing more of that order', async () => {
      // A slow follow-up, so that the notice comes first.
      const { app, targets } = await gateway('owner', {}, undefined, {
        backoff: { baseMs: 1_000, maxMs: 2_000 },
      });
      const plate = nextPlate();
      const serial = await enter(app, plate);
      targets.v2!.notify_url = `${await closedUrl()}/wxpay/v2/notify`;
      sandbox.clearRequests();
      expect((await exit(app, plate)).gate.action).toBe('query-again');
      const merchant = sandbox.config.merchants.find((m) => m.mchId === targets.v2!.mch_id)!;
      const notice = createTestV2Notice({
        kind: 'pay-result',
        apiKey: merchant.v2ApiKey,
        fields: {
          appid: merchant.appId,
          mch_id: merchant.mchId,
          out_trade_no: serial,
          trade_state: 'PAY_FAIL',
        },
      });
      const delivered = await fetch(`${app.url}/wxpay/v2/notify`, {
        method: 'POST',
        headers: notice.headers,
        body: notice.body,
      });
      expect(delivered.status).toBe(200);
      expect((await stayOf(app, serial)).gate).toMatchObject({
        action: 'hold',
        trade_state: 'PAY_FAIL',
        final: true,
      });
      // The pending charge sees the final decision and settles without another query.
      await expect
        .poll(
          async () =>
            (await stayOf(app, serial)).calls.find((c) => c.route === 'v2/vehicle/pay/payapply')?.status,
          {
            timeout: 10_000,
          },
        )
        .toBe('done');
      expect(requestsTo('/transit/queryorder')).toHaveLength(0);
      expect((await stayOf(app, serial)).gate?.action).toBe('hold');
    });

    it('queries 查询订单 after the answer of 申请扣款 is dropped, and exactly one 申请扣款 reaches WeChat Pay', async () => {
      const { app } = await gateway('owner');
      const plate = nextPlate();
      const serial = await enter(app, plate);
      sandbox.clearRequests();
      // The sandbox makes the deduction, then closes the connection without an answer.
      sandbox.setHostile('drop');
      const exited = await exit(app, plate);
      expect(exited.gate.action).not.toBe('hold');
      expect(requestsTo('/vehicle/pay/payapply')).toHaveLength(1);
      const queries = requestsTo('/transit/queryorder');
      expect(queries.length).toBeGreaterThanOrEqual(1);
      expect(queries[0]!.body).toContain(serial);
      expect(app.outbox.stats.queried).toBe(1);
      await expect
        .poll(async () => (await stayOf(app, serial)).gate, { timeout: 10_000 })
        .toMatchObject({ action: 'release', trade_state: 'SUCCESS' });
      expect(requestsTo('/vehicle/pay/payapply')).toHaveLength(1);
    });
  });

  it('after an outage, queries a charge whose bytes may have left before sending it, then sends the stored XML byte for byte', async () => {
    // An instance whose WeChat Pay host cannot be reached records and tries the charge, then stops.
    const down = await gateway('owner', { baseUrl: await closedUrl() });
    const plate = nextPlate();
    const serial = await enter(down.app, plate);
    const exited = await exit(down.app, plate);
    expect(exited.gate).toMatchObject({ action: 'query-again', reason: expect.stringMatching(/unknown/) });
    await down.app.close();
    const [tried] = (await down.store.callsOf(serial)).filter((c) => c.route === 'v2/vehicle/pay/payapply');
    expect(tried?.body).toMatch(/^<xml>/);
    expect(tried?.status).toBe('pending');

    // Another instance on the same database, with WeChat Pay back: it asks first, learns there is no such
    // order, and only then sends the charge, as stored.
    sandbox.clearRequests();
    const up = await gateway('owner', {}, down.store);
    await expect
      .poll(async () => (await stayOf(up.app, serial)).gate, { timeout: 15_000 })
      .toMatchObject({ action: 'release', trade_state: 'SUCCESS' });
    const sent = requestsTo('/vehicle/pay/payapply');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toBe(tried!.body);
    const firstQuery = requestsTo('/transit/queryorder')[0];
    expect(firstQuery?.at).toBeLessThanOrEqual(sent[0]!.at);
    // Both calls the first instance had tried went out as stored: the entry's 用户入场通知 and the charge.
    expect(up.app.outbox.stats.resends).toBe(2);
    expect(up.app.outbox.stats.queried).toBeGreaterThanOrEqual(1);
  });

  it('releases a stay within the free time without charging it', async () => {
    const { app } = await gateway('score');
    const plate = nextPlate();
    await postJson(`${app.url}/gate/entry`, { plate_number: plate, ...car });
    sandbox.clearRequests();
    const exited = await exit(app, plate);
    expect(exited.gate).toMatchObject({ action: 'release', reason: expect.stringMatching(/free time/) });
    expect(requestsTo(scoreCharge)).toHaveLength(0);
  });

  it('holds a car whose owner uses neither service, naming why', async () => {
    const { app } = await gateway('score');
    const plate = nextPlate();
    sandbox.setVehicleUser({ plate_number: plate, user_state: 'BLOCK', deduct_mode: 'AUTOPAY' });
    await enter(app, plate);
    const exited = await exit(app, plate, { fee: 300 });
    expect(exited.gate).toMatchObject({ action: 'hold', reason: expect.stringMatching(/300 fen.*BLOCKED/) });
  });
});
