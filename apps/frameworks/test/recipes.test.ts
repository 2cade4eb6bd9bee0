import { WxparkError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startExpressHandlerFirst,
  startExpressJsonGlobal,
  startExpressJsonGlobalBytesLost,
  startExpressRaw,
} from '../src/express.ts';
import { startFastify } from '../src/fastify.ts';
import { startHono } from '../src/hono.ts';
import { startKoa } from '../src/koa.ts';
import { startNest } from '../src/nest.ts';
import { startNodeHttp } from '../src/node-http.ts';
import { type NoticeHandlers, noticePaths, otherPath, type RunningApp } from '../src/notices.ts';
import {
  createHandlers,
  createRecords,
  noticeMerchants,
  post,
  type Records,
  registerPlate,
  startTap,
} from './helpers.ts';

let sandbox: Sandbox;
let tap: Awaited<ReturnType<typeof startTap>>;
let plate: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  tap = await startTap();
  plate = await registerPlate(sandbox, `${tap.url}${noticePaths.vehicle}`);
});
afterAll(async () => {
  await tap?.close();
  await sandbox?.close();
});

/** WeChat's APIv2 acknowledgement: HTTP 200 and `return_code` SUCCESS. */
const acknowledgedV2 = expect.stringContaining('<return_code><![CDATA[SUCCESS]]></return_code>');

const setups: { name: string; start: (handlers: NoticeHandlers) => Promise<RunningApp> }[] = [
  { name: 'node:http', start: startNodeHttp },
  { name: 'Express 5, notice routes before any body parser', start: startExpressHandlerFirst },
  {
    name: 'Express 5, express.json() global (bytes kept) and express.raw() on the route',
    start: startExpressJsonGlobal,
  },
  { name: 'Express 5, express.raw() on the notice routes', start: startExpressRaw },
  { name: 'Fastify 5, notice routes in their own scope, default parsers elsewhere', start: startFastify },
  { name: 'Koa 3, @koa/bodyparser global', start: startKoa },
  { name: 'Hono 4 on @hono/node-server, a middleware read the text first', start: startHono },
  { name: 'NestJS 12 (Express), rawBody: true', start: startNest },
];

describe.each(setups)('$name', ({ start }) => {
  let app: RunningApp;
  const records: Records = createRecords();

  beforeAll(async () => {
    app = await start(createHandlers(sandbox, records));
  });
  afterAll(() => app?.close());
  beforeEach(() => {
    records.reset();
    tap.target = app.url;
  });

  let event = 0;
  async function plateState() {
    // A plate event's id is its plate, state, cause and second (vehicle_event_createtime): each test's event
    // gets a cause of its own, so two events within one second stay two events.
    const answer = await sandbox.sendPlateStateNotice(plate, {
      vehicle_event_type: 'BLOCKED',
      vehicle_event_des: `OVERDUE-${++event}`,
    });
    return { answer, sent: tap.last! };
  }

  const parkingResource = () => ({
    sp_mchid: noticeMerchants(sandbox).parking,
    parking_id: noticeMerchants(sandbox).lot.wx_parking_lot_id,
    out_parking_no: `stay-${Date.now()}`,
    plate_number: plate,
    plate_color: 'PLATE_COLOR_BLUE',
    start_time: new Date().toISOString(),
    parking_name: '欢乐海岸停车场',
    free_duration: 3600,
    parking_state: 'BLOCKED',
    blocked_state_description: 'OVERDUE',
    state_update_time: new Date().toISOString(),
  });
  const parkingNotice = () =>
    sandbox.sendV3Notice({
      url: `${app.url}${noticePaths.parking}`,
      mchId: noticeMerchants(sandbox).parking,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: parkingResource(),
    });
  const mallNotice = () =>
    sandbox.sendV3Notice({
      url: `${app.url}${noticePaths.mall}`,
      mchId: noticeMerchants(sandbox).mall,
      event_type: 'MALL_TRANSACTION.SUCCESS',
      resource: {
        mchid: noticeMerchants(sandbox).mall,
        merchant_name: '欢乐海岸',
        shop_name: '咖啡店',
        shop_number: 'S-101',
        appid: noticeMerchants(sandbox).brand.appId,
        openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
        time_end: new Date().toISOString(),
        amount: 3800,
        transaction_id: `4200${Date.now()}`,
      },
    });

  describe('APIv2 车牌状态变更通知', () => {
    it('answers HTTP 200 SUCCESS and runs onNotice once with the typed plate-state notice', async () => {
      const { answer } = await plateState();
      expect(answer).toEqual({ status: 200, body: acknowledgedV2 });
      expect(records.vehicle).toHaveLength(1);
      const notice = records.vehicle[0]!;
      expect(notice.kind).toBe('plate-state');
      if (notice.kind === 'plate-state') {
        expect(notice.fields.plate_number).toBe(plate);
        expect(notice.fields.vehicle_event_type).toBe('BLOCKED');
      }
    });

    it('refuses a forged copy with 401 without running onNotice', async () => {
      const { sent } = await plateState();
      records.reset();
      const forged = sent.body.toString('utf8').replace('BLOCKED', 'NORMAL');
      const answer = await post(`${app.url}${noticePaths.vehicle}`, sent.headers, forged);
      expect(answer.status).toBe(401);
      expect(records.vehicle).toHaveLength(0);
    });

    it('acknowledges the duplicate delivery without running onNotice again', async () => {
      const { sent } = await plateState();
      const repeat = await post(`${app.url}${noticePaths.vehicle}`, sent.headers, sent.body);
      expect(repeat).toEqual({ status: 200, body: acknowledgedV2 });
      expect(records.vehicle).toHaveLength(1);
    });
  });

  describe('APIv3 VEHICLE.ENTRANCE_STATE_CHANGE (停车入场状态变更通知)', () => {
    it('answers 204 and runs onNotice once with the typed, decrypted notice', async () => {
      const delivery = await parkingNotice();
      expect(delivery.status).toBe(204);
      expect(records.parking).toHaveLength(1);
      const notice = records.parking[0]!;
      expect(notice.event_type).toBe('VEHICLE.ENTRANCE_STATE_CHANGE');
      if (notice.event_type === 'VEHICLE.ENTRANCE_STATE_CHANGE') {
        expect(notice.resource.plate_number).toBe(plate);
        expect(notice.resource.parking_state).toBe('BLOCKED');
      }
    });

    it('refuses a forged copy with 401 without running onNotice', async () => {
      const delivery = await parkingNotice();
      records.reset();
      const forged = delivery.envelope.replace('"id":"', '"id":"forged-');
      const answer = await post(`${app.url}${noticePaths.parking}`, delivery.headers, forged);
      expect(answer.status).toBe(401);
      expect(records.parking).toHaveLength(0);
    });

    it('acknowledges the duplicate delivery without running onNotice again', async () => {
      const delivery = await parkingNotice();
      const repeat = await post(`${app.url}${noticePaths.parking}`, delivery.headers, delivery.envelope);
      expect([delivery.status, repeat.status]).toEqual([204, 204]);
      expect(records.parking).toHaveLength(1);
    });
  });

  describe('APIv3 MALL_TRANSACTION.SUCCESS (商圈会员场内支付结果通知)', () => {
    it('answers 204 and runs onNotice once with the typed, decrypted notice', async () => {
      const delivery = await mallNotice();
      expect(delivery.status).toBe(204);
      expect(records.mall).toHaveLength(1);
      const notice = records.mall[0]!;
      expect(notice.event_type).toBe('MALL_TRANSACTION.SUCCESS');
      if (notice.event_type === 'MALL_TRANSACTION.SUCCESS') expect(notice.resource.amount).toBe(3800);
    });

    it('refuses a forged copy with 401 without running onNotice', async () => {
      const delivery = await mallNotice();
      records.reset();
      const forged = delivery.envelope.replace('"id":"', '"id":"forged-');
      const answer = await post(`${app.url}${noticePaths.mall}`, delivery.headers, forged);
      expect(answer.status).toBe(401);
      expect(records.mall).toHaveLength(0);
    });

    it('acknowledges the duplicate delivery without running onNotice again', async () => {
      const delivery = await mallNotice();
      const repeat = await post(`${app.url}${noticePaths.mall}`, delivery.headers, delivery.envelope);
      expect([delivery.status, repeat.status]).toEqual([204, 204]);
      expect(records.mall).toHaveLength(1);
    });
  });

  it("keeps the framework's own parsing on the app's other routes", async () => {
    const answer = await post(
      `${app.url}${otherPath}`,
      { 'content-type': 'application/json' },
      JSON.stringify({ plate_number: plate }),
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ received: { plate_number: plate } });
  });
});

describe('Fastify 5: the notice plugin stays in its own scope', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startFastify(createHandlers(sandbox, createRecords()));
  });
  afterAll(() => app?.close());

  it("leaves Fastify's default parsers on the app's other routes: XML there is still 415", async () => {
    const answer = await post(
      `${app.url}${otherPath}`,
      { 'content-type': 'text/xml' },
      '<xml><a>1</a></xml>',
    );
    expect(answer.status).toBe(415);
  });
});

describe('Express 5, express.json() global with nothing kept (a misconfiguration)', () => {
  let app: RunningApp;
  const records: Records = createRecords();
  beforeAll(async () => {
    app = await startExpressJsonGlobalBytesLost(createHandlers(sandbox, records));
  });
  afterAll(() => app?.close());

  it('answers the APIv3 notice 500 BODY_ALREADY_READ, so WeChat retries once fixed, and tells onError the fix; onNotice never runs', async () => {
    const delivery = await sandbox.sendV3Notice({
      url: `${app.url}${noticePaths.parking}`,
      mchId: noticeMerchants(sandbox).parking,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: { plate_number: plate },
    });
    expect(delivery.status).toBe(500);
    expect(records.parking).toHaveLength(0);
    expect(records.errors).toHaveLength(1);
    const [error] = records.errors;
    expect(WxparkError.isInstance(error) && error.code).toBe('BODY_ALREADY_READ');
    expect((error as WxparkError).hint).toMatch(/express\.raw|rawBody/);
  });
});
