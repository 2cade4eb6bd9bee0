import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PostgresGateStore } from '../src/store/postgres.ts';
import { SqliteGateStore } from '../src/store/sqlite.ts';
import type { GateStore, Stay } from '../src/store/types.ts';
import { freshDatabase } from './support/postgres.ts';

const dir = mkdtempSync(join(tmpdir(), 'wxpark-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Engine {
  name: string;
  /** A new, empty store; `open` again reaches the same data. */
  create(): Promise<{ store: GateStore; open: () => Promise<GateStore> }>;
}

let counter = 0;
const engines: Engine[] = [
  {
    name: 'SQLite',
    async create() {
      const path = join(dir, `contract-${++counter}.sqlite`);
      const open = async () => new SqliteGateStore(path);
      return { store: await open(), open };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const url = await freshDatabase('contract');
      const open = () => PostgresGateStore.open(url, { max: 4 });
      return { store: await open(), open };
    },
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stay(plate: string, serial = `S${++counter}${plate}`): Stay {
  return {
    out_serial_number: serial,
    plate_number: plate,
    plate_color: 'PLATE_COLOR_BLUE',
    entered_at: Date.now(),
  };
}

const calls = [
  { route: 'v2/vehicle/pay/notification', payload: { nonce_str: 'n1' } },
  { route: 'v3/parking/reminders/entry', payload: { enter_timestamp: 1 } },
];
const mine = { owner: 'a', leaseMs: 60_000 };

describe.each(engines)('the $name store', (engine) => {
  const opened: GateStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });
  async function create() {
    const made = await engine.create();
    opened.push(made.store);
    return {
      store: made.store,
      open: async () => {
        const store = await made.open();
        opened.push(store);
        return store;
      },
    };
  }

  it('runs its migrations once: reopening, also by several instances at once, changes nothing', async () => {
    const { store, open } = await create();
    await store.recordEntry(stay('粤A00001'), calls, mine);
    const again = await Promise.all([open(), open(), open()]);
    for (const other of again) expect(await other.listCalls()).toHaveLength(2);
  });

  it('keeps one open stay per plate, also under concurrent entries, and answers with the open one', async () => {
    const { store } = await create();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.recordEntry(stay('粤A00002', `S-conc-${i}`), calls, mine)),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const serials = new Set(results.map((r) => r.stay.out_serial_number));
    expect(serials.size).toBe(1);
    for (const result of results) expect(result.calls).toHaveLength(2);
    expect(await store.listCalls()).toHaveLength(2);
    expect(await store.platesWithSeveralOpenStays()).toEqual([]);
  });

  it('closes a stay once on exit, and lets the plate enter again afterwards', async () => {
    const { store } = await create();
    const entered = await store.recordEntry(stay('粤A00003'), calls, mine);
    const exit = await store.recordExit(
      '粤A00003',
      Date.now(),
      (s) => [{ route: 'v3/parking/reminders/exit', payload: { out_serial_number: s.out_serial_number } }],
      mine,
    );
    expect(exit?.stay.out_serial_number).toBe(entered.stay.out_serial_number);
    expect(exit?.calls.map((c) => c.route)).toEqual(['v3/parking/reminders/exit']);
    expect(await store.recordExit('粤A00003', Date.now(), () => [], mine)).toBeUndefined();
    expect(await store.openStay('粤A00003')).toBeUndefined();
    expect((await store.recordEntry(stay('粤A00003'), calls, mine)).created).toBe(true);
  });

  it('hands a call to one claimant at a time, and to another once the lease has run out', async () => {
    const { store } = await create();
    await store.recordEntry(stay('粤A00004'), calls, { owner: 'dead', leaseMs: 300 });
    expect(await store.claimDue({ owner: 'b', leaseMs: 60_000 }, 10)).toEqual([]);
    await sleep(400);
    const [first, second] = await Promise.all([
      store.claimDue({ owner: 'b', leaseMs: 60_000 }, 10),
      store.claimDue({ owner: 'c', leaseMs: 60_000 }, 10),
    ]);
    const ids = [...first!, ...second!].map((c) => c.id);
    expect(ids.sort()).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const call of [...first!, ...second!]) expect(call.takeovers).toBe(1);
    // The dead instance's late answer no longer counts: its claim was lost.
    expect(await store.settle(ids[0]!, 'dead', { status: 'done', result: null })).toBe(false);
  });

  it('settles attempts: done with the request id, retried later, failed with the code; failed calls can be retried', async () => {
    const { store } = await create();
    const {
      calls: [v2, v3],
    } = await store.recordEntry(stay('粤A00005'), calls, mine);
    expect(
      await store.settle(v2!.id, 'a', { status: 'done', result: { user_state: 'NORMAL' }, requestId: 'R1' }),
    ).toBe(true);
    expect(
      await store.settle(v3!.id, 'a', {
        status: 'retry',
        error: 'HTTP 429',
        errorCode: 'FREQUENCY_LIMITED',
        nextAttemptAt: Date.now() + 400,
      }),
    ).toBe(true);
    expect(await store.claimDue({ owner: 'b', leaseMs: 60_000 }, 10)).toEqual([]);
    await sleep(450);
    const [due] = await store.claimDue({ owner: 'b', leaseMs: 60_000 }, 10);
    expect(due?.id).toBe(v3!.id);
    expect(due?.attempts).toBe(1);
    expect(due?.takeovers).toBe(0);
    await store.settle(v3!.id, 'b', {
      status: 'failed',
      error: 'refused',
      errorCode: 'PARAM_ERROR',
      requestId: 'R2',
    });
    const failed = await store.listCalls({ status: 'failed' });
    expect(failed.map((c) => [c.id, c.error_code, c.request_id])).toEqual([[v3!.id, 'PARAM_ERROR', 'R2']]);
    expect((await store.listCalls({ status: 'done' }))[0]).toMatchObject({
      request_id: 'R1',
      result: { user_state: 'NORMAL' },
    });
    expect(await store.retryFailed([v3!.id])).toBe(1);
    expect((await store.claimDue({ owner: 'c', leaseMs: 60_000 }, 10)).map((c) => c.id)).toEqual([v3!.id]);
  });

  it('holds a call back until the call it follows is done (an exit after its entry)', async () => {
    const { store } = await create();
    const entered = await store.recordEntry(stay('粤A00007'), calls, { owner: 'dead', leaseMs: 200 });
    const exit = await store.recordExit(
      '粤A00007',
      Date.now(),
      () => [{ route: 'v3/parking/reminders/exit', payload: {}, after: 'v3/parking/reminders/entry' }],
      mine,
    );
    expect(exit?.calls[0]?.claimed_by).toBeUndefined();
    await sleep(250);
    const due = await store.claimDue({ owner: 'b', leaseMs: 60_000 }, 10);
    expect(due.map((c) => c.route).sort()).toEqual([
      'v2/vehicle/pay/notification',
      'v3/parking/reminders/entry',
    ]);
    const entry = entered.calls.find((c) => c.route === 'v3/parking/reminders/entry')!;
    await store.settle(entry.id, 'b', { status: 'done', result: null });
    expect((await store.claimDue({ owner: 'b', leaseMs: 60_000 }, 10)).map((c) => c.route)).toEqual([
      'v3/parking/reminders/exit',
    ]);
  });

  it('stores the first body of a call and never replaces it', async () => {
    const { store } = await create();
    const {
      calls: [call],
    } = await store.recordEntry(stay('粤A00006'), calls, mine);
    expect(await store.saveBody(call!.id, '<xml>first</xml>')).toBe('<xml>first</xml>');
    expect(await store.saveBody(call!.id, '<xml>second</xml>')).toBe('<xml>first</xml>');
    expect((await store.callsOf(call!.out_serial_number))[0]?.body).toBe('<xml>first</xml>');
  });

  it('records a notice once by id', async () => {
    const { store } = await create();
    expect(await Promise.all([1, 2, 3].map(() => store.recordNotice('n-1', 'k', 's')))).toEqual(
      expect.arrayContaining([true, false, false]),
    );
  });

  it('keeps each plate’s latest state by event time, whatever order the notices arrive in', async () => {
    const { store } = await create();
    expect(await store.recordPlateState('粤B10001', 'NORMAL', 2_000)).toBe(true);
    expect(await store.recordPlateState('粤B10001', 'BLOCKED', 1_000)).toBe(false);
    expect(await store.recordPlateState('粤B10001', 'BLOCKED', 2_000)).toBe(false);
    expect(await store.plateState('粤B10001')).toEqual({ state: 'NORMAL', eventAt: 2_000 });
    expect(await store.recordPlateState('粤B10001', 'BLOCKED', 3_000)).toBe(true);
    expect(await store.plateState('粤B10001')).toEqual({ state: 'BLOCKED', eventAt: 3_000 });
    expect(await store.plateState('粤B99999')).toBeUndefined();
  });

  it('records an exit’s first gate decision with its calls, and keeps a final decision from a later moving one', async () => {
    const { store, open } = await create();
    const entered = await store.recordEntry(stay('粤A00009'), calls, mine);
    const serial = entered.stay.out_serial_number;
    const exit = await store.recordExit(
      '粤A00009',
      Date.now(),
      (s, made) => ({
        calls: [{ route: 'v3/vehicle/transactions/parking', payload: { out_trade_no: s.out_serial_number } }],
        decision: {
          action: 'query-again',
          reason: `charging after ${made.length} entry calls`,
          final: false,
        },
      }),
      mine,
    );
    expect(exit?.stay.gate).toMatchObject({ action: 'query-again', reason: 'charging after 2 entry calls' });
    // The result notice (final) may be recorded before the acceptance it follows (not final).
    expect(
      await store.recordDecision(serial, {
        action: 'release',
        reason: 'paid',
        trade_state: 'SUCCESS',
        final: true,
      }),
    ).toBe(true);
    expect(
      await store.recordDecision(serial, {
        action: 'release',
        reason: 'accepted',
        trade_state: 'ACCEPTED',
        final: false,
      }),
    ).toBe(false);
    expect((await (await open()).stay(serial))?.gate).toMatchObject({
      reason: 'paid',
      trade_state: 'SUCCESS',
    });
    // A later final state (a refund) still replaces it.
    expect(
      await store.recordDecision(serial, {
        action: 'hold',
        reason: 'refunded',
        trade_state: 'REFUND',
        final: true,
      }),
    ).toBe(true);
    expect(await store.recordDecision('NO-SUCH-STAY', { action: 'hold', reason: 'x', final: true })).toBe(
      false,
    );
    expect(await store.stay('NO-SUCH-STAY')).toBeUndefined();
  });

  it('is a NoticeStore: claimed once, busy while held, done with its reply, claimable again after release or expiry', async () => {
    const { store, open } = await create();
    const other = await open();
    const claims = await Promise.all([
      store.notices.claim('id-1', 60_000),
      other.notices.claim('id-1', 60_000),
    ]);
    expect(claims.map((c) => c.status).sort()).toEqual(['busy', 'claimed']);
    await store.notices.complete('id-1', { status: 204, body: '' });
    expect(await other.notices.claim('id-1', 60_000)).toEqual({
      status: 'done',
      reply: { status: 204, body: '' },
    });
    expect((await store.notices.claim('id-2', 60_000)).status).toBe('claimed');
    await store.notices.release('id-2');
    expect((await other.notices.claim('id-2', 200)).status).toBe('claimed');
    await sleep(250);
    expect((await store.notices.claim('id-2', 60_000)).status).toBe('claimed');
    await store.notices.complete('id-3', { status: 200, body: '<xml/>', contentType: 'text/xml' });
    await store.notices.release('id-3');
    expect(await store.notices.claim('id-3', 1)).toEqual({
      status: 'done',
      reply: { status: 200, body: '<xml/>', contentType: 'text/xml' },
    });
  });

  it('shares a rate limit: a burst, then waits; a Retry-After hold closes it until then', async () => {
    const { store, open } = await create();
    const other = await open();
    const taken = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? store : other).takeRate('m1', 100, 4)),
    );
    expect(taken.filter((wait) => wait === 0)).toHaveLength(4);
    for (const wait of taken.filter((w) => w > 0)) expect(wait).toBeLessThanOrEqual(100);
    await other.holdRate('m2', Date.now() + 1_000, 100, 4);
    const wait = await store.takeRate('m2', 100, 4);
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(1_000);
  });
});
