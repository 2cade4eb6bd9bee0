import { createApiV3Key, decryptResource, readWechatpayHeaders, verifyV3Signature } from '@wxpark/signer';
import { merchantsOf, type SandboxV3Merchant, useSandbox } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { startReceiver } from '../helpers.ts';
import {
  callV3,
  parkingEnterFields,
  parkingTransactionFields,
  platformKeys,
  rfc3339MinutesAgo,
  verifyAnswer,
} from '../v3-helpers.ts';

const sandbox = await useSandbox();
const { direct, provider } = merchantsOf(sandbox);
const receiver = await startReceiver(() => ({ status: 204, body: '' }));

function plateIn(state: string) {
  return sandbox.config.vehicleUsers.find((u) => u.plate_number && u.user_state === state)!;
}

function parkingBody(plate: string, extra: Record<string, unknown> = {}) {
  return parkingEnterFields(plate, receiver.url, extra);
}

async function createParking(
  merchant: SandboxV3Merchant,
  plate: string,
  extra: Record<string, unknown> = {},
) {
  const body = parkingBody(plate, extra);
  const answer = await callV3(sandbox, merchant, 'POST', '/v3/vehicle/parking/parkings', body);
  expect(answer.status).toBe(200);
  return answer.json as { id: string; state: string; plate_number: string };
}

function transactionBody(parking: { id: string; plate_number: string }, extra: Record<string, unknown> = {}) {
  return parkingTransactionFields(direct, parking, receiver.url, extra);
}

describe('GET /v3/vehicle/parking/services/find (查询车牌服务开通信息)', () => {
  it('answers NORMAL with the opening time for an owner who opened the service', async () => {
    const user = plateIn('NORMAL');
    const url = `/v3/vehicle/parking/services/find?appid=${direct.appId}&plate_number=${encodeURIComponent(user.plate_number!)}&plate_color=BLUE&openid=${user.openid}`;
    const answer = await callV3(sandbox, direct, 'GET', url);
    expect(answer.status).toBe(200);
    await verifyAnswer(sandbox, answer);
    expect(answer.json).toMatchObject({
      plate_number: user.plate_number,
      plate_color: 'BLUE',
      openid: user.openid,
      service_state: 'NORMAL',
    });
    expect(answer.json!.service_open_time).toMatch(/\+08:00$/);
    const someoneElse = await callV3(sandbox, direct, 'GET', url.replace(user.openid!, 'oSomeoneElse'));
    expect(someoneElse.json).toMatchObject({ service_state: 'OUT_SERVICE' });
    expect(someoneElse.json!.service_open_time).toBeUndefined();
  });

  it('answers PARAM_ERROR for another colour enum and for an appid not bound to the merchant', async () => {
    const url = `/v3/vehicle/parking/services/find?appid=${direct.appId}&plate_number=X&plate_color=PLATE_COLOR_BLUE&openid=o1`;
    const answer = await callV3(sandbox, direct, 'GET', url);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: 'plate_color', value: 'PLATE_COLOR_BLUE', location: 'query' },
    });
    const wrongApp = await callV3(
      sandbox,
      direct,
      'GET',
      url.replace(direct.appId, 'wx0000').replace('PLATE_COLOR_BLUE', 'BLUE'),
    );
    expect(wrongApp.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'appid' } });
  });
});

describe('POST /v3/vehicle/parking/parkings (创建停车入场)', () => {
  it('answers the entry with its parking id; BLOCKED with a reason for an owner in arrears', async () => {
    const normal = await createParking(direct, plateIn('NORMAL').plate_number!);
    expect(normal).toMatchObject({ state: 'NORMAL', plate_color: 'BLUE', free_duration: 900 });
    expect(normal.id).toMatch(/^[0-9A-Z]{19}$/);
    const blocked = await createParking(direct, plateIn('BLOCK').plate_number!);
    expect(blocked).toMatchObject({ state: 'BLOCKED', block_reason: 'OVERDUE' });
  });

  it('answers PARAM_ERROR for a start_time that is not RFC 3339, and for a provider without sub_mchid', async () => {
    const answer = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/vehicle/parking/parkings',
      parkingBody('粤B888888', { start_time: '2026-11-24 10:00:00' }),
    );
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: '/start_time', location: 'body' },
    });
    await verifyAnswer(sandbox, answer);
    const noSub = await callV3(
      sandbox,
      provider,
      'POST',
      '/v3/vehicle/parking/parkings',
      parkingBody('粤B888888'),
    );
    expect(noSub.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/sub_mchid' } });
  });
});

describe('POST /v3/vehicle/transactions/parking (扣费受理) and its query', () => {
  it('accepts the deduction, then sends TRANSACTION.SUCCESS and the query answers SUCCESS', async () => {
    const parking = await createParking(direct, plateIn('NORMAL').plate_number!);
    const body = transactionBody(parking, { attach: 'gate 1' });
    const answer = await callV3(sandbox, direct, 'POST', '/v3/vehicle/transactions/parking', body);
    expect(answer.status).toBe(200);
    await verifyAnswer(sandbox, answer);
    expect(answer.json).toMatchObject({
      appid: direct.appId,
      out_trade_no: body.out_trade_no,
      trade_state: 'ACCEPTED',
      trade_scene: 'PARKING',
      attach: 'gate 1',
      amount: { total: 1500, currency: 'CNY' },
      payer: { openid: plateIn('NORMAL').openid },
    });
    expect(answer.json!.transaction_id).toMatch(/^4200\d{24}$/);

    const notice = await receiver.next();
    await verifyV3Signature({
      headers: readWechatpayHeaders(notice.headers),
      body: notice.body,
      verifier: platformKeys(sandbox),
    });
    const envelope = JSON.parse(notice.body);
    expect(envelope).toMatchObject({ event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource' });
    const resource = JSON.parse(decryptResource(envelope.resource, createApiV3Key(direct.v3.apiV3Key)));
    expect(resource).toMatchObject({
      out_trade_no: body.out_trade_no,
      trade_state: 'SUCCESS',
      bank_type: 'OTHERS',
    });

    const query = await callV3(
      sandbox,
      direct,
      'GET',
      `/v3/vehicle/transactions/out-trade-no/${body.out_trade_no}`,
    );
    expect(query.status).toBe(200);
    await verifyAnswer(sandbox, query);
    expect(query.json).toMatchObject({ out_trade_no: body.out_trade_no, trade_state: 'SUCCESS' });
    expect(query.json!.success_time).toMatch(/\+08:00$/);
  });

  it('refuses a second deduction for one entry, an entry that is not the plate’s latest, and a blocked entry', async () => {
    const plate = plateIn('NORMAL').plate_number!;
    const first = await createParking(direct, plate);
    const accepted = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/vehicle/transactions/parking',
      transactionBody(first),
    );
    expect(accepted.status).toBe(200);
    const second = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/vehicle/transactions/parking',
      transactionBody(first),
    );
    expect(second.json).toMatchObject({ code: 'INVALID_REQUEST', message: '场景信息和停车入场id不匹配' });

    const older = await createParking(direct, plate);
    await createParking(direct, plate);
    const stale = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/vehicle/transactions/parking',
      transactionBody(older),
    );
    expect(stale.json).toMatchObject({ code: 'INVALID_REQUEST', message: '停车入场id不存在' });

    const blocked = await createParking(direct, plateIn('BLOCK').plate_number!);
    const refused = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/vehicle/transactions/parking',
      transactionBody(blocked),
    );
    expect(refused.json).toMatchObject({ code: 'INVALID_REQUEST' });
    await receiver.next();
  });

  it('answers PARAM_ERROR for an amount of 0, an end before the start, and a missing parking_info field', async () => {
    const parking = await createParking(direct, plateIn('NORMAL').plate_number!);
    const zero = await callV3(
      sandbox,
      direct,
      'POST',
      '/v3/vehicle/transactions/parking',
      transactionBody(parking, { amount: { total: 0 } }),
    );
    expect(zero.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/amount/total', value: 0 } });
    const body = transactionBody(parking);
    const backwards = await callV3(sandbox, direct, 'POST', '/v3/vehicle/transactions/parking', {
      ...body,
      parking_info: { ...body.parking_info, end_time: rfc3339MinutesAgo(120) },
    });
    expect(backwards.json).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: '/parking_info/end_time' },
    });
    const { device_id: _d, ...info } = body.parking_info;
    const missing = await callV3(sandbox, direct, 'POST', '/v3/vehicle/transactions/parking', {
      ...body,
      parking_info: info,
    });
    expect(missing.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/parking_info/device_id' } });
  });

  it('answers 404 ORDER_NOT_EXIST for an unknown order and PARAM_ERROR for one too long', async () => {
    const unknown = await callV3(sandbox, direct, 'GET', '/v3/vehicle/transactions/out-trade-no/NOPE123');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'ORDER_NOT_EXIST' });
    await verifyAnswer(sandbox, unknown);
    const long = await callV3(
      sandbox,
      direct,
      'GET',
      `/v3/vehicle/transactions/out-trade-no/${'A'.repeat(33)}`,
    );
    expect(long.json).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: 'out_trade_no', location: 'path' },
    });
  });

  it('works for a service provider acting for its sub-merchant', async () => {
    const sub = provider.subMerchants![0]!;
    const parking = await createParking(provider, plateIn('NORMAL').plate_number!, {
      sub_mchid: sub.subMchId,
    });
    const body = transactionBody(parking, {
      appid: provider.appId,
      sub_mchid: sub.subMchId,
      sub_appid: sub.subAppId,
    });
    const answer = await callV3(sandbox, provider, 'POST', '/v3/vehicle/transactions/parking', body);
    expect(answer.json).toMatchObject({
      sp_mchid: provider.mchId,
      sub_mchid: sub.subMchId,
      trade_state: 'ACCEPTED',
    });
    await receiver.next();
    const query = await callV3(
      sandbox,
      provider,
      'GET',
      `/v3/vehicle/transactions/out-trade-no/${body.out_trade_no}?sub_mchid=${sub.subMchId}`,
    );
    expect(query.json).toMatchObject({ trade_state: 'SUCCESS' });
  });
});
