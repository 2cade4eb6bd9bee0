import type { WxparkError } from '@wxpark/core';
import { createV2ApiKey, encryptV2RefundInfo } from '@wxpark/signer';
import { buildXml, parseXml } from '@wxpark/xml';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createV2NoticeHandler,
  type DeclaredV2Notice,
  type RefundResultNotice,
  verifyV2Notice,
} from '../src/index.ts';
import { createTestV2RefundNotice, testNoticeKeys } from '../src/testing.ts';

const apiKey = testNoticeKeys().v2ApiKey;

// Every field fixed, so each tampering below changes the same bytes on every run (AES-ECB is deterministic).
const fixed = {
  transaction_id: '4200000001202611300000000001',
  out_trade_no: 'T20261130000001',
  refund_id: '50000000012026113000000000001',
  out_refund_no: 'R20261130000001',
  total_fee: '1500',
  refund_fee: '500',
  settlement_refund_fee: '500',
  refund_status: 'SUCCESS',
  success_time: '2026-11-30 10:00:00',
  refund_recv_accout: '支付用户的零钱',
  refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
  refund_request_source: 'API',
};

function setup() {
  const seen: DeclaredV2Notice[] = [];
  const errors: WxparkError[] = [];
  const handler = createV2NoticeHandler({
    apiKey,
    kinds: ['refund'],
    onNotice: (notice) => void seen.push(notice),
    onError: (error) => errors.push(error as WxparkError),
  });
  return { handler, seen, errors };
}

/** The notice with its req_info replaced by `change(bytes)`. */
function withReqInfo(change: (bytes: Buffer) => Buffer): string {
  const { body } = createTestV2RefundNotice({ fields: fixed });
  const outer = parseXml(body);
  const bytes = change(Buffer.from(outer.req_info!, 'base64'));
  return buildXml({ ...outer, req_info: bytes.toString('base64') });
}

async function refused(body: string) {
  const { handler, seen, errors } = setup();
  const reply = await handler.process(body, { 'content-type': 'text/xml' });
  expect(seen).toEqual([]);
  expect(parseXml(reply.body).return_code).toBe('FAIL');
  return { status: reply.status, code: errors[0]?.code };
}

describe('APIv2 退款结果通知', () => {
  it('decrypts a genuine notice and hands onNotice its req_info fields, typed, as kind refund', async () => {
    const { handler, seen } = setup();
    const { body, headers } = createTestV2RefundNotice({ fields: { ...fixed, refund_status: 'CHANGE' } });
    const reply = await handler.process(body, headers);
    expect(reply.status).toBe(200);
    expect(parseXml(reply.body).return_code).toBe('SUCCESS');
    expect(seen).toHaveLength(1);
    const notice = seen[0]!;
    if (notice.kind !== 'refund') throw new Error(`expected a refund notice, got ${notice.kind}`);
    expectTypeOf(notice.fields).toEqualTypeOf<RefundResultNotice>();
    expect(notice.fields).toEqual({ ...fixed, refund_status: 'CHANGE' });
    // The outer fields are proven by nothing and are not handed on.
    expect(notice.fields).not.toHaveProperty('mch_id');
    expect(notice.fields).not.toHaveProperty('req_info');
    expect(notice.id).toMatch(/^refund:[0-9a-f]{40}$/);
  });

  it('runs onNotice once for a notice WeChat sends again (a fresh nonce_str, the same refund)', async () => {
    const { handler, seen } = setup();
    await handler.process(createTestV2RefundNotice({ fields: fixed }).body, {});
    await handler.process(createTestV2RefundNotice({ fields: fixed }).body, {});
    expect(seen).toHaveLength(1);
  });

  it('refuses a notice whose last cipher block was changed (its padding breaks): DECRYPT_FAILED, 401', async () => {
    const body = withReqInfo((bytes) => {
      const copy = Buffer.from(bytes);
      copy[copy.length - 3]! ^= 0x5a;
      return copy;
    });
    expect(await refused(body)).toEqual({ status: 401, code: 'DECRYPT_FAILED' });
  });

  it('refuses a notice whose first cipher block was cut off (no longer <root> XML): DECRYPT_FAILED, 401', async () => {
    const body = withReqInfo((bytes) => bytes.subarray(16));
    expect(await refused(body)).toEqual({ status: 401, code: 'DECRYPT_FAILED' });
  });

  it('cannot see a whole block cut from inside a value: AES-ECB has no integrity check (why the TSDoc says to confirm with 查询退款)', async () => {
    // Bytes 32–47 of the plaintext lie inside transaction_id's CDATA: without them the XML still parses.
    const body = withReqInfo((bytes) => Buffer.concat([bytes.subarray(0, 32), bytes.subarray(48)]));
    const notice = verifyV2Notice(body, { apiKey });
    expect(notice.kind).toBe('refund');
    expect(notice.fields.transaction_id).not.toBe(fixed.transaction_id);
    expect(notice.fields.out_refund_no).toBe(fixed.out_refund_no);
  });

  it('refuses a notice encrypted with another APIv2 key: DECRYPT_FAILED, 401', async () => {
    const body = createTestV2RefundNotice({ fields: fixed, apiKey: 'Z'.repeat(32) }).body;
    expect(await refused(body)).toEqual({ status: 401, code: 'DECRYPT_FAILED' });
  });

  it('refuses a notice without req_info (nothing vouches for it): MISSING_SIGN, 401', async () => {
    const body = createTestV2RefundNotice({ fields: fixed, envelope: { req_info: undefined } }).body;
    expect(await refused(body)).toEqual({ status: 401, code: 'MISSING_SIGN' });
  });

  it('refuses an empty or non-base64 req_info: DECRYPT_FAILED, 401', async () => {
    for (const req_info of ['', 'not base64!']) {
      const body = createTestV2RefundNotice({ fields: fixed, envelope: { req_info } }).body;
      expect(await refused(body)).toEqual({ status: 401, code: 'DECRYPT_FAILED' });
    }
  });

  it('refuses a req_info that decrypts but names no refund: MALFORMED_NOTICE, 400', async () => {
    const sealed = encryptV2RefundInfo('<root><total_fee>1</total_fee></root>', createV2ApiKey(apiKey));
    const body = buildXml({ return_code: 'SUCCESS', mch_id: '1900000100', req_info: sealed });
    expect(await refused(body)).toEqual({ status: 400, code: 'MALFORMED_NOTICE' });
  });

  it('answers a genuine refund notice FAIL (UNDECLARED_NOTICE) on a handler that does not declare refund', async () => {
    const errors: WxparkError[] = [];
    const handler = createV2NoticeHandler({
      apiKey,
      onNotice: () => {},
      onError: (e) => errors.push(e as WxparkError),
    });
    const reply = await handler.process(createTestV2RefundNotice({ fields: fixed }).body, {});
    expect(reply.status).toBe(500);
    expect(errors[0]?.code).toBe('UNDECLARED_NOTICE');
  });

  it('verifyV2Notice reads a refund notice without a sign, and its error never shows the key', () => {
    const notice = verifyV2Notice(createTestV2RefundNotice({ fields: fixed }).body, { apiKey });
    expect(notice.kind).toBe('refund');
    const wrong = 'Q'.repeat(32);
    try {
      verifyV2Notice(createTestV2RefundNotice({ fields: fixed }).body, { apiKey: wrong });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(wrong);
      expect(String(error)).not.toContain(apiKey);
    }
  });
});
