import { describe, expect, it } from 'vitest';
import {
  createMemoryNoticeStore,
  createV3NoticeHandler,
  integer,
  type NoticeStore,
  object,
  oneOf,
  type V3Notice,
  WxparkError,
} from '../src/index.ts';
import { createTestNoticeKeys, createTestV3Notice, testNoticeKeys } from '../src/testing.ts';
import { gate, listen, post } from './notice-helpers.ts';

const keys = testNoticeKeys();
const trusted = { verifier: keys.verifier, apiV3Key: keys.apiV3Key };
const resource = { plate_number: '粤B888888', parking_state: 'NORMAL' };

function notice(overrides: Partial<Parameters<typeof createTestV3Notice>[0]> = {}) {
  return createTestV3Notice({ event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE', resource, ...overrides });
}

describe('createV3NoticeHandler', () => {
  it('accepts a notice made by createTestV3Notice through node:http and Fetch, decrypted', async () => {
    const seen: V3Notice[] = [];
    const handler = createV3NoticeHandler({ ...trusted, onNotice: (n) => void seen.push(n) });
    const url = await listen((req, res) => void handler.node(req, res));
    const first = notice();
    expect((await post(url, first)).status).toBe(204);
    const second = notice();
    const answer = await handler.fetch(new Request(url, { method: 'POST', ...second }));
    expect(answer.status).toBe(204);
    expect(seen.map((n) => n.id)).toEqual([first.id, second.id]);
    expect(seen[0]?.resource).toEqual(resource);
  });

  it('runs onNotice once for N concurrent deliveries of one notice, and gives all N the same reply', async () => {
    const held = gate();
    let runs = 0;
    const handler = createV3NoticeHandler({
      ...trusted,
      onNotice: async () => {
        runs += 1;
        await held.promise;
        return { code: 'SUCCESS', run: runs };
      },
    });
    const url = await listen((req, res) => void handler.node(req, res));
    const delivery = notice();
    const answers = Array.from({ length: 8 }, () => post(url, delivery));
    await expect.poll(() => runs).toBe(1);
    held.open();
    const replies = await Promise.all(answers);
    expect(runs).toBe(1);
    expect(new Set(replies.map((r) => `${r.status} ${r.body}`))).toEqual(
      new Set(['200 {"code":"SUCCESS","run":1}']),
    );
    expect(await post(url, delivery)).toEqual(replies[0]);
    expect(runs).toBe(1);
  });

  it('releases the claim when onNotice throws, so the retry runs it again', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const handler = createV3NoticeHandler({
      ...trusted,
      onNotice: () => {
        runs += 1;
        if (runs === 1) throw new Error('database down');
      },
      onError: (error) => errors.push(error),
    });
    const delivery = notice();
    const failed = await handler.process(delivery.body, delivery.headers);
    expect(failed).toEqual({
      status: 500,
      body: '{"code":"FAIL","message":"FAIL"}',
      contentType: 'application/json',
    });
    expect((errors[0] as Error).message).toBe('database down');
    expect((await handler.process(delivery.body, delivery.headers)).status).toBe(204);
    expect((await handler.process(delivery.body, delivery.headers)).status).toBe(204);
    expect(runs).toBe(2);
  });

  it('processes a notice once across two handlers sharing one store, answering 503 while the other runs', async () => {
    const store = createMemoryNoticeStore();
    const held = gate();
    let runs = 0;
    const onNotice = async () => {
      runs += 1;
      await held.promise;
      return { done: true };
    };
    const first = createV3NoticeHandler({ ...trusted, store, onNotice });
    const second = createV3NoticeHandler({ ...trusted, store, onNotice });
    const delivery = notice();
    const running = first.process(delivery.body, delivery.headers);
    await expect.poll(() => runs).toBe(1);
    const meanwhile = await second.process(delivery.body, delivery.headers);
    expect(meanwhile.status).toBe(503);
    expect(JSON.parse(meanwhile.body)).toEqual({ code: 'FAIL', message: 'NOTICE_BUSY' });
    held.open();
    expect((await running).status).toBe(200);
    expect(await second.process(delivery.body, delivery.headers)).toEqual(await running);
    expect(runs).toBe(1);
  });

  it('takes over a claim whose lease ran out (the instance holding it died)', async () => {
    const store = createMemoryNoticeStore();
    const delivery = notice();
    expect(await store.claim(`v3:${delivery.id}`, 1)).toEqual({ status: 'claimed' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    let runs = 0;
    const handler = createV3NoticeHandler({
      ...trusted,
      store,
      onNotice: () => {
        runs += 1;
      },
    });
    expect((await handler.process(delivery.body, delivery.headers)).status).toBe(204);
    expect(runs).toBe(1);
  });

  it('does not hold later deliveries behind a run stuck past its lease: the next one runs onNotice again', async () => {
    const stuck = gate();
    let runs = 0;
    const handler = createV3NoticeHandler({
      ...trusted,
      leaseMs: 50,
      onNotice: async () => {
        runs += 1;
        if (runs === 1) await stuck.promise;
      },
    });
    const delivery = notice();
    const first = handler.process(delivery.body, delivery.headers);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await handler.process(delivery.body, delivery.headers)).status).toBe(204);
    expect(runs).toBe(2);
    stuck.open();
    await first;
  });

  it('answers 500 and reports it when the store cannot claim, without running onNotice', async () => {
    const errors: unknown[] = [];
    const broken: NoticeStore = {
      claim: () => Promise.reject(new Error('connection refused')),
      complete: () => Promise.resolve(),
      release: () => Promise.resolve(),
    };
    let runs = 0;
    const handler = createV3NoticeHandler({
      ...trusted,
      store: broken,
      onNotice: () => {
        runs += 1;
      },
      onError: (error) => errors.push(error),
    });
    const delivery = notice();
    expect((await handler.process(delivery.body, delivery.headers)).status).toBe(500);
    expect(runs).toBe(0);
    expect((errors[0] as Error).message).toBe('connection refused');
  });

  it('never hands an undeclared event_type to onNotice: onError gets UNDECLARED_NOTICE and WeChat a 500', async () => {
    const errors: WxparkError[] = [];
    let runs = 0;
    const handler = createV3NoticeHandler({
      ...trusted,
      eventTypes: ['VEHICLE.ENTRANCE_STATE_CHANGE'],
      onNotice: () => {
        runs += 1;
      },
      onError: (error) => errors.push(error as WxparkError),
    });
    const other = notice({ event_type: 'VEHICLE.USER_STATE_CHANGE' });
    const answer = await handler.process(other.body, other.headers);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ code: 'FAIL', message: 'UNDECLARED_NOTICE' });
    expect(runs).toBe(0);
    expect(errors[0]?.code).toBe('UNDECLARED_NOTICE');
    expect(errors[0]?.message).toContain('VEHICLE.USER_STATE_CHANGE');
    // Nothing was recorded: once a handler declares it, WeChat's next delivery is processed.
    const later = createV3NoticeHandler({
      ...trusted,
      onNotice: () => {
        runs += 1;
      },
    });
    expect((await later.process(other.body, other.headers)).status).toBe(204);
  });

  it('checks a reply that carries data: missing or malformed is INVALID_NOTICE_REPLY and 500, never 204', async () => {
    const errors: WxparkError[] = [];
    let reply: unknown;
    const handler = createV3NoticeHandler({
      ...trusted,
      replyRules: { 'FEE.QUERY': object({ code: oneOf(['SUCCESS']), total_amount: integer({ min: 0 }) }) },
      onNotice: () => reply as object,
      onError: (error) => errors.push(error as WxparkError),
    });
    for (const wrong of [undefined, { code: 'SUCCESS', total_amount: '15' }]) {
      reply = wrong;
      const query = notice({ event_type: 'FEE.QUERY' });
      const answer = await handler.process(query.body, query.headers);
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.body)).toEqual({ code: 'FAIL', message: 'INVALID_NOTICE_REPLY' });
    }
    expect(errors.map((e) => e.code)).toEqual(['INVALID_NOTICE_REPLY', 'INVALID_NOTICE_REPLY']);
    expect(errors[1]?.message).toContain('total_amount');
    reply = { code: 'SUCCESS', total_amount: 15 };
    const query = notice({ event_type: 'FEE.QUERY' });
    expect(await handler.process(query.body, query.headers)).toMatchObject({
      status: 200,
      body: '{"code":"SUCCESS","total_amount":15}',
    });
  });

  it('refuses a notice signed with keys it does not trust, with 401', async () => {
    const errors: WxparkError[] = [];
    const handler = createV3NoticeHandler({
      ...trusted,
      onNotice: () => {},
      onError: (error) => errors.push(error as WxparkError),
    });
    const foreign = notice({ keys: { ...createTestNoticeKeys(), publicKey: keys.publicKey } });
    expect((await handler.process(foreign.body, foreign.headers)).status).toBe(401);
    expect(errors[0]?.code).toBe('SIGNATURE_MISMATCH');
    expect(WxparkError.isInstance(errors[0])).toBe(true);
  });

  it('refuses a body larger than maxBodyBytes with 413 before verifying it', async () => {
    const handler = createV3NoticeHandler({ ...trusted, maxBodyBytes: 64, onNotice: () => {} });
    const url = await listen((req, res) => void handler.node(req, res));
    expect((await post(url, notice())).status).toBe(413);
  });
});
