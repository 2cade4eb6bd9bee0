import { merchantsOf, useSandbox } from '@wxpark/test-utils';
import { parseXml } from '@wxpark/xml';
import { describe, expect, it } from 'vitest';
import type { SandboxMerchant } from '../../src/index.ts';
import {
  callV2,
  type Fields,
  payApplyFields,
  plateIn,
  postXml,
  signedXml,
  startReceiver,
  verifies,
} from '../helpers.ts';

const sandbox = await useSandbox();
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

function payApply(merchant: SandboxMerchant, plate: string, extra: Fields = {}) {
  return payApplyFields(merchant, plate, receiver!.url, extra);
}

function queryOrder(merchant: SandboxMerchant, extra: Record<string, string | undefined>) {
  return callV2(
    sandbox,
    '/transit/queryorder',
    { appid: merchant.appId, mch_id: merchant.mchId, sign_type: 'HMAC-SHA256', ...extra },
    merchant.v2ApiKey,
  );
}

describe('申请扣款 and 查询订单', () => {
  it('refuses a spbill_create_ip longer than the 16 characters of the official page', async () => {
    receiver = await startReceiver();
    const { direct } = merchantsOf(sandbox);
    const plate = plateIn(sandbox, 'NORMAL');
    const longest = await callV2(
      sandbox,
      '/vehicle/pay/payapply',
      payApply(direct, plate, { spbill_create_ip: '255.255.255.255' }),
      direct.v2ApiKey,
    );
    expect(longest.fields).toMatchObject({ result_code: 'SUCCESS' });
    const ipv6 = await callV2(
      sandbox,
      '/vehicle/pay/payapply',
      payApply(direct, plate, { spbill_create_ip: '2001:db8:0:0:0:0:2:1' }),
      direct.v2ApiKey,
    );
    expect(ipv6.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'PARAM_ERROR',
      err_code_des: 'spbill_create_ip 长度不能超过16个字符',
    });
  });

  it('accepts a deduction, then POSTs a signed 扣费结果通知 to notify_url', async () => {
    receiver = await startReceiver();
    const { direct } = merchantsOf(sandbox);
    const request = payApply(direct, plateIn(sandbox, 'NORMAL'), { attach: 'lot=7' });
    const answer = await callV2(sandbox, '/vehicle/pay/payapply', request, direct.v2ApiKey);
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      mch_id: direct.mchId,
    });
    expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);

    const callback = await receiver!.next();
    expect(callback.headers['content-type']).toBe('text/xml');
    const notice = parseXml(callback.body);
    expect(verifies(notice, direct.v2ApiKey)).toBe(true);
    expect(notice).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      appid: direct.appId,
      mch_id: direct.mchId,
      sign_type: 'HMAC-SHA256',
      out_trade_no: request.out_trade_no,
      total_fee: '1500',
      trade_state: 'SUCCESS',
      trade_type: 'PAP',
      attach: 'lot=7',
    });
    expect(notice.transaction_id).toMatch(/^4200\d{24}$/);
    expect(notice.time_end).toMatch(/^\d{14}$/);
    expect(notice.openid).toBe(
      sandbox.config.vehicleUsers.find((u) => u.plate_number === plateIn(sandbox, 'NORMAL'))!.openid,
    );

    const byOutTradeNo = await queryOrder(direct, { out_trade_no: request.out_trade_no });
    expect(byOutTradeNo.fields).toMatchObject({
      result_code: 'SUCCESS',
      trade_state: 'SUCCESS',
      transaction_id: notice.transaction_id,
      total_fee: '1500',
      attach: 'lot=7',
    });
    expect(verifies(byOutTradeNo.fields, direct.v2ApiKey)).toBe(true);
    const byTransactionId = await queryOrder(direct, { transaction_id: notice.transaction_id });
    expect(byTransactionId.fields.out_trade_no).toBe(request.out_trade_no);
  });

  it('records whether the merchant acknowledged the callback', async () => {
    receiver = await startReceiver(() => ({ status: 500, body: 'busy' }));
    const { direct } = merchantsOf(sandbox);
    const request = payApply(direct, plateIn(sandbox, 'NORMAL'));
    await callV2(sandbox, '/vehicle/pay/payapply', request, direct.v2ApiKey);
    await receiver!.next();
    await expect
      .poll(async () => {
        const orders = (await (await fetch(`${sandbox.url}/__sandbox/v2/orders`)).json()) as {
          out_trade_no: string;
          notice?: unknown;
        }[];
        return orders.find((o) => o.out_trade_no === request.out_trade_no)?.notice;
      })
      .toEqual({ status: 500, acknowledged: false });
  });

  it('accepts a retry with the same out_trade_no and amount without a second deduction', async () => {
    receiver = await startReceiver();
    const { direct } = merchantsOf(sandbox);
    const request = payApply(direct, plateIn(sandbox, 'NORMAL'));
    await callV2(sandbox, '/vehicle/pay/payapply', request, direct.v2ApiKey);
    await receiver!.next();
    const again = await callV2(sandbox, '/vehicle/pay/payapply', request, direct.v2ApiKey);
    expect(again.fields.result_code).toBe('SUCCESS');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver!.received).toHaveLength(1);
  });

  it('refuses the same out_trade_no with another amount', async () => {
    receiver = await startReceiver();
    const { direct } = merchantsOf(sandbox);
    const request = payApply(direct, plateIn(sandbox, 'NORMAL'));
    await callV2(sandbox, '/vehicle/pay/payapply', request, direct.v2ApiKey);
    const changed = await callV2(
      sandbox,
      '/vehicle/pay/payapply',
      { ...request, total_fee: '1' },
      direct.v2ApiKey,
    );
    expect(changed.fields).toMatchObject({ result_code: 'FAIL', err_code: 'INVALID_REQUEST' });
    expect(changed.fields.err_code_des).toContain('订单号重复');
  });

  it('refuses to deduct from a car owner who is not NORMAL, and sends no callback', async () => {
    receiver = await startReceiver();
    const { direct } = merchantsOf(sandbox);
    const answer = await callV2(
      sandbox,
      '/vehicle/pay/payapply',
      payApply(direct, plateIn(sandbox, 'BLOCK')),
      direct.v2ApiKey,
    );
    expect(answer.fields).toMatchObject({ result_code: 'FAIL', err_code: 'INVALID_REQUEST' });
    expect(answer.fields.err_code_des).toContain('BLOCK');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver!.received).toHaveLength(0);
  });

  it.each([
    ['a zero total_fee', { total_fee: '0' }, 'total_fee'],
    ['a decimal total_fee', { total_fee: '15.00' }, 'total_fee'],
    ['a trade_type other than PAP', { trade_type: 'JSAPI' }, 'trade_type'],
    ['a missing body', { body: undefined }, 'body'],
    ['a missing notify_url', { notify_url: undefined }, 'notify_url'],
    [
      'scene_info without charging_time',
      {
        scene_info:
          '{"scene_info":{"start_time":"20261124080000","plate_number":"粤B888888","parking_name":"P"}}',
      },
      'scene_info.charging_time',
    ],
  ])('answers PARAM_ERROR for %s, naming the field', async (_name, change, field) => {
    receiver = await startReceiver();
    const { direct } = merchantsOf(sandbox);
    const answer = await callV2(
      sandbox,
      '/vehicle/pay/payapply',
      { ...payApply(direct, '粤B888888'), ...change },
      direct.v2ApiKey,
    );
    expect(answer.fields).toMatchObject({ result_code: 'FAIL', err_code: 'PARAM_ERROR' });
    expect(answer.fields.err_code_des!.startsWith(`${field} `)).toBe(true);
  });

  it('answers ORDERNOTEXIST for an order it never accepted', async () => {
    const { direct } = merchantsOf(sandbox);
    const answer = await queryOrder(direct, { out_trade_no: 'NEVER-SEEN' });
    expect(answer.fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERNOTEXIST' });
    expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
  });

  it('answers 查询订单 signed with MD5 when the request omits sign_type, as APIv2 defaults', async () => {
    const { direct } = merchantsOf(sandbox);
    const fields = { appid: direct.appId, mch_id: direct.mchId, out_trade_no: 'NEVER-SEEN' };
    const answer = await postXml(
      `${sandbox.url}/transit/queryorder`,
      signedXml(fields, direct.v2ApiKey, 'MD5'),
    );
    expect(answer.fields.err_code).toBe('ORDERNOTEXIST');
    expect(verifies(answer.fields, direct.v2ApiKey, 'MD5')).toBe(true);
  });

  it('keeps a sub-merchant order apart from the provider’s own', async () => {
    receiver = await startReceiver();
    const { provider } = merchantsOf(sandbox);
    const sub = provider.subMerchants![0]!;
    const request = {
      ...payApply(provider, plateIn(sandbox, 'NORMAL')),
      sub_mch_id: sub.subMchId,
      sub_appid: sub.subAppId,
    };
    const answer = await callV2(sandbox, '/vehicle/partnerpay/payapply', request, provider.v2ApiKey);
    expect(answer.fields).toMatchObject({ result_code: 'SUCCESS', sub_mch_id: sub.subMchId });
    const notice = parseXml((await receiver!.next()).body);
    expect(notice).toMatchObject({ sub_mch_id: sub.subMchId, sub_appid: sub.subAppId });
    expect(verifies(notice, provider.v2ApiKey)).toBe(true);

    const partnerQuery = await callV2(
      sandbox,
      '/transit/partnerpay/queryorder',
      {
        appid: provider.appId,
        mch_id: provider.mchId,
        sub_mch_id: sub.subMchId,
        sign_type: 'HMAC-SHA256',
        out_trade_no: request.out_trade_no,
      },
      provider.v2ApiKey,
    );
    expect(partnerQuery.fields.trade_state).toBe('SUCCESS');
    const directQuery = await queryOrder(provider, { out_trade_no: request.out_trade_no });
    expect(directQuery.fields.err_code).toBe('ORDERNOTEXIST');
  });
});
