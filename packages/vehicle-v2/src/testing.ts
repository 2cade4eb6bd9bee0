import { formatChinaCompactTime } from '@wxpark/core';
import { type TestNotice, testNoticeKeys } from '@wxpark/core/testing';
import { createNonce, createV2ApiKey, signV2, type V2SignType } from '@wxpark/signer';
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
  /** Which notice: 车牌状态变更通知 (`plate-state`) or 扣费结果通知 (`pay-result`). */
  kind: V2NoticeKind;
  /** Fields over the kind's defaults; `undefined` removes a default, `''` sends an empty element. */
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
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) fields[name] = value;
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
