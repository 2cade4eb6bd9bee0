import { getNoticeKeys, SignatureError, type WxparkError } from '@wxpark/core';
import { createTestV3Notice, testNoticeKeys } from '@wxpark/core/testing';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createParkingNoticeHandler, type ParkingNotice } from '../src/index.ts';
import { listen, merchantOf, v3Client } from './helpers.ts';

let sandbox: Sandbox;
let url: string;
const processed: ParkingNotice[] = [];
const refused: unknown[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  const handler = createParkingNoticeHandler({
    ...getNoticeKeys(v3Client(sandbox)),
    onNotice(notice) {
      processed.push(notice);
      if (notice.event_type === 'PARKING_FEE.QUERY_TRANS_INFO') {
        return {
          code: 'SUCCESS',
          total_amount: 1500,
          parking_timestamp: 3600,
          parking_state: 'PARKING_STATE_ENTERED',
          pay_state: 'PAY_STATUS_UNPAID',
          payable_amount: 1500,
          paid_amount: 0,
        };
      }
    },
    onError: (error) => refused.push(error),
  });
  const server = await listen((req, res) => void handler.node(req, res));
  url = `${server.url}/wxpay/v3/notify`;
});
afterAll(() => sandbox.close());
beforeEach(() => {
  processed.length = 0;
  refused.length = 0;
});

const entranceChange = {
  sp_mchid: '1900000100',
  parking_id: '5K8264ILTKCH16CQ250',
  plate_number: '粤B888888',
  plate_color: 'PLATE_COLOR_BLUE',
  state: 'ENTRANCE_STATE_IN',
};

describe('APIv3 parking callbacks', () => {
  it('verifies, decrypts and types a notice, and answers 204', async () => {
    const delivery = await sandbox.sendV3Notice({
      url,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: entranceChange,
    });
    expect(delivery.status).toBe(204);
    expect(processed).toHaveLength(1);
    const notice = processed[0]!;
    expect(notice.event_type).toBe('VEHICLE.ENTRANCE_STATE_CHANGE');
    if (notice.event_type === 'VEHICLE.ENTRANCE_STATE_CHANGE')
      expect(notice.resource.plate_number).toBe('粤B888888');
  });

  it('answers a fee query with the reply body, and gives a repeat the same reply', async () => {
    const delivery = await sandbox.sendV3Notice({
      url,
      event_type: 'PARKING_FEE.QUERY_TRANS_INFO',
      resource: { out_serial_number: 'P1', plate_number: '粤B888888' },
    });
    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toMatchObject({ code: 'SUCCESS', total_amount: 1500 });
    const repeat = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.envelope });
    expect(repeat.status).toBe(200);
    expect(await repeat.text()).toBe(delivery.body);
    expect(processed).toHaveLength(1);
  });

  it('acknowledges a repeated delivery without processing it twice', async () => {
    const delivery = await sandbox.sendV3Notice({
      url,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: entranceChange,
    });
    const repeat = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.envelope });
    expect([delivery.status, repeat.status]).toEqual([204, 204]);
    expect(processed).toHaveLength(1);
  });

  it('refuses a forged body, a probe, a stale timestamp and an unknown key with 401', async () => {
    const delivery = await sandbox.sendV3Notice({
      url,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: entranceChange,
    });
    processed.length = 0;
    const forged = await fetch(url, {
      method: 'POST',
      headers: { ...delivery.headers },
      body: delivery.envelope.replace('"VEHICLE.ENTRANCE_STATE_CHANGE"', '"VEHICLE.ENTRANCE_STATE_CHANGE" '),
    });
    expect(forged.status).toBe(401);
    const codes = [];
    for (const hostile of ['signtest', 'stale-timestamp', 'unknown-serial', 'bad-sign'] as const) {
      const refusedDelivery = await sandbox.sendV3Notice({
        url,
        event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
        resource: entranceChange,
        hostile,
      });
      expect(refusedDelivery.status).toBe(401);
      codes.push((refused.at(-1) as SignatureError).code);
    }
    expect(codes).toEqual([
      'SIGNATURE_PROBE',
      'TIMESTAMP_OUT_OF_WINDOW',
      'UNKNOWN_SERIAL',
      'SIGNATURE_MISMATCH',
    ]);
    expect(refused.every((e) => SignatureError.isInstance(e))).toBe(true);
    expect(processed).toHaveLength(0);
  });

  it('refuses a replay from outside the window, in both directions', async () => {
    const delivery = await sandbox.sendV3Notice({
      url,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: entranceChange,
    });
    const keys = getNoticeKeys(v3Client(sandbox));
    for (const skew of [-10 * 60_000, 10 * 60_000]) {
      const later = createParkingNoticeHandler({ ...keys, now: () => Date.now() + skew, onNotice: () => {} });
      const answer = await later.fetch(
        new Request('http://lot.test/notify', {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.envelope,
        }),
      );
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({ code: 'FAIL', message: 'TIMESTAMP_OUT_OF_WINDOW' });
    }
  });

  it('says plainly when the APIv3 key is wrong, and asks WeChat to retry (500)', async () => {
    const delivery = await sandbox.sendV3Notice({
      url,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: entranceChange,
    });
    const wrongKey = createParkingNoticeHandler({
      ...getNoticeKeys(v3Client(sandbox)),
      apiV3Key: merchantOf(sandbox).v2ApiKey,
      onNotice: () => {},
      onError: (error) => refused.push(error),
    });
    const answer = await wrongKey.fetch(
      new Request('http://lot.test/notify', {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.envelope,
      }),
    );
    expect(answer.status).toBe(500);
    const error = refused.at(-1) as WxparkError & { hint?: string };
    expect(error.code).toBe('DECRYPT_FAILED');
    expect(`${error.message} ${error.hint}`).toMatch(/APIv3 key/);
    expect(`${error.message} ${error.hint}`).not.toContain(merchantOf(sandbox).v2ApiKey);
  });

  it('answers 500 and tells onError when a fee query gets no reply or a malformed one, never a silent 204', async () => {
    const keys = getNoticeKeys(v3Client(sandbox));
    let reply: unknown;
    const strict = createParkingNoticeHandler({
      ...keys,
      onNotice: () => reply as never,
      onError: (error) => refused.push(error),
    });
    const server = await listen((req, res) => void strict.node(req, res));
    const fullFee = {
      code: 'SUCCESS',
      total_amount: 1500,
      parking_timestamp: 3600,
      parking_state: 'PARKING_STATE_ENTERED',
      payable_amount: 1500,
      paid_amount: 0,
    };
    for (const wrong of [
      undefined,
      { code: 'SUCCESS', total_amount: 1500 },
      { code: 'OK' },
      { ...fullFee, pay_state: 'PAID' },
    ]) {
      reply = wrong;
      const delivery = await sandbox.sendV3Notice({
        url: `${server.url}/fee`,
        event_type: 'PARKING_FEE.QUERY_TRANS_INFO',
        resource: { out_serial_number: 'P2' },
      });
      expect(delivery.status).toBe(500);
      expect(JSON.parse(delivery.body)).toEqual({ code: 'FAIL', message: 'INVALID_NOTICE_REPLY' });
    }
    expect(refused.map((e) => (e as WxparkError).code)).toEqual([
      'INVALID_NOTICE_REPLY',
      'INVALID_NOTICE_REPLY',
      'INVALID_NOTICE_REPLY',
      'INVALID_NOTICE_REPLY',
    ]);
    expect((refused[1] as WxparkError).message).toContain('parking_timestamp');
    // 支付状态 is one of WeChat's three values; a lot's own word is refused before WeChat sees it.
    expect((refused[3] as WxparkError).message).toContain('pay_state');
    reply = { ...fullFee, pay_state: 'PAY_STATUS_UNPAID' };
    const fee = await sandbox.sendV3Notice({
      url: `${server.url}/fee`,
      event_type: 'PARKING_FEE.QUERY_TRANS_INFO',
      resource: { out_serial_number: 'P2' },
    });
    expect(fee.status).toBe(200);
    expect(JSON.parse(fee.body)).toEqual(reply);
    reply = { code: 'FAIL', message: '未找到该车辆' };
    const answered = await sandbox.sendV3Notice({
      url: `${server.url}/fee`,
      event_type: 'PARKING_FEE.QUERY_TRANS_INFO',
      resource: { out_serial_number: 'P3' },
    });
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body)).toEqual(reply);
  });

  it('never hands an event type it does not declare to onNotice: onError and 500, so WeChat retries', async () => {
    const delivery = await sandbox.sendV3Notice({
      url,
      event_type: 'VEHICLE.USER_STATE_CHANGE',
      resource: { openid: 'o1', bind_state: 'OPENED' },
    });
    expect(delivery.status).toBe(500);
    expect(processed).toHaveLength(0);
    expect((refused[0] as WxparkError).code).toBe('UNDECLARED_NOTICE');
    const onlyFees = createParkingNoticeHandler({
      ...getNoticeKeys(v3Client(sandbox)),
      eventTypes: ['PARKING_FEE.QUERY_TRANS_INFO'],
      onNotice: () => {},
      onError: (error) => refused.push(error),
    });
    const entrance = await onlyFees.fetch(
      new Request('http://lot.test/notify', {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.envelope,
      }),
    );
    expect(entrance.status).toBe(500);
  });

  it('accepts a notice made by createTestV3Notice from @wxpark/core/testing', async () => {
    const keys = testNoticeKeys();
    const seen: ParkingNotice[] = [];
    const handler = createParkingNoticeHandler({
      verifier: keys.verifier,
      apiV3Key: keys.apiV3Key,
      onNotice: (notice) => void seen.push(notice),
    });
    const { body, headers, id } = createTestV3Notice({
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: entranceChange,
    });
    const answer = await handler.fetch(
      new Request('http://lot.test/notify', { method: 'POST', headers, body }),
    );
    expect(answer.status).toBe(204);
    expect(seen.map((n) => [n.id, n.event_type])).toEqual([[id, 'VEHICLE.ENTRANCE_STATE_CHANGE']]);
  });
});
