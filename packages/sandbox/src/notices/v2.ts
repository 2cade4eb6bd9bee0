import { createNonce, encryptV2RefundInfo, signV2, type V2ApiKey } from '@wxpark/signer';
import { buildXml, parseXml } from '@wxpark/xml';
import { formatChinaTime } from '../china-time.ts';
import { CallbackError, SandboxUsageError } from '../errors.ts';
import type { Acting, CallbackOutcome, PayOrder, SandboxState } from '../state.ts';
import type { V2Fields } from '../v2/reply.ts';
import { deliver, type ReceiverAnswer } from './deliver.ts';

function actingFields(acting: Acting): V2Fields {
  return {
    appid: acting.merchant.appId,
    mch_id: acting.merchant.mchId,
    sub_appid: acting.subAppId,
    sub_mch_id: acting.subMchId,
  };
}

/** Signs fields (HMAC-SHA256, which the callback states in its own `sign_type`) and encodes them. */
function signedCallbackXml(fields: V2Fields, key: V2ApiKey): string {
  const clean: Record<string, string> = { sign_type: 'HMAC-SHA256' };
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) clean[name] = value;
  return buildXml({ ...clean, sign: signV2(clean, key, 'HMAC-SHA256') });
}

/** POSTs callback XML as WeChat does (see {@link deliver}); `plaintext` is what the inspector shows decrypted. */
function postXml(
  state: SandboxState,
  event: string,
  url: string,
  merchant: string,
  xml: string,
  retries?: number,
  plaintext?: string,
): Promise<ReceiverAnswer> {
  return deliver(state, {
    event,
    protocol: 'v2',
    url,
    merchant,
    body: xml,
    headers: { 'content-type': 'text/xml', 'user-agent': 'wxpark-sandbox' },
    acknowledged: isAcknowledged,
    ...(retries === undefined ? {} : { retries }),
    ...(plaintext === undefined ? {} : { plaintext }),
  });
}

/** WeChat stops retrying only on HTTP 200 with `return_code` SUCCESS XML. */
function isAcknowledged(answer: { status: number; body: string }): boolean {
  if (answer.status !== 200) return false;
  try {
    return parseXml(answer.body).return_code === 'SUCCESS';
  } catch {
    return false;
  }
}

function plateStateFields(
  state: SandboxState,
  plate_number: string,
  event: { vehicle_event_type: 'NORMAL' | 'BLOCKED'; vehicle_event_des?: string },
  acting: Acting,
): V2Fields {
  const blocked = event.vehicle_event_type === 'BLOCKED';
  return {
    ...actingFields(acting),
    nonce_str: createNonce(32),
    plate_number,
    vehicle_event_type: event.vehicle_event_type,
    // WeChat names a cause only for BLOCKED; arrears is the common one.
    vehicle_event_des: event.vehicle_event_des ?? (blocked ? 'OVERDUE' : undefined),
    deduct_mode: state.findUserByPlate(plate_number)?.deduct_mode,
    vehicle_event_createtime: formatChinaTime(new Date()),
  };
}

/** Where a plate-state notice goes when not to the notify_url of the plate's last 用户入场通知. */
export interface PlateStateTarget {
  /** Send here instead (the inspector's action). */
  url?: string;
  /** The merchant that signs it when no 用户入场通知 names one. @default the first direct merchant */
  mchId?: string;
  /** Attempts after one that was not acknowledged. @default 0 */
  retries?: number;
}

/** Sends the 车牌状态变更通知 for a plate to the notify_url of its last 用户入场通知 (or to `target.url`). */
export async function sendPlateStateNotice(
  state: SandboxState,
  plate_number: string,
  event: { vehicle_event_type: 'NORMAL' | 'BLOCKED'; vehicle_event_des?: string },
  target: PlateStateTarget = {},
): Promise<{ status: number; body: string }> {
  if (event.vehicle_event_type !== 'NORMAL' && event.vehicle_event_type !== 'BLOCKED') {
    throw new SandboxUsageError(
      `vehicle_event_type: expected NORMAL or BLOCKED, got ${JSON.stringify(event.vehicle_event_type)}`,
    );
  }
  const entry = target.url === undefined ? state.plateEntries.get(plate_number) : undefined;
  if (target.url !== undefined) return sendPlateStateTo(state, plate_number, event, target, target.url);
  if (!entry?.notify_url) {
    throw new CallbackError(
      'NO_NOTIFY_URL',
      entry
        ? `the last 用户入场通知 for ${plate_number} gave no scene_info.notify_url`
        : `no 用户入场通知 (PARKING) has been received for ${plate_number}`,
    );
  }
  const xml = signedCallbackXml(
    plateStateFields(state, plate_number, event, entry),
    state.keyOf(entry.merchant),
  );
  const answer = await postXml(state, '车牌状态变更通知', entry.notify_url, entry.merchant.mchId, xml);
  state.log(
    `callback 车牌状态变更通知 ${plate_number} ${event.vehicle_event_type} -> ${entry.notify_url} ${answer.status}` +
      (isAcknowledged(answer) ? ' acknowledged' : ' NOT acknowledged'),
  );
  return answer;
}

async function sendPlateStateTo(
  state: SandboxState,
  plate_number: string,
  event: { vehicle_event_type: 'NORMAL' | 'BLOCKED'; vehicle_event_des?: string },
  target: PlateStateTarget,
  url: string,
): Promise<{ status: number; body: string }> {
  if (!/^https?:\/\/\S+$/.test(url)) {
    throw new SandboxUsageError(`url: expected an http(s) URL, got ${JSON.stringify(url)}`);
  }
  const merchant =
    target.mchId === undefined
      ? (state.config.merchants.find((m) => !m.subMerchants?.length) ?? state.config.merchants[0])
      : state.findMerchant(target.mchId);
  if (!merchant) {
    throw new SandboxUsageError(
      `mchId: expected a merchant of the config, got ${JSON.stringify(target.mchId)}`,
    );
  }
  const xml = signedCallbackXml(
    plateStateFields(state, plate_number, event, { merchant }),
    state.keyOf(merchant),
  );
  const answer = await postXml(state, '车牌状态变更通知', url, merchant.mchId, xml, target.retries);
  state.log(
    `callback 车牌状态变更通知 ${plate_number} ${event.vehicle_event_type} -> ${url} ${answer.status}`,
  );
  return answer;
}

/**
 * Makes the deduction of an accepted order, then sends its 扣费结果通知, after the current answer is out
 * (WeChat's acceptance comes first, the result later). The outcome is kept on the order.
 */
export function schedulePayResult(state: SandboxState, order: PayOrder): void {
  setImmediate(() => {
    if (state.shutdown.signal.aborted) return;
    order.trade_state = 'SUCCESS';
    order.time_end = formatChinaTime(new Date());
    const xml = signedCallbackXml(
      {
        return_code: 'SUCCESS',
        return_msg: 'OK',
        ...actingFields(order),
        nonce_str: createNonce(32),
        result_code: 'SUCCESS',
        openid: order.openid,
        sub_openid: order.sub_openid,
        is_subscribe: 'N',
        bank_type: 'OTHERS',
        total_fee: order.total_fee,
        fee_type: 'CNY',
        cash_fee: order.total_fee,
        trade_state: 'SUCCESS',
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        attach: order.attach,
        time_end: order.time_end,
        trade_type: 'PAP',
      },
      state.keyOf(order.merchant),
    );
    postXml(state, '扣费结果通知', order.notify_url, order.merchant.mchId, xml).then(
      (answer) => record(state, order, { status: answer.status, acknowledged: isAcknowledged(answer) }),
      (error: unknown) =>
        record(state, order, {
          acknowledged: false,
          error: error instanceof Error ? error.message : String(error),
        }),
    );
  });
}

function record(state: SandboxState, order: PayOrder, outcome: CallbackOutcome): void {
  order.notice = outcome;
  const result =
    outcome.error ?? `${outcome.status} ${outcome.acknowledged ? 'acknowledged' : 'NOT acknowledged'}`;
  state.log(`callback 扣费结果通知 ${order.out_trade_no} -> ${order.notify_url} ${result}`);
}

/** One settled APIv2 refund to announce. */
export interface RefundNoticeSubject {
  /** The merchant (and sub-merchant) of the refunded order. */
  acting: Acting;
  url: string;
  /** The fields req_info carries (退款结果通知). */
  info: V2Fields;
}

/**
 * Sends the APIv2 退款结果通知 without waiting for it, and records on `record.notice` whether it was
 * acknowledged. As WeChat sends it: no sign; `req_info` is the refund's fields as `<root>` XML, AES-256-ECB
 * encrypted under the MD5 of the merchant's APIv2 key (doc/v2/partner/4011989265).
 */
export function sendRefundNoticeInBackground(
  state: SandboxState,
  record: { notice?: CallbackOutcome },
  subject: RefundNoticeSubject,
): void {
  const { acting, url, info } = subject;
  const inner = buildXml(info)
    .replace(/^<xml>/, '<root>')
    .replace(/<\/xml>$/, '</root>');
  const outer: Record<string, string> = { return_code: 'SUCCESS' };
  for (const [name, value] of Object.entries({ ...actingFields(acting), nonce_str: createNonce(32) })) {
    if (value !== undefined) outer[name] = value;
  }
  const xml = buildXml({ ...outer, req_info: encryptV2RefundInfo(inner, state.keyOf(acting.merchant)) });
  const label = `退款结果通知 ${info.out_refund_no} ${info.refund_status}`;
  postXml(state, '退款结果通知', url, acting.merchant.mchId, xml, undefined, inner).then(
    (answer) => {
      record.notice = { status: answer.status, acknowledged: isAcknowledged(answer) };
      state.log(`callback ${label} -> ${url} ${answer.status}`);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      record.notice = { acknowledged: false, error: message };
      state.log(`callback ${label} -> ${url} ${message}`);
    },
  );
}
