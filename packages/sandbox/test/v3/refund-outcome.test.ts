import { createApiV3Key, decryptResource } from '@wxpark/signer';
import { merchantsOf, type SandboxV3Merchant } from '@wxpark/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.ts';
import { admin, startReceiver } from '../helpers.ts';
import { callV3, rfc3339MinutesAgo } from '../v3-helpers.ts';

let sandbox: Sandbox;
let direct: SandboxV3Merchant;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let counter = 0;
beforeAll(async () => {
  sandbox = await startSandbox();
  ({ direct } = merchantsOf(sandbox));
  receiver = await startReceiver(() => ({ status: 204, body: '' }));
});
afterAll(() => sandbox.close());

/** A 支付分停车 deduction made and settled (SUCCESS), its TRANSACTION.SUCCESS notice taken. */
async function paidOrder(total = 1500): Promise<string> {
  counter += 1;
  const user = sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')!;
  const parking = await callV3(sandbox, direct, 'POST', '/v3/vehicle/parking/parkings', {
    out_parking_no: `OP${Date.now()}${counter}`,
    plate_number: user.plate_number,
    plate_color: 'BLUE',
    notify_url: receiver.url,
    start_time: rfc3339MinutesAgo(90),
    parking_name: '欢乐海岸停车场',
    free_duration: 900,
  });
  const out_trade_no = `PT${Date.now()}${counter}`;
  const accepted = await callV3(sandbox, direct, 'POST', '/v3/vehicle/transactions/parking', {
    appid: direct.appId,
    description: '停车费',
    out_trade_no,
    trade_scene: 'PARKING',
    notify_url: receiver.url,
    amount: { total, currency: 'CNY' },
    parking_info: {
      parking_id: (parking.json as { id: string }).id,
      plate_number: user.plate_number,
      plate_color: 'BLUE',
      start_time: rfc3339MinutesAgo(90),
      end_time: rfc3339MinutesAgo(1),
      parking_name: '欢乐海岸停车场',
      charging_duration: 5340,
      device_id: 'GATE-01',
    },
  });
  expect(accepted.status).toBe(200);
  expect(JSON.parse((await receiver.next()).body).event_type).toBe('TRANSACTION.SUCCESS');
  return out_trade_no;
}

function refund(out_trade_no: string, refundFee: number, total = 1500) {
  counter += 1;
  const out_refund_no = `RF${Date.now()}${counter}`;
  return callV3(sandbox, direct, 'POST', '/v3/refund/domestic/refunds', {
    out_trade_no,
    out_refund_no,
    notify_url: receiver.url,
    amount: { refund: refundFee, total, currency: 'CNY' },
  }).then((answer) => ({ answer, out_refund_no }));
}

async function nextNotice() {
  const envelope = JSON.parse((await receiver.next()).body);
  return {
    event_type: envelope.event_type as string,
    summary: envelope.summary as string,
    resource: JSON.parse(decryptResource(envelope.resource, createApiV3Key(direct.v3.apiV3Key))),
  };
}

function query(out_refund_no: string) {
  return callV3(sandbox, direct, 'GET', `/v3/refund/domestic/refunds/${out_refund_no}`);
}

describe('setRefundOutcome: how the next APIv3 refunds end', () => {
  it('ends the next refund ABNORMAL: the answer, the query and the REFUND.ABNORMAL notice agree', async () => {
    const order = await paidOrder();
    sandbox.setRefundOutcome('ABNORMAL');
    const { answer, out_refund_no } = await refund(order, 500);
    expect(answer.json).toMatchObject({ status: 'PROCESSING' });
    const notice = await nextNotice();
    expect(notice).toMatchObject({
      event_type: 'REFUND.ABNORMAL',
      summary: '退款异常',
      resource: { out_refund_no, refund_status: 'ABNORMAL' },
    });
    expect(notice.resource).not.toHaveProperty('success_time');
    expect((await query(out_refund_no)).json).toMatchObject({ status: 'ABNORMAL' });
    expect((await query(out_refund_no)).json).not.toHaveProperty('success_time');
    await expect
      .poll(async () => {
        const view = (await (await fetch(`${sandbox.url}/inspector/state`)).json()) as {
          refunds: { out_refund_no: string }[];
        };
        return view.refunds.find((r) => r.out_refund_no === out_refund_no);
      })
      .toMatchObject({ api: 'v3 退款申请', status: 'ABNORMAL', amount: 500, notice: 'acknowledged' });
  });

  it('ends the next refund CLOSED, sends REFUND.CLOSED, and gives its amount back to the order', async () => {
    const order = await paidOrder();
    sandbox.setRefundOutcome('CLOSED');
    const closed = await refund(order, 1500);
    expect(await nextNotice()).toMatchObject({
      event_type: 'REFUND.CLOSED',
      summary: '退款关闭',
      resource: { out_refund_no: closed.out_refund_no, refund_status: 'CLOSED' },
    });
    expect((await query(closed.out_refund_no)).json).toMatchObject({ status: 'CLOSED' });
    // The closed refund refunded nothing: the whole total can be refunded again, and this one succeeds.
    const again = await refund(order, 1500);
    expect(again.answer.status).toBe(200);
    expect(await nextNotice()).toMatchObject({ event_type: 'REFUND.SUCCESS' });
  });

  it('queues outcomes with a count, first set first used, then refunds succeed again', async () => {
    const order = await paidOrder(3000);
    sandbox.setRefundOutcome('ABNORMAL', { count: 2 });
    sandbox.setRefundOutcome('CLOSED');
    const events: string[] = [];
    for (let i = 0; i < 4; i++) {
      await refund(order, 500, 3000);
      events.push((await nextNotice()).event_type);
    }
    expect(events).toEqual(['REFUND.ABNORMAL', 'REFUND.ABNORMAL', 'REFUND.CLOSED', 'REFUND.SUCCESS']);
  });

  it('leaves a PROCESSING refund unsettled: the query keeps PROCESSING and no notice is sent', async () => {
    const order = await paidOrder();
    sandbox.setRefundOutcome('PROCESSING');
    const { out_refund_no } = await refund(order, 500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await query(out_refund_no)).json).toMatchObject({ status: 'PROCESSING' });
    expect(receiver.received.some((r) => r.body.includes(out_refund_no))).toBe(false);
  });

  it('is set through POST /__sandbox/refund-outcome and listed by GET, and refuses an unknown status', async () => {
    expect((await admin(sandbox, 'POST', 'refund-outcome', { status: 'CLOSED', count: 2 })).status).toBe(204);
    expect(await (await admin(sandbox, 'GET', 'refund-outcome')).json()).toEqual([
      { status: 'CLOSED', remaining: 2 },
    ]);
    expect(await (await fetch(`${sandbox.url}/inspector/state`)).json()).toMatchObject({
      refundOutcomes: [{ status: 'CLOSED', remaining: 2 }],
    });
    const bad = await admin(sandbox, 'POST', 'refund-outcome', { status: 'FAILED' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/SUCCESS, ABNORMAL, CLOSED, PROCESSING/);
    expect(() => sandbox.setRefundOutcome('ABNORMAL', { count: 0 })).toThrow(/count/);
    // Use the two queued turns up so the queue is empty again.
    const order = await paidOrder();
    for (let i = 0; i < 2; i++) {
      await refund(order, 500);
      expect((await nextNotice()).event_type).toBe('REFUND.CLOSED');
    }
  });
});
