import { ApiError, SignatureError, ValidationError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { createV2ApiKey, signV2 } from '@wxpark/signer';
import { clientFor, listen, merchantsOf } from '@wxpark/test-utils';
import { buildXml, parseXml } from '@wxpark/xml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildV2NoticeReply,
  createV2NoticeHandler,
  type V2Notice,
  vehicleV2,
  verifyV2Notice,
} from '../src/index.ts';
import { carOwner, deduction } from './deductions.ts';

let sandbox: Sandbox;
let receiverUrl: string;
const received: V2Notice[] = [];
const refused: unknown[] = [];

function direct() {
  return merchantsOf(sandbox).direct;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  const handler = createV2NoticeHandler({
    apiKey: direct().v2ApiKey,
    onNotice: (notice) => {
      received.push(notice);
    },
    onError: (error) => refused.push(error),
  });
  receiverUrl = `${(await listen((req, res) => void handler.node(req, res))).url}/notify/v2`;
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.clearRequests();
  received.length = 0;
  refused.length = 0;
});

function client() {
  return clientFor(sandbox, [vehicleV2]);
}

describe('the rest of the APIv2 vehicle family against the sandbox', () => {
  it('queries a user state by plate', async () => {
    const m = direct();
    const user = carOwner(sandbox, 'PAUSED');
    const answer = await client().v2.vehicle.pay.querystate({
      appid: m.appId,
      mch_id: m.mchId,
      trade_scene: 'PARKING',
      plate_number: user.plate_number!,
    });
    expect(answer.data.user_state).toBe('PAUSED');
    expect(sandbox.requests[0]?.path).toBe('/vehicle/pay/querystate');
  });

  it('refuses a state query naming neither openid nor plate, before any I/O', async () => {
    const m = direct();
    const error = await client()
      .v2.vehicle.pay.querystate({ appid: m.appId, mch_id: m.mchId, trade_scene: 'PARKING' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('openid');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('applies a deduction, receives the verified pay-result callback, and queries the order', async () => {
    const m = direct();
    const user = carOwner(sandbox, 'NORMAL');
    const request = deduction(m, user, { total_fee: 1500, notify_url: receiverUrl });
    const { out_trade_no } = request;
    const accepted = await client().v2.vehicle.pay.payapply(request);
    expect(accepted.data.result_code).toBe('SUCCESS');
    await expect.poll(() => received.length).toBe(1);
    const notice = received[0]!;
    expect(notice.kind).toBe('pay-result');
    expect(notice.fields.out_trade_no).toBe(out_trade_no);
    expect(notice.fields.total_fee).toBe('1500');

    const order = await client().v2.transit.queryorder({ appid: m.appId, mch_id: m.mchId, out_trade_no });
    expect(order.data.trade_state).toBe('SUCCESS');
    expect(order.data.transaction_id).toBe(notice.fields.transaction_id);
  });

  it('reports an unknown order as an ApiError with its err_code', async () => {
    const m = direct();
    const error = await client()
      .v2.transit.queryorder({ appid: m.appId, mch_id: m.mchId, out_trade_no: 'NEVER-MADE' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('ORDERNOTEXIST');
  });
});

describe('APIv2 callbacks', () => {
  it('delivers a plate state change to a node:http handler, verified, and answers SUCCESS', async () => {
    const m = direct();
    const user = carOwner(sandbox, 'NORMAL');
    await client().v2.vehicle.pay.notification({
      appid: m.appId,
      mch_id: m.mchId,
      trade_scene: 'PARKING',
      scene_info: {
        start_time: new Date(),
        notify_url: receiverUrl,
        plate_number: user.plate_number!,
        parking_name: '欢乐海岸停车场',
        free_time: '600',
      },
    });
    const reply = await sandbox.sendPlateStateNotice(user.plate_number!, { vehicle_event_type: 'BLOCKED' });
    expect(reply.status).toBe(200);
    expect(parseXml(reply.body).return_code).toBe('SUCCESS');
    expect(received).toHaveLength(1);
    expect(received[0]!.kind).toBe('plate-state');
    expect(received[0]!.fields.vehicle_event_type).toBe('BLOCKED');
    expect(received[0]!.fields.plate_number).toBe(user.plate_number);
  });

  function signedNotice(apiKey: string, fields: Record<string, string>): string {
    const all = { sign_type: 'HMAC-SHA256', ...fields };
    return buildXml({ ...all, sign: signV2(all, createV2ApiKey(apiKey), 'HMAC-SHA256') });
  }
  const fields = {
    appid: 'wx8888888888888888',
    mch_id: '1900000100',
    nonce_str: 'n0nce',
    plate_number: '粤B888888',
    vehicle_event_type: 'NORMAL',
  };

  it('refuses a forged callback with FAIL and never runs onNotice', async () => {
    const forged = signedNotice('KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK', fields);
    const answer = await fetch(receiverUrl, { method: 'POST', body: forged });
    expect(answer.status).toBe(401);
    expect(parseXml(await answer.text()).return_code).toBe('FAIL');
    expect(received).toHaveLength(0);
    expect(refused[0]).toBeInstanceOf(SignatureError);
  });

  it('refuses a body whose fields were changed after signing', async () => {
    const body = signedNotice(direct().v2ApiKey, fields).replace('NORMAL', 'BLOCKED');
    expect(() => verifyV2Notice(body, { apiKey: direct().v2ApiKey })).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_MISMATCH' }),
    );
  });

  it('refuses a callback that claims a weaker sign type than configured', () => {
    const all = { ...fields, sign_type: 'MD5' };
    const body = buildXml({ ...all, sign: signV2(all, createV2ApiKey(direct().v2ApiKey), 'MD5') });
    expect(() => verifyV2Notice(body, { apiKey: direct().v2ApiKey })).toThrow(
      expect.objectContaining({ code: 'SIGN_TYPE_MISMATCH' }),
    );
  });

  it('FAILs when onNotice throws, and runs it again on the retry (the claim was released)', async () => {
    let calls = 0;
    const handler = createV2NoticeHandler({
      apiKey: direct().v2ApiKey,
      onNotice: () => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
      },
      onError: () => {},
    });
    const body = new TextEncoder().encode(signedNotice(direct().v2ApiKey, fields));
    const failed = await handler.fetch(new Request('http://lot.test/notify', { method: 'POST', body }));
    expect(failed.status).toBe(500);
    expect(parseXml(await failed.text()).return_code).toBe('FAIL');
    const retry = await handler.fetch(new Request('http://lot.test/notify', { method: 'POST', body }));
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(buildV2NoticeReply(true));
    const repeat = await handler.fetch(new Request('http://lot.test/notify', { method: 'POST', body }));
    expect(repeat.status).toBe(200);
    expect(calls).toBe(2);
  });

  it('refuses a parsed object at the type level', () => {
    // @ts-expect-error: callbacks take the raw body only
    expect(() => verifyV2Notice({ ...fields, sign: 'X' }, { apiKey: direct().v2ApiKey })).toThrow();
  });
});
