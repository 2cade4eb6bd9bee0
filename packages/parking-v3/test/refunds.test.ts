import { ApiError, createClient, getNoticeKeys, ValidationError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  createParkingNoticeHandler,
  type ParkingNotice,
  parkingV3,
  type Refund,
  type RefundNoticeResource,
} from '../src/index.ts';
import { listen, merchantOf, v3Client } from './helpers.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

type Client = ReturnType<typeof v3Client>;

function owner() {
  return sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number && u.openid)!;
}

function providerClient() {
  const provider = sandbox.config.merchants.find((m) => m.v3 && m.subMerchants?.length)!;
  const { publicKeyId, publicKey } = sandbox.config.platform;
  const client = createClient(
    {
      mchId: provider.mchId,
      v3: {
        serialNo: provider.v3!.serialNo,
        privateKey: provider.v3!.privateKey,
        apiV3Key: provider.v3!.apiV3Key,
        publicKey: { id: publicKeyId, key: publicKey },
      },
      baseUrl: sandbox.url,
      backupBaseUrls: [],
    },
    [parkingV3],
  );
  return { client, provider, sub: provider.subMerchants![0]! };
}

let sequence = 0;

/** An entry and an accepted deduction of `total` fen; resolves once WeChat made the deduction (SUCCESS). */
async function paidOrder(
  client: Client,
  appid: string,
  total: number,
  sub_mchid?: string,
): Promise<{ out_trade_no: string; transaction_id: string }> {
  const user = owner();
  const start = new Date(Date.now() - 60 * 60_000);
  const n = `${Date.now()}${sequence++}`;
  const scope = sub_mchid ? { sub_mchid } : {};
  const parking = await client.v3.vehicle.parking.parkings({
    ...scope,
    out_parking_no: `OP${n}`,
    plate_number: user.plate_number!,
    plate_color: 'BLUE',
    notify_url: 'http://127.0.0.1:9/unused',
    start_time: start,
    parking_name: '欢乐海岸停车场',
    free_duration: 0,
  });
  const out_trade_no = `OT${n}`;
  const accepted = await client.v3.vehicle.transactions.parking({
    ...scope,
    appid,
    description: '停车费',
    out_trade_no,
    trade_scene: 'PARKING',
    notify_url: 'http://127.0.0.1:9/unused',
    amount: { total },
    parking_info: {
      parking_id: parking.data.id,
      plate_number: user.plate_number!,
      plate_color: 'BLUE',
      start_time: start,
      end_time: new Date(Date.now() - 60_000),
      parking_name: '欢乐海岸停车场',
      charging_duration: 3540,
      device_id: 'GATE-01',
    },
  });
  const query = client.v3.vehicle.transactions['out-trade-no']['{out_trade_no}'];
  await expect.poll(async () => (await query({ ...scope, out_trade_no })).data.trade_state).toBe('SUCCESS');
  return { out_trade_no, transaction_id: accepted.data.transaction_id! };
}

describe('APIv3 refunds (退款申请, 查询单笔退款) against the sandbox', () => {
  it('refunds part of a paid order, then the rest, and refuses a refund past the total', async () => {
    const client = v3Client(sandbox);
    const order = await paidOrder(client, merchantOf(sandbox).appId, 1500);
    const first = await client.v3.refund.domestic.refunds({
      out_trade_no: order.out_trade_no,
      out_refund_no: `R${order.out_trade_no}a`,
      reason: '多收了停车费',
      amount: { refund: 500, total: 1500, currency: 'CNY' },
    });
    expectTypeOf(first.data).toEqualTypeOf<Refund>();
    expect(first.data).toMatchObject({ status: 'PROCESSING', transaction_id: order.transaction_id });
    expect(first.data.amount.refund).toBe(500);

    const second = await client.v3.refund.domestic.refunds({
      transaction_id: order.transaction_id,
      out_refund_no: `R${order.out_trade_no}b`,
      amount: { refund: 1000, total: 1500, currency: 'CNY' },
    });
    expect(second.data.amount.refund).toBe(1000);

    const tooMuch = await client.v3.refund.domestic
      .refunds({
        out_trade_no: order.out_trade_no,
        out_refund_no: `R${order.out_trade_no}c`,
        amount: { refund: 1, total: 1500, currency: 'CNY' },
      })
      .catch((e: unknown) => e);
    expect(ApiError.isInstance(tooMuch)).toBe(true);
    expect(tooMuch).toMatchObject({ status: 400, code: 'INVALID_REQUEST', signatureVerified: true });
    expect((tooMuch as ApiError).message).toMatch(/剩余可退 0 分/);

    const queried = await client.v3.refund.domestic.refunds['{out_refund_no}']({
      out_refund_no: `R${order.out_trade_no}a`,
    });
    expect(queried.data).toMatchObject({ status: 'SUCCESS', out_refund_no: `R${order.out_trade_no}a` });
    expect(queried.data.success_time).toMatch(/\+08:00$/);
    expect(sandbox.requests.at(-1)!.path).toBe(`/v3/refund/domestic/refunds/R${order.out_trade_no}a`);
  });

  it('answers a repeated out_refund_no with the same refund instead of refunding twice', async () => {
    const client = v3Client(sandbox);
    const order = await paidOrder(client, merchantOf(sandbox).appId, 800);
    const request = {
      out_trade_no: order.out_trade_no,
      out_refund_no: `R${order.out_trade_no}`,
      amount: { refund: 800, total: 800, currency: 'CNY' as const },
    };
    const first = await client.v3.refund.domestic.refunds(request);
    const again = await client.v3.refund.domestic.refunds(request);
    expect(again.data.refund_id).toBe(first.data.refund_id);
  });

  it('refuses a refund of an order that was never paid (404 RESOURCE_NOT_EXISTS)', async () => {
    const client = v3Client(sandbox);
    const error = await client.v3.refund.domestic
      .refunds({
        out_trade_no: 'NEVER-PAID-1',
        out_refund_no: 'R-NEVER-PAID-1',
        amount: { refund: 1, total: 1, currency: 'CNY' },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: 'RESOURCE_NOT_EXISTS' });
  });

  it('checks before any I/O: one of out_trade_no/transaction_id, refund at most total, out_refund_no charset', async () => {
    const client = v3Client(sandbox);
    sandbox.clearRequests();
    const neither = await client.v3.refund.domestic
      // @ts-expect-error the amount needs its currency
      .refunds({ out_refund_no: 'R1', amount: { refund: 1, total: 1 } })
      .catch((e: unknown) => e);
    expect(ValidationError.isInstance(neither)).toBe(true);
    const tooMuch = await client.v3.refund.domestic
      .refunds({ out_trade_no: 'T1', out_refund_no: 'R1', amount: { refund: 2, total: 1, currency: 'CNY' } })
      .catch((e: unknown) => e);
    expect(tooMuch).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((tooMuch as ValidationError).message).toMatch(/amount\.refund/);
    const noOrder = await client.v3.refund.domestic
      .refunds({ out_refund_no: 'R1', amount: { refund: 1, total: 1, currency: 'CNY' } })
      .catch((e: unknown) => e);
    expect((noOrder as ValidationError).message).toMatch(/out_trade_no or transaction_id/);
    const badNumber = await client.v3.refund.domestic
      .refunds({ out_trade_no: 'T1', out_refund_no: 'R 1', amount: { refund: 1, total: 1, currency: 'CNY' } })
      .catch((e: unknown) => e);
    expect((badNumber as ValidationError).message).toMatch(/out_refund_no/);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('delivers a verified, typed REFUND.SUCCESS notice to the refund’s notify_url', async () => {
    const client = v3Client(sandbox);
    const notices: ParkingNotice[] = [];
    const handler = createParkingNoticeHandler({
      ...getNoticeKeys(client),
      onNotice: (n) => void notices.push(n),
    });
    const receiver = await listen((req, res) => void handler.node(req, res));
    try {
      const order = await paidOrder(client, merchantOf(sandbox).appId, 300);
      await client.v3.refund.domestic.refunds({
        out_trade_no: order.out_trade_no,
        out_refund_no: `RN${order.out_trade_no}`,
        notify_url: `${receiver.url}/refund`,
        amount: { refund: 300, total: 300, currency: 'CNY' },
      });
      await expect.poll(() => notices.length).toBe(1);
      const notice = notices[0]!;
      expect(notice.event_type).toBe('REFUND.SUCCESS');
      if (notice.event_type !== 'REFUND.SUCCESS') return;
      expectTypeOf(notice.resource.refund_status).toEqualTypeOf<
        'SUCCESS' | 'CLOSED' | 'ABNORMAL' | (string & {})
      >();
      expect(notice.resource).toMatchObject({
        mchid: merchantOf(sandbox).mchId,
        out_refund_no: `RN${order.out_trade_no}`,
        refund_status: 'SUCCESS',
        amount: { total: 300, refund: 300 },
      });
    } finally {
      await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    }
  });

  for (const outcome of ['ABNORMAL', 'CLOSED'] as const) {
    it(`delivers a verified, typed REFUND.${outcome} notice when the sandbox ends the refund ${outcome}, and the query agrees`, async () => {
      const client = v3Client(sandbox);
      const notices: ParkingNotice[] = [];
      const handler = createParkingNoticeHandler({
        ...getNoticeKeys(client),
        onNotice: (n) => void notices.push(n),
      });
      const receiver = await listen((req, res) => void handler.node(req, res));
      try {
        const order = await paidOrder(client, merchantOf(sandbox).appId, 300);
        sandbox.setRefundOutcome(outcome);
        const out_refund_no = `R${outcome[0]}${order.out_trade_no}`;
        const accepted = await client.v3.refund.domestic.refunds({
          out_trade_no: order.out_trade_no,
          out_refund_no,
          notify_url: `${receiver.url}/refund`,
          amount: { refund: 300, total: 300, currency: 'CNY' },
        });
        expect(accepted.data.status).toBe('PROCESSING');
        await expect.poll(() => notices.length).toBe(1);
        const notice = notices[0]!;
        expect(notice.event_type).toBe(`REFUND.${outcome}`);
        if (notice.event_type !== 'REFUND.ABNORMAL' && notice.event_type !== 'REFUND.CLOSED') return;
        expectTypeOf(notice.resource).toEqualTypeOf<RefundNoticeResource>();
        expect(notice.resource).toMatchObject({ out_refund_no, refund_status: outcome });
        expect(notice.resource.success_time).toBeUndefined();
        const query = client.v3.refund.domestic.refunds['{out_refund_no}'];
        expect((await query({ out_refund_no })).data.status).toBe(outcome);
      } finally {
        await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
      }
    });
  }

  it('checks the refund answer after its signature: a signed answer without refund_id is UNEXPECTED_RESPONSE', async () => {
    const client = v3Client(sandbox);
    const order = await paidOrder(client, merchantOf(sandbox).appId, 200);
    sandbox.overrideNextAnswer({ path: '/v3/refund/domestic/refunds', omit: ['refund_id'] });
    const error = await client.v3.refund.domestic
      .refunds({
        out_trade_no: order.out_trade_no,
        out_refund_no: `RU${order.out_trade_no}`,
        amount: { refund: 200, total: 200, currency: 'CNY' },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNEXPECTED_RESPONSE', signatureVerified: true, isRetryable: false });
    expect((error as ApiError).detail?.field).toBe('refund_id');
  });

  it('refunds for a service provider’s sub-merchant (sub_mchid in the body, in the query of the GET)', async () => {
    const { client, sub } = providerClient();
    const order = await paidOrder(
      client,
      sandbox.config.merchants.find((m) => m.subMerchants?.length)!.appId,
      600,
      sub.subMchId,
    );
    const refund = await client.v3.refund.domestic.refunds({
      sub_mchid: sub.subMchId,
      out_trade_no: order.out_trade_no,
      out_refund_no: `RS${order.out_trade_no}`,
      amount: { refund: 100, total: 600, currency: 'CNY' },
    });
    expect(refund.data.status).toBe('PROCESSING');
    const queried = await client.v3.refund.domestic.refunds['{out_refund_no}']({
      out_refund_no: `RS${order.out_trade_no}`,
      sub_mchid: sub.subMchId,
    });
    expect(queried.data.out_trade_no).toBe(order.out_trade_no);
    expect(sandbox.requests.at(-1)!.path).toBe(
      `/v3/refund/domestic/refunds/RS${order.out_trade_no}?sub_mchid=${sub.subMchId}`,
    );
  });
});
