import { join } from 'node:path';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { createV2ApiKey, signV2 } from '@wxpark/signer';
import { tempDir } from '@wxpark/test-utils';
import { buildXml } from '@wxpark/xml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteGateStore } from '../src/store/sqlite.ts';
import {
  type GatewayProcess,
  postJson,
  sandboxEnvironment,
  startGatewayProcess,
} from './support/gateway-process.ts';

// Driven over HTTP against the gateway process, so the same tests run against any version of it.
let sandbox: Sandbox;
const dir = tempDir('wxpark-edges-');
let gateway: GatewayProcess;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  env = sandboxEnvironment(sandbox, dir);
  gateway = await startGatewayProcess({ ...env, WXPARK_DB: join(dir, 'gateway.sqlite') });
}, 30_000);
afterAll(async () => {
  gateway?.child.kill('SIGKILL');
  await gateway?.exited;
  await sandbox.close();
});

const car = { plate_color: 'PLATE_COLOR_BLUE', vehicle_type: 'VEHICLE_TYPE_SMALL' };

describe('one open stay per plate', () => {
  it('answers five concurrent entries of one plate with one stay, and sends its calls once', async () => {
    const plate = '粤B5C0NC1';
    sandbox.clearRequests();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => postJson(`${gateway.url}/gate/entry`, { plate_number: plate, ...car })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const serials = new Set(answers.map((a) => a.body.out_serial_number));
    expect(serials.size).toBe(1);
    const entries = sandbox.requests.filter((r) => r.path === '/v3/parking/reminders/entry');
    expect(entries.map((r) => JSON.parse(r.body).plate_number)).toEqual([plate]);
    // The stay closes once; a second exit finds none.
    expect((await postJson(`${gateway.url}/gate/exit`, { plate_number: plate, ...car })).status).toBe(200);
    expect((await postJson(`${gateway.url}/gate/exit`, { plate_number: plate, ...car })).status).toBe(404);
  });
});

describe('gate event input', () => {
  const good = { plate_number: '粤B12345', ...car };
  const cases: [string, unknown, string][] = [
    ['a time past what any API can carry', { ...good, time: '+275760-09-13T00:00:00Z' }, 'time'],
    ['a time that is not RFC 3339', { ...good, time: 'yesterday' }, 'time'],
    ['a time in the year 1', { ...good, time: '0001-01-01T00:00:00Z' }, 'time'],
    ['a time a year ahead', { ...good, time: '2099-01-01T00:00:00+08:00' }, 'time'],
    ['a time of the wrong type', { ...good, time: 1_700_000_000 }, 'time'],
    ['a plate with a control character', { ...good, plate_number: '粤B\u0001234' }, 'plate_number'],
    ['a plate too long', { ...good, plate_number: `粤B${'1'.repeat(20)}` }, 'plate_number'],
    ['a missing plate', { ...car }, 'plate_number'],
    ['an unknown plate colour', { ...good, plate_color: 'BLUE' }, 'plate_color'],
    ['an entrance name with a control character', { ...good, entrance_name: 'A\u0000' }, 'entrance_name'],
    ['an openid with spaces', { ...good, openid: 'o p e n' }, 'openid'],
    ['a JSON array', [good], 'body'],
    ['a JSON null', null, 'body'],
    ['a body that is not JSON', '{"plate_number":', 'body'],
  ];
  for (const [what, body, field] of cases) {
    it(`refuses ${what} with a 4xx naming ${field}, and records nothing`, async () => {
      const before = (await (await fetch(`${gateway.url}/gate/calls`)).json()) as unknown[];
      for (const kind of ['entry', 'exit']) {
        const answer = await postJson(`${gateway.url}/gate/${kind}`, body === null ? 'null' : body);
        expect(answer.status, `${kind}: ${JSON.stringify(answer.body)}`).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expect(answer.body.error).toContain(field);
      }
      const after = (await (await fetch(`${gateway.url}/gate/calls`)).json()) as unknown[];
      expect(after).toHaveLength(before.length);
    });
  }
  it('refuses a gate event larger than 16 KiB with a 4xx that says so', async () => {
    const answer = await postJson(`${gateway.url}/gate/entry`, {
      ...good,
      entrance_name: 'x'.repeat(20_000),
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.error).toMatch(/BODY_TOO_LARGE/);
  });
});

describe('APIv2 notices', () => {
  it('records a genuine pay-result notice once, also when replayed with empty elements added', async () => {
    const merchantKey = createV2ApiKey(env.WXPAY_V2_API_KEY!);
    const fields: Record<string, string> = {
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      appid: env.WXPAY_APPID!,
      mch_id: env.WXPAY_MCH_ID!,
      nonce_str: 'n0nce5tr1ng',
      sign_type: 'HMAC-SHA256',
      out_trade_no: 'ORDER20261130001',
      transaction_id: '4200000000202611300001',
      trade_state: 'SUCCESS',
      total_fee: '500',
      time_end: '20261130100000',
    };
    const genuine = buildXml({ ...fields, sign: signV2(fields, merchantKey, 'HMAC-SHA256') });
    // WeChat's signature skips empty values, so these still verify.
    const padded = genuine.replace(
      '</xml>',
      '<vehicle_event_type></vehicle_event_type><plate_number></plate_number><trade_state_desc></trade_state_desc></xml>',
    );
    const deliver = (body: string) =>
      fetch(`${gateway.url}/wxpay/v2/notify`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
      });
    const before = (gateway.output().match(/verified, recorded/g) ?? []).length;
    for (const body of [genuine, padded, padded, genuine]) expect((await deliver(body)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((gateway.output().match(/verified, recorded/g) ?? []).length - before).toBe(1);
  });

  it('keeps a plate’s latest state when its plate-state notices arrive out of order', async () => {
    const merchantKey = createV2ApiKey(env.WXPAY_V2_API_KEY!);
    const plate_number = '粤B0RDER1';
    const notice = (vehicle_event_type: string, vehicle_event_createtime: string) => {
      const fields: Record<string, string> = {
        appid: env.WXPAY_APPID!,
        mch_id: env.WXPAY_MCH_ID!,
        nonce_str: `n${vehicle_event_createtime}`,
        sign_type: 'HMAC-SHA256',
        plate_number,
        vehicle_event_type,
        vehicle_event_createtime,
      };
      return buildXml({ ...fields, sign: signV2(fields, merchantKey, 'HMAC-SHA256') });
    };
    // The later event (the plate back to NORMAL) arrives first; the earlier BLOCKED one after it.
    for (const body of [notice('NORMAL', '20261130120500'), notice('BLOCKED', '20261130120000')]) {
      const answer = await fetch(`${gateway.url}/wxpay/v2/notify`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
      });
      expect(answer.status).toBe(200);
    }
    const store = new SqliteGateStore(join(dir, 'gateway.sqlite'));
    try {
      expect(await store.plateState(plate_number)).toEqual({
        state: 'NORMAL',
        eventAt: Date.parse('2026-11-30T12:05:00+08:00'),
      });
    } finally {
      await store.close();
    }
  });
});
