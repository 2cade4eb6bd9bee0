import { request } from 'node:https';
import { createV2ApiKey, decryptV2RefundInfo } from '@wxpark/signer';
import { merchantsOf } from '@wxpark/test-utils';
import { parseXml } from '@wxpark/xml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxMerchant, startSandbox } from '../../src/index.ts';
import { callV2, plateIn, signedXml, startReceiver, verifies } from '../helpers.ts';

let sandbox: Sandbox;
let direct: SandboxMerchant;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let seq = 0;
beforeAll(async () => {
  sandbox = await startSandbox({ https: true });
  ({ direct } = merchantsOf(sandbox));
  receiver = await startReceiver();
});
afterAll(() => sandbox.close());

/** POSTs signed XML over mutual TLS with the merchant's client certificate. */
function secapi(path: string, fields: Record<string, string | undefined>): Promise<Record<string, string>> {
  const tls = sandbox.tls!;
  const body = signedXml(fields, direct.v2ApiKey);
  return new Promise((resolve, reject) => {
    const call = request(
      `${sandbox.httpsUrl}${path}`,
      { method: 'POST', ...tls.clients[direct.mchId]!, ca: tls.ca, headers: { 'content-type': 'text/xml' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve(parseXml(text)));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** A 申请扣款 made and settled; its 扣费结果通知 taken. */
async function paidOrder(): Promise<string> {
  seq += 1;
  const out_trade_no = `SBR${Date.now()}${seq}`;
  const accepted = await callV2(
    sandbox,
    '/vehicle/pay/payapply',
    {
      appid: direct.appId,
      mch_id: direct.mchId,
      sign_type: 'HMAC-SHA256',
      version: '3.0',
      trade_scene: 'PARKING',
      body: '停车费',
      out_trade_no,
      total_fee: '1500',
      spbill_create_ip: '203.0.113.7',
      notify_url: receiver.url,
      trade_type: 'PAP',
      scene_info: JSON.stringify({
        scene_info: {
          start_time: '20261124080000',
          end_time: '20261124103000',
          charging_time: '9000',
          plate_number: plateIn(sandbox, 'NORMAL'),
          parking_name: '欢乐海岸停车场',
        },
      }),
    },
    direct.v2ApiKey,
  );
  expect(accepted.fields.result_code).toBe('SUCCESS');
  expect(parseXml((await receiver.next()).body).out_trade_no).toBe(out_trade_no);
  return out_trade_no;
}

function refund(out_trade_no: string, refund_fee: string, extra: Record<string, string> = {}) {
  seq += 1;
  const out_refund_no = `SRF${Date.now()}${seq}`;
  return secapi('/secapi/pay/refund', {
    appid: direct.appId,
    mch_id: direct.mchId,
    sign_type: 'HMAC-SHA256',
    out_trade_no,
    out_refund_no,
    total_fee: '1500',
    refund_fee,
    notify_url: receiver.url,
    ...extra,
  }).then((fields) => ({ fields, out_refund_no }));
}

async function refundStatus(out_refund_no: string): Promise<string | undefined> {
  const answer = await callV2(
    sandbox,
    '/pay/refundquery',
    { appid: direct.appId, mch_id: direct.mchId, sign_type: 'HMAC-SHA256', out_refund_no },
    direct.v2ApiKey,
  );
  expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
  return answer.fields.refund_status_0;
}

/** The next 退款结果通知: its outer fields and its req_info decrypted with the merchant's key. */
async function nextRefundNotice() {
  const outer = parseXml((await receiver.next()).body);
  const plaintext = decryptV2RefundInfo(outer.req_info!, createV2ApiKey(direct.v2ApiKey));
  const inner = parseXml(plaintext.replace(/^<root>/, '<xml>').replace(/<\/root>$/, '</xml>'));
  return { outer, plaintext, inner };
}

describe('APIv2 申请退款 → 退款结果通知 and the refund outcomes', () => {
  it('sends the 退款结果通知 to notify_url: unsigned, req_info AES-256-ECB under md5(APIv2 key), <root> XML', async () => {
    const order = await paidOrder();
    const { fields, out_refund_no } = await refund(order, '500');
    expect(fields.result_code).toBe('SUCCESS');
    const { outer, plaintext, inner } = await nextRefundNotice();
    expect(Object.keys(outer).sort()).toEqual(['appid', 'mch_id', 'nonce_str', 'req_info', 'return_code']);
    expect(outer).toMatchObject({ return_code: 'SUCCESS', appid: direct.appId, mch_id: direct.mchId });
    expect(plaintext).toMatch(/^<root>.*<\/root>$/s);
    expect(inner).toMatchObject({
      out_trade_no: order,
      out_refund_no,
      refund_id: fields.refund_id,
      total_fee: '1500',
      refund_fee: '500',
      settlement_refund_fee: '500',
      refund_status: 'SUCCESS',
      refund_recv_accout: '支付用户的零钱',
      refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
      refund_request_source: 'API',
    });
    expect(inner.success_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await refundStatus(out_refund_no)).toBe('SUCCESS');
  });

  it('ends a refund CHANGE (setRefundOutcome ABNORMAL): 查询退款 and the notice say CHANGE, no success_time', async () => {
    const order = await paidOrder();
    sandbox.setRefundOutcome('ABNORMAL');
    const { out_refund_no } = await refund(order, '500');
    const { inner } = await nextRefundNotice();
    expect(inner).toMatchObject({ out_refund_no, refund_status: 'CHANGE' });
    expect(inner.success_time).toBeUndefined();
    expect(await refundStatus(out_refund_no)).toBe('CHANGE');
    // The inspector's state view lists it, with whether its notice was acknowledged.
    await expect
      .poll(async () => {
        const view = (await (await fetch(`${sandbox.url}/inspector/state`)).json()) as {
          refunds: { out_refund_no: string }[];
        };
        return view.refunds.find((r) => r.out_refund_no === out_refund_no);
      })
      .toMatchObject({ api: 'v2 申请退款', status: 'CHANGE', amount: 500, notice: 'acknowledged' });
  });

  it('ends a refund REFUNDCLOSE (setRefundOutcome CLOSED) and gives its amount back to the order', async () => {
    const order = await paidOrder();
    sandbox.setRefundOutcome('CLOSED');
    const closed = await refund(order, '1500');
    expect((await nextRefundNotice()).inner).toMatchObject({ refund_status: 'REFUNDCLOSE' });
    expect(await refundStatus(closed.out_refund_no)).toBe('REFUNDCLOSE');
    const again = await refund(order, '1500');
    expect(again.fields.result_code).toBe('SUCCESS');
    expect((await nextRefundNotice()).inner).toMatchObject({ refund_status: 'SUCCESS' });
  });

  it('keeps a refund PROCESSING (setRefundOutcome PROCESSING) and sends no notice', async () => {
    const order = await paidOrder();
    sandbox.setRefundOutcome('PROCESSING');
    const before = receiver.received.length;
    const { out_refund_no } = await refund(order, '500');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await refundStatus(out_refund_no)).toBe('PROCESSING');
    expect(receiver.received.length).toBe(before);
  });

  it('sends nothing without notify_url, and refuses a notify_url that is not an http(s) URL', async () => {
    const order = await paidOrder();
    const before = receiver.received.length;
    const quiet = await refund(order, '500', { notify_url: '' });
    expect(quiet.fields.result_code).toBe('SUCCESS');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received.length).toBe(before);
    const bad = await refund(order, '500', { notify_url: 'ftp://example.com/x' });
    expect(bad.fields).toMatchObject({ result_code: 'FAIL', err_code: 'PARAM_ERROR' });
  });
});
