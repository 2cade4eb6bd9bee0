import { formatChinaRfc3339 } from '../china-time.ts';
import { SandboxUsageError } from '../errors.ts';
import { newTransactionId, randomDigits } from '../ids.ts';
import { sendPlateStateNotice } from '../notices/v2.ts';
import { sendV3Notice } from '../notices/v3.ts';
import type { SandboxState } from '../state.ts';
import type { SignatureHostileMode } from '../types.ts';
import { signatureModes } from '../v3/signature.ts';

/** The notices the inspector can send with one button, each built from the sandbox's own data. */
export const sampleNoticeKinds = ['plate-state', 'payment', 'fee-query', 'business-circle'] as const;
export type SampleNoticeKind = (typeof sampleNoticeKinds)[number];

export interface SampleNoticeRequest {
  kind: SampleNoticeKind;
  /** The receiver. */
  url: string;
  /** The merchant it is for. @default the first merchant (APIv3) or the first direct merchant (APIv2) */
  mchId?: string;
  /** plate-state only. @default 'BLOCKED' */
  vehicle_event_type?: 'NORMAL' | 'BLOCKED';
  /** APIv3 kinds only: spoil the signature as that hostile mode does. */
  hostile?: SignatureHostileMode;
  /** Attempts after one that was not acknowledged (at most 5). @default 0 */
  retries?: number;
}

function checkRequest(input: Record<string, unknown>): SampleNoticeRequest {
  const { kind, url, mchId, vehicle_event_type, hostile, retries } = input;
  if (!sampleNoticeKinds.includes(kind as SampleNoticeKind)) {
    throw new SandboxUsageError(
      `kind: expected one of ${sampleNoticeKinds.join(', ')}, got ${JSON.stringify(kind)}`,
    );
  }
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
    throw new SandboxUsageError(`url: expected an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (mchId !== undefined && mchId !== '' && typeof mchId !== 'string') {
    throw new SandboxUsageError(`mchId: expected a string, got ${JSON.stringify(mchId)}`);
  }
  if (
    vehicle_event_type !== undefined &&
    vehicle_event_type !== 'NORMAL' &&
    vehicle_event_type !== 'BLOCKED'
  ) {
    throw new SandboxUsageError(
      `vehicle_event_type: expected NORMAL or BLOCKED, got ${JSON.stringify(vehicle_event_type)}`,
    );
  }
  if (hostile !== undefined && hostile !== '' && !signatureModes.includes(hostile as SignatureHostileMode)) {
    throw new SandboxUsageError(
      `hostile: expected one of ${signatureModes.join(', ')}, got ${JSON.stringify(hostile)}`,
    );
  }
  if (
    retries !== undefined &&
    (!Number.isSafeInteger(retries) || (retries as number) < 0 || (retries as number) > 5)
  ) {
    throw new SandboxUsageError(`retries: expected an integer from 0 to 5, got ${JSON.stringify(retries)}`);
  }
  return {
    kind: kind as SampleNoticeKind,
    url,
    ...(mchId ? { mchId: mchId as string } : {}),
    ...(vehicle_event_type ? { vehicle_event_type: vehicle_event_type as 'NORMAL' | 'BLOCKED' } : {}),
    ...(hostile ? { hostile: hostile as SignatureHostileMode } : {}),
    ...(retries === undefined ? {} : { retries: retries as number }),
  };
}

function merchantFor(state: SandboxState, mchId: string | undefined) {
  const merchant = mchId === undefined ? state.config.merchants[0] : state.findMerchant(mchId);
  if (!merchant)
    throw new SandboxUsageError(`mchId: expected a merchant of the config, got ${JSON.stringify(mchId)}`);
  return merchant;
}

function aPlate(state: SandboxState): string {
  return (
    state.config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')?.plate_number ??
    '粤B888888'
  );
}

/** A 支付成功 of 微信支付分停车服务, as TRANSACTION.SUCCESS carries it. */
function paymentResource(state: SandboxState, mchId: string, appId: string) {
  const now = new Date();
  const plate_number = aPlate(state);
  return {
    appid: appId,
    mchid: mchId,
    description: '停车费',
    out_trade_no: `SBX${randomDigits(12)}`,
    transaction_id: newTransactionId(now),
    trade_state: 'SUCCESS',
    trade_state_description: '支付成功',
    success_time: formatChinaRfc3339(now),
    bank_type: 'OTHERS',
    trade_scene: 'PARKING',
    parking_info: {
      parking_id: `SBX${randomDigits(16)}`,
      plate_number,
      plate_color: 'BLUE',
      start_time: formatChinaRfc3339(new Date(now.getTime() - 2 * 3600_000)),
      end_time: formatChinaRfc3339(now),
      parking_name: '欢乐海岸停车场',
      charging_duration: 7200,
      device_id: 'GATE-01',
    },
    payer: {
      openid:
        state.config.vehicleUsers.find((u) => u.plate_number === plate_number)?.openid ?? 'oSandboxPayer',
    },
    amount: { total: 1000, currency: 'CNY', payer_total: 1000, discount_total: 0 },
  };
}

/** 停车费查询: the newest stay of the merchant when there is one. */
function feeQueryResource(state: SandboxState, mchId: string) {
  const stays = [...state.v3.stays.values()].filter((s) => s.mchId === mchId);
  const stay = stays[stays.length - 1];
  if (stay) return { out_serial_number: stay.out_serial_number, plate_number: stay.plate_number };
  return { out_serial_number: `SBX${randomDigits(12)}`, plate_number: aPlate(state) };
}

/** 商圈会员场内支付成功, for the first brand and one of its authorised members. */
function mallResource(state: SandboxState, mchId: string, appId: string) {
  const brand = state.config.brands?.[0];
  const member = state.config.mallMembers?.find(
    (m) => m.brandId === brand?.brandId && m.authorize_state === 'AUTHORIZED',
  );
  return {
    mchid: mchId,
    merchant_name: '欢乐海岸商户',
    shop_name: '欢乐海岸一楼咖啡',
    shop_number: 'SHOP-001',
    appid: brand?.appId ?? appId,
    openid: member?.openid ?? 'oSandboxMember',
    time_end: formatChinaRfc3339(new Date()),
    amount: 3800,
    transaction_id: newTransactionId(),
  };
}

/** Sends one of the inspector's sample notices; resolves with the receiver's answer. */
export async function sendSampleNotice(
  state: SandboxState,
  input: Record<string, unknown>,
): Promise<{ status: number; body: string }> {
  const request = checkRequest(input);
  const common = {
    url: request.url,
    ...(request.hostile ? { hostile: request.hostile } : {}),
    ...(request.retries === undefined ? {} : { retries: request.retries }),
  };
  if (request.kind === 'plate-state') {
    const event_type = request.vehicle_event_type ?? 'BLOCKED';
    return sendPlateStateNotice(
      state,
      aPlate(state),
      {
        vehicle_event_type: event_type,
        ...(event_type === 'BLOCKED' ? { vehicle_event_des: 'OVERDUE' } : {}),
      },
      {
        url: request.url,
        ...(request.mchId ? { mchId: request.mchId } : {}),
        ...(request.retries === undefined ? {} : { retries: request.retries }),
      },
    );
  }
  const merchant = merchantFor(state, request.mchId);
  const { status, body } = await sendV3Notice(state, {
    ...common,
    mchId: merchant.mchId,
    ...(request.kind === 'payment'
      ? {
          event_type: 'TRANSACTION.SUCCESS',
          resource: paymentResource(state, merchant.mchId, merchant.appId),
        }
      : request.kind === 'fee-query'
        ? { event_type: 'PARKING_FEE.QUERY_TRANS_INFO', resource: feeQueryResource(state, merchant.mchId) }
        : {
            event_type: 'MALL_TRANSACTION.SUCCESS',
            resource: mallResource(state, merchant.mchId, merchant.appId),
          }),
  });
  return { status, body };
}
