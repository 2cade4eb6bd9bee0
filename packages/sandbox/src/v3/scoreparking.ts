import { formatChinaRfc3339 } from '../china-time.ts';
import { newParkingId, newTransactionId, openIdForPlate } from '../ids.ts';
import { sendV3NoticeInBackground } from '../notices/v3.ts';
import type { SandboxState } from '../state.ts';
import type { SandboxVehicleUser } from '../types.ts';
import { appIdsOf, isAnswer, resolveActing, type V3Acting, type V3Endpoint } from './endpoint.ts';
import { fieldProblem, int, oneOf, optional, record, text, time } from './fields.ts';
import { subMchid } from './reminder-fields.ts';
import { type V3Answer, v3Error, v3Ok } from './reply.ts';
import type { ScoreParkingEntry, ScoreTransaction } from './state.ts';

/** 车牌颜色 of 微信支付分停车服务 (another enum than the 停车缴费服务's). */
const plateColor = oneOf(['BLUE', 'GREEN', 'YELLOW', 'BLACK', 'WHITE', 'LIMEGREEN']);
const notifyUrl = text({ maxLength: 256, pattern: /^https?:\/\/\S+$/, patternName: 'http(s) URL' });
const futureSkewMs = 300_000;

function appIdProblem(acting: V3Acting, appid: unknown, location: 'body' | 'query'): V3Answer | undefined {
  if (appIdsOf(acting).includes(appid as string)) return undefined;
  return v3Error(400, 'PARAM_ERROR', 'appid与mchid不匹配', {
    field: location === 'body' ? '/appid' : 'appid',
    value: appid,
    issue: 'appid与mchid不匹配',
    location,
  });
}

/** The owner's openid as the sandbox reports it (a plate-only owner gets a stable derived one). */
function openIdOf(user: SandboxVehicleUser | undefined, plate: string): string {
  return user?.openid ?? openIdForPlate(plate);
}

/** 车牌服务开通状态 from the car-owner state: arrears blocks entries, not the service itself. */
function serviceStateOf(user: SandboxVehicleUser | undefined): 'NORMAL' | 'PAUSE' | 'OUT_SERVICE' {
  if (!user || user.user_state === 'UNAUTHORIZED') return 'OUT_SERVICE';
  return user.user_state === 'PAUSED' ? 'PAUSE' : 'NORMAL';
}

function entryStateOf(
  user: SandboxVehicleUser | undefined,
): Pick<ScoreParkingEntry, 'state' | 'block_reason'> {
  const service = serviceStateOf(user);
  if (service === 'OUT_SERVICE') return { state: 'BLOCKED', block_reason: 'OUT_SERVICE' };
  if (service === 'PAUSE') return { state: 'BLOCKED', block_reason: 'PAUSE' };
  if (user!.user_state === 'BLOCK' || user!.user_state === 'OVERDUE') {
    return { state: 'BLOCKED', block_reason: 'OVERDUE' };
  }
  return { state: 'NORMAL' };
}

function describeEntry(entry: ScoreParkingEntry) {
  return {
    id: entry.id,
    out_parking_no: entry.out_parking_no,
    plate_number: entry.plate_number,
    plate_color: entry.plate_color,
    start_time: entry.start_time,
    parking_name: entry.parking_name,
    free_duration: entry.free_duration,
    state: entry.state,
    ...(entry.block_reason ? { block_reason: entry.block_reason } : {}),
  };
}

function transactionKey(acting: V3Acting, out_trade_no: string): string {
  return `${acting.merchant.mchId}|${acting.sub_mchid ?? ''}|${out_trade_no}`;
}

function findServiceEndpoint(state: SandboxState, serviceOpenTime: string): V3Endpoint {
  return {
    method: 'GET',
    path: '/v3/vehicle/parking/services/find',
    fields: {
      appid: text({ maxLength: 32 }),
      sub_mchid: subMchid,
      plate_number: text({ maxLength: 32 }),
      plate_color: plateColor,
      openid: text({ maxLength: 128 }),
    },
    process(call) {
      const acting = resolveActing(call, true, 'query');
      if (isAnswer(acting)) return acting;
      const { fields } = call;
      const wrongAppId = appIdProblem(acting, fields.appid, 'query');
      if (wrongAppId) return wrongAppId;
      const plate = fields.plate_number as string;
      const user = state.findUserByPlate(plate);
      // The service is opened by one WeChat user for one plate: another user has not opened it.
      const owned = user && openIdOf(user, plate) === fields.openid ? user : undefined;
      const service_state = serviceStateOf(owned);
      return v3Ok(
        {
          plate_number: plate,
          plate_color: fields.plate_color,
          ...(service_state === 'OUT_SERVICE' ? {} : { service_open_time: serviceOpenTime }),
          openid: fields.openid,
          service_state,
        },
        service_state,
      );
    },
  };
}

function parkingsEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'POST',
    path: '/v3/vehicle/parking/parkings',
    fields: {
      sub_mchid: subMchid,
      out_parking_no: text({ maxLength: 64 }),
      plate_number: text({ maxLength: 32 }),
      plate_color: plateColor,
      notify_url: notifyUrl,
      start_time: time(),
      parking_name: text({ maxLength: 128 }),
      free_duration: int({ min: 0 }),
    },
    process(call) {
      const acting = resolveActing(call, true);
      if (isAnswer(acting)) return acting;
      const { fields } = call;
      if (Date.parse(fields.start_time as string) > Date.now() + futureSkewMs) {
        throw fieldProblem('/start_time', fields.start_time, '入场时间不能晚于当前时间');
      }
      const known = [...state.v3.scoreEntries.values()].find(
        (e) =>
          e.mchId === acting.merchant.mchId &&
          e.sub_mchid === acting.sub_mchid &&
          e.out_parking_no === fields.out_parking_no,
      );
      if (known) {
        return known.plate_number === fields.plate_number && known.start_time === fields.start_time
          ? v3Ok(describeEntry(known), `parking repeated ${known.id}`)
          : v3Error(400, 'INVALID_REQUEST', '商户入场ID已存在，且入场信息与之前不一致');
      }
      const plate = fields.plate_number as string;
      const user = state.findUserByPlate(plate);
      const entry: ScoreParkingEntry = {
        mchId: acting.merchant.mchId,
        ...(acting.sub_mchid ? { sub_mchid: acting.sub_mchid } : {}),
        id: newParkingId(),
        out_parking_no: fields.out_parking_no as string,
        plate_number: plate,
        plate_color: fields.plate_color as string,
        notify_url: fields.notify_url as string,
        start_time: fields.start_time as string,
        parking_name: fields.parking_name as string,
        free_duration: fields.free_duration as number,
        ...entryStateOf(user),
        openid: openIdOf(user, plate),
      };
      state.v3.scoreEntries.set(entry.id, entry);
      state.v3.latestEntryByPlate.set(plate, entry.id);
      return v3Ok(describeEntry(entry), `parking ${entry.id} ${entry.state}`);
    },
  };
}

/** Why an accepted deduction cannot use this entry, as WeChat words it (its Q&A). */
function entryProblem(
  state: SandboxState,
  acting: V3Acting,
  info: Record<string, unknown>,
): V3Answer | ScoreParkingEntry {
  const entry = state.v3.scoreEntries.get(info.parking_id as string);
  const latest = entry && state.v3.latestEntryByPlate.get(entry.plate_number) === entry.id;
  if (!entry || entry.mchId !== acting.merchant.mchId || !latest) {
    return v3Error(400, 'INVALID_REQUEST', '停车入场id不存在');
  }
  if (
    entry.sub_mchid !== acting.sub_mchid ||
    entry.plate_number !== info.plate_number ||
    entry.plate_color !== info.plate_color ||
    entry.out_trade_no !== undefined
  ) {
    return v3Error(400, 'INVALID_REQUEST', '场景信息和停车入场id不匹配');
  }
  if (entry.state !== 'NORMAL') {
    return v3Error(400, 'INVALID_REQUEST', `停车入场状态不可用（${entry.block_reason}）`);
  }
  return entry;
}

function transactionsEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'POST',
    path: '/v3/vehicle/transactions/parking',
    fields: {
      appid: text({ maxLength: 32 }),
      sub_appid: optional(text({ maxLength: 32 })),
      sub_mchid: subMchid,
      description: text({ maxLength: 128 }),
      attach: optional(text({ maxLength: 128 })),
      out_trade_no: text({
        maxLength: 32,
        pattern: /^[0-9A-Za-z_\-*]+$/,
        patternName: '数字、大小写字母、_-*',
      }),
      trade_scene: oneOf(['PARKING']),
      goods_tag: optional(text({ maxLength: 32 })),
      notify_url: notifyUrl,
      profit_sharing: optional(oneOf(['Y', 'N'])),
      amount: record({ total: int({ min: 1 }), currency: optional(oneOf(['CNY'])) }),
      parking_info: record({
        parking_id: text({ maxLength: 32 }),
        plate_number: text({ maxLength: 32 }),
        plate_color: plateColor,
        start_time: time(),
        end_time: time(),
        parking_name: text({ maxLength: 128 }),
        charging_duration: int({ min: 0 }),
        device_id: text({ maxLength: 32 }),
      }),
    },
    process(call) {
      const acting = resolveActing(call, true);
      if (isAnswer(acting)) return acting;
      const { fields } = call;
      const wrongAppId = appIdProblem({ merchant: acting.merchant }, fields.appid, 'body');
      if (wrongAppId) return wrongAppId;
      const sub = acting.merchant.subMerchants?.find((s) => s.subMchId === acting.sub_mchid);
      if (
        fields.sub_appid !== undefined &&
        sub?.subAppId !== undefined &&
        fields.sub_appid !== sub.subAppId
      ) {
        throw fieldProblem('/sub_appid', fields.sub_appid, 'sub_appid与sub_mchid不匹配');
      }
      const info = fields.parking_info as Record<string, unknown>;
      const start = Date.parse(info.start_time as string);
      const end = Date.parse(info.end_time as string);
      if (end <= start)
        throw fieldProblem('/parking_info/end_time', info.end_time, '出场时间必须晚于入场时间');
      if (end > Date.now() + futureSkewMs) {
        throw fieldProblem('/parking_info/end_time', info.end_time, '出场时间不能晚于当前时间');
      }
      const amount = fields.amount as { total: number; currency?: string };
      const key = transactionKey(acting, fields.out_trade_no as string);
      const known = state.v3.transactions.get(key);
      if (known) {
        // A retry with the same order is answered with the order as it stands; anything else reuses a number.
        const same =
          (known.transaction.amount as { total: number }).total === amount.total &&
          (known.transaction.parking_info as { parking_id: string }).parking_id === info.parking_id;
        return same
          ? v3Ok(known.transaction, `transaction repeated ${known.transaction.trade_state}`)
          : v3Error(400, 'INVALID_REQUEST', '商户订单号重复');
      }
      const entry = entryProblem(state, acting, info);
      if ('status' in entry) return entry;
      const provider = Boolean(acting.merchant.subMerchants?.length);
      const transaction: ScoreTransaction['transaction'] = {
        appid: fields.appid,
        ...(fields.sub_appid === undefined ? {} : { sub_appid: fields.sub_appid }),
        ...(provider ? { sp_mchid: acting.merchant.mchId } : {}),
        ...(acting.sub_mchid ? { sub_mchid: acting.sub_mchid } : {}),
        description: fields.description,
        create_time: formatChinaRfc3339(new Date()),
        out_trade_no: fields.out_trade_no as string,
        transaction_id: newTransactionId(),
        trade_state: 'ACCEPTED',
        trade_state_description: '已受理',
        ...(fields.attach === undefined ? {} : { attach: fields.attach }),
        trade_scene: 'PARKING',
        parking_info: info,
        payer: { openid: entry.openid },
        amount: { total: amount.total, currency: amount.currency ?? 'CNY' },
      };
      entry.out_trade_no = transaction.out_trade_no;
      const stored: ScoreTransaction = {
        mchId: acting.merchant.mchId,
        ...(acting.sub_mchid ? { sub_mchid: acting.sub_mchid } : {}),
        notify_url: fields.notify_url as string,
        transaction,
      };
      state.v3.transactions.set(key, stored);
      scheduleDeduction(state, stored);
      return v3Ok(transaction, `transaction ${transaction.out_trade_no} ACCEPTED`);
    },
  };
}

/**
 * Makes the deduction of an accepted order after the current answer is out, then sends TRANSACTION.SUCCESS
 * to its notify_url (WeChat's acceptance comes first, the result later). The outcome is kept on the order.
 */
function scheduleDeduction(state: SandboxState, stored: ScoreTransaction): void {
  setImmediate(() => {
    if (state.shutdown.signal.aborted) return;
    const { transaction } = stored;
    const amount = transaction.amount as { total: number; currency: string };
    Object.assign(transaction, {
      trade_state: 'SUCCESS',
      trade_state_description: '支付成功',
      success_time: formatChinaRfc3339(new Date()),
      bank_type: 'OTHERS',
      amount: { ...amount, payer_total: amount.total, discount_total: 0 },
    });
    sendV3NoticeInBackground(
      state,
      stored,
      {
        url: stored.notify_url,
        mchId: stored.mchId,
        event_type: 'TRANSACTION.SUCCESS',
        resource: transaction,
      },
      transaction.out_trade_no,
    );
  });
}

function queryEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'GET',
    path: '/v3/vehicle/transactions/out-trade-no/{out_trade_no}',
    pathFields: { out_trade_no: text({ maxLength: 32 }) },
    fields: { sub_mchid: subMchid },
    process(call) {
      const acting = resolveActing(call, true, 'query');
      if (isAnswer(acting)) return acting;
      const stored = state.v3.transactions.get(transactionKey(acting, call.fields.out_trade_no as string));
      if (!stored) return v3Error(404, 'ORDER_NOT_EXIST', '订单不存在');
      return v3Ok(stored.transaction, stored.transaction.trade_state);
    },
  };
}

/** 微信支付分停车服务: service query, entries, deductions and the order query. */
export function scoreParkingEndpoints(state: SandboxState): V3Endpoint[] {
  const serviceOpenTime = formatChinaRfc3339(new Date(Date.now() - 30 * 24 * 60 * 60 * 1000));
  return [
    findServiceEndpoint(state, serviceOpenTime),
    parkingsEndpoint(state),
    transactionsEndpoint(state),
    queryEndpoint(state),
  ];
}
