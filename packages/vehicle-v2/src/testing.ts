import { formatChinaCompactTime } from '@wxpark/core';
import { type TestNotice, testNoticeKeys } from '@wxpark/core/testing';
import { createNonce, createV2ApiKey, encryptV2RefundInfo, signV2, type V2SignType } from '@wxpark/signer';
import { buildXml } from '@wxpark/xml';
import type { V2NoticeKind } from './notices.ts';

export {
  createTestNoticeKeys,
  type TestNotice,
  type TestNoticeKeys,
  testNoticeKeys,
} from '@wxpark/core/testing';

/** Settings for {@link createTestV2Notice}. */
export interface TestV2NoticeOptions {
  /** Which notice: 车牌状态变更通知 (`plate-state`) or 扣费结果通知 (`pay-result`); see {@link createTestV2RefundNotice}. */
  kind: Exclude<V2NoticeKind, 'refund'>;
  /**
   * Fields over the kind's defaults; `undefined` removes a default, `''` sends an empty element.
   * @default none: the kind's defaults as they are
   */
  fields?: Readonly<Record<string, string | undefined>>;
  /** @default testNoticeKeys().v2ApiKey */
  apiKey?: string;
  /**
   * The algorithm that signs it, also stated in `sign_type` unless `fields.sign_type` says otherwise.
   * @default 'HMAC-SHA256'
   */
  signType?: V2SignType;
}

/**
 * Builds an APIv2 notice as WeChat Pay sends it: XML signed with the test APIv2 key, for testing your own
 * handler without the sandbox. Configure the handler with `apiKey: testNoticeKeys().v2ApiKey`.
 *
 * @example
 * ```ts
 * import { createTestV2Notice, testNoticeKeys } from '@wxpark/vehicle-v2/testing';
 *
 * const handler = createV2NoticeHandler({ apiKey: testNoticeKeys().v2ApiKey, onNotice });
 * const { body, headers } = createTestV2Notice({ kind: 'pay-result', fields: { out_trade_no: 'T1' } });
 * const answer = await handler.fetch(new Request('http://test/notify', { method: 'POST', headers, body }));
 * ```
 */
export function createTestV2Notice(options: TestV2NoticeOptions): TestNotice {
  const signType = options.signType ?? 'HMAC-SHA256';
  const merged: Record<string, string | undefined> = {
    ...(options.kind === 'plate-state' ? plateStateDefaults() : payResultDefaults()),
    sign_type: signType,
    ...options.fields,
  };
  const fields = present(merged);
  const key = createV2ApiKey(options.apiKey ?? testNoticeKeys().v2ApiKey);
  return {
    body: buildXml({ ...fields, sign: signV2(fields, key, signType) }),
    headers: { 'content-type': 'text/xml' },
  };
}

function plateStateDefaults(): Record<string, string> {
  return {
    appid: 'wx8888888888888888',
    mch_id: '1900000100',
    nonce_str: createNonce(32),
    plate_number: '粤B888888',
    vehicle_event_type: 'NORMAL',
    deduct_mode: 'PROACTIVE',
    vehicle_event_createtime: formatChinaCompactTime(new Date()),
  };
}

function payResultDefaults(): Record<string, string> {
  const now = formatChinaCompactTime(new Date());
  return {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: 'wx8888888888888888',
    mch_id: '1900000100',
    nonce_str: createNonce(32),
    result_code: 'SUCCESS',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    trade_type: 'PAP',
    trade_state: 'SUCCESS',
    bank_type: 'OTHERS',
    total_fee: '1500',
    fee_type: 'CNY',
    cash_fee: '1500',
    transaction_id: `4200000000${now}`,
    out_trade_no: `T${now}`,
    time_end: now,
  };
}

/** Settings for {@link createTestV2RefundNotice}. */
export interface TestV2RefundNoticeOptions {
  /**
   * Fields of the encrypted req_info over the defaults (a SUCCESS refund of 1500 fen); `undefined` removes
   * a default.
   * @default none: the defaults as they are
   */
  fields?: Readonly<Record<string, string | undefined>>;
  /**
   * Fields of the outer XML over its defaults (return_code, appid, mch_id, nonce_str); `req_info` here
   * replaces the encrypted one, and `undefined` removes a field (e.g. `{ req_info: undefined }`).
   * @default none
   */
  envelope?: Readonly<Record<string, string | undefined>>;
  /** The APIv2 key whose MD5 encrypts req_info. @default testNoticeKeys().v2ApiKey */
  apiKey?: string;
}

/**
 * Builds an APIv2 退款结果通知 as WeChat Pay sends it: unsigned XML whose `req_info` is the refund's fields
 * as `<root>` XML, AES-256-ECB encrypted under the MD5 of the test APIv2 key. Configure the handler with
 * `apiKey: testNoticeKeys().v2ApiKey` and `kinds: ['refund']`.
 *
 * @example
 * ```ts
 * import { createTestV2RefundNotice, testNoticeKeys } from '@wxpark/vehicle-v2/testing';
 *
 * const handler = createV2NoticeHandler({ apiKey: testNoticeKeys().v2ApiKey, kinds: ['refund'], onNotice });
 * const { body, headers } = createTestV2RefundNotice({ fields: { out_refund_no: 'R1', refund_status: 'CHANGE' } });
 * const answer = await handler.fetch(new Request('http://test/notify', { method: 'POST', headers, body }));
 * ```
 */
export function createTestV2RefundNotice(options: TestV2RefundNoticeOptions = {}): TestNotice {
  const info = present({ ...refundDefaults(), ...options.fields });
  const key = createV2ApiKey(options.apiKey ?? testNoticeKeys().v2ApiKey);
  const envelope = present({
    return_code: 'SUCCESS',
    appid: 'wx8888888888888888',
    mch_id: '1900000100',
    nonce_str: createNonce(32),
    req_info: encryptV2RefundInfo(
      buildXml(info)
        .replace(/^<xml>/, '<root>')
        .replace(/<\/xml>$/, '</root>'),
      key,
    ),
    ...options.envelope,
  });
  return { body: buildXml(envelope), headers: { 'content-type': 'text/xml' } };
}

function present(merged: Record<string, string | undefined>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) fields[name] = value;
  return fields;
}

function refundDefaults(): Record<string, string> {
  const now = formatChinaCompactTime(new Date());
  return {
    transaction_id: `4200000000${now}`,
    out_trade_no: `T${now}`,
    refund_id: `50000000${now}`,
    out_refund_no: `R${now}`,
    total_fee: '1500',
    refund_fee: '1500',
    settlement_refund_fee: '1500',
    refund_status: 'SUCCESS',
    success_time: now.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/, '$1-$2-$3 $4:$5:$6'),
    refund_recv_accout: '支付用户的零钱',
    refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
    refund_request_source: 'API',
  };
}
