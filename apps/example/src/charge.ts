import { randomBytes } from 'node:crypto';
import { formatChinaCompactTime, formatChinaRfc3339 } from '@wxpark/core';
import { decideRelease } from '@wxpark/parking-v3';
import { decidePayApplyRelease } from '@wxpark/vehicle-v2';
import type { GatewayTargets } from './gateway.ts';
import type { NewCall, NewGateDecision, OutboxCall, Stay } from './store/types.ts';

/** A gate decision as both SDK helpers give it. */
export interface Decision {
  readonly action: 'release' | 'hold' | 'query-again';
  readonly reason: string;
  readonly tradeState?: string;
}

/** How the outbox handles a charge route: the order query that replaces a blind resend, and the decision. */
export interface ChargeRoute {
  /** The 查询订单 call (route and data) for the order a charge call's data makes. */
  query(payload: unknown): { route: string; payload: unknown };
  /** The gate decision from an answer, a thrown error, or a `queryUntilKnown` outcome. */
  decide(input: unknown): Decision;
}

/** The routes that charge a stay at exit. */
export const chargeRoutes = {
  v3: 'v3/vehicle/transactions/parking',
  v2: 'v2/vehicle/pay/payapply',
  v2Partner: 'v2/vehicle/partnerpay/payapply',
} as const;

/** The score-parking entry route (创建停车入场): its answer's `id` is the parking_id 扣费受理 needs. */
export const scoreEntryRoute = 'v3/vehicle/parking/parkings';

// Trade states that still change: a decision on one of them gives way to the order's later state.
const movingStates = new Set(['ACCEPTED', 'ACCEPT', 'USERPAYING', 'NOTPAY']);

/** A decision as the store keeps it: final once the order reached a state that no longer changes. */
export function toGateDecision(decision: Decision): NewGateDecision {
  return {
    action: decision.action,
    reason: decision.reason,
    ...(decision.tradeState === undefined ? {} : { trade_state: decision.tradeState }),
    final: decision.tradeState !== undefined && !movingStates.has(decision.tradeState),
  };
}

/** The charge routes of a lot, for the outbox: how each is queried, and decided, by the SDK's helpers. */
export function chargeRoutesOf(targets: GatewayTargets): Record<string, ChargeRoute> {
  const routes: Record<string, ChargeRoute> = {};
  const advanceFunding = targets.charge?.advanceFunding ?? false;
  routes[chargeRoutes.v3] = {
    query: (payload) => {
      const { out_trade_no, sub_mchid } = payload as { out_trade_no: string; sub_mchid?: string };
      return {
        route: 'v3/vehicle/transactions/out-trade-no/{out_trade_no}',
        payload: { out_trade_no, ...(sub_mchid ? { sub_mchid } : {}) },
      };
    },
    decide: (input) => decideRelease(input),
  };
  const v2Query = (route: string) => (payload: unknown) => {
    const { appid, mch_id, sub_appid, sub_mch_id, out_trade_no } = payload as Record<string, string>;
    return {
      route,
      payload: {
        appid,
        mch_id,
        ...(sub_mch_id ? { sub_mch_id } : {}),
        ...(sub_appid ? { sub_appid } : {}),
        out_trade_no,
      },
    };
  };
  const decideV2 = (input: unknown) => decidePayApplyRelease(input, { advanceFunding });
  routes[chargeRoutes.v2] = { query: v2Query('v2/transit/queryorder'), decide: decideV2 };
  routes[chargeRoutes.v2Partner] = { query: v2Query('v2/transit/partnerpay/queryorder'), decide: decideV2 };
  return routes;
}

/** 车牌颜色 of 微信支付分停车 from a gate event's PLATE_COLOR_*; undefined where that service has none. */
function scorePlateColor(plate_color: string): string | undefined {
  const color = plate_color.replace(/^PLATE_COLOR_/, '');
  if (color === 'YELLOW_GREEN') return 'LIMEGREEN';
  return ['BLUE', 'GREEN', 'YELLOW', 'BLACK', 'WHITE'].includes(color) ? color : undefined;
}

/** The 创建停车入场 call of a score-parking stay, or undefined when the plate cannot use the service. */
export function scoreEntryCall(targets: GatewayTargets, stay: Stay): NewCall | undefined {
  const score = targets.scoreParking;
  const plate_color = scorePlateColor(stay.plate_color);
  if (!score?.notify_url || !plate_color) return undefined;
  return {
    route: scoreEntryRoute,
    payload: {
      ...(score.sub_mchid ? { sub_mchid: score.sub_mchid } : {}),
      // One stay, one number: 商户入场ID, and later 商户订单号, are the stay's out_serial_number.
      out_parking_no: stay.out_serial_number,
      plate_number: stay.plate_number,
      plate_color,
      notify_url: score.notify_url,
      start_time: formatChinaRfc3339(new Date(stay.entered_at)),
      parking_name: targets.parkingName,
      free_duration: score.free_duration,
    },
  };
}

/** How long a stay lasted, in whole seconds (计费时长). */
function secondsOf(stay: Stay, exitedAt: number): number {
  return Math.max(0, Math.floor((exitedAt - stay.entered_at) / 1000));
}

/** The fee of a stay: whole started hours past the free time, at `fenPerHour`. */
export function feeOf(
  stay: Stay,
  exitedAt: number,
  tariff: { fenPerHour: number; freeSeconds: number },
): number {
  const seconds = secondsOf(stay, exitedAt);
  if (seconds <= tariff.freeSeconds) return 0;
  return Math.ceil(seconds / 3600) * tariff.fenPerHour;
}

/**
 * The merchant fields of an APIv2 call (a service provider's with its sub-merchant) and its nonce, fixed
 * when the call is stored, so the signed body is the same bytes on every attempt: a resend is not a new
 * request.
 */
export function v2Envelope(v2: NonNullable<GatewayTargets['v2']>): Record<string, string> {
  return {
    appid: v2.appid,
    mch_id: v2.mch_id,
    ...(v2.sub_mch_id === undefined
      ? {}
      : { sub_mch_id: v2.sub_mch_id, ...(v2.sub_appid ? { sub_appid: v2.sub_appid } : {}) }),
    nonce_str: randomBytes(16).toString('hex'),
  };
}

interface ExitCharge {
  call?: NewCall;
  decision: NewGateDecision;
}

/** A stay's entry call of `route`, with its answer when it has one. */
function entryCall(calls: readonly OutboxCall[], route: string): OutboxCall | undefined {
  return calls.find((call) => call.route === route);
}

/**
 * The charge of a stay at exit, through the service its entry found usable: 微信支付分停车 (扣费受理) when
 * 创建停车入场 answered NORMAL, else the 车主平台 (申请扣款) when 用户入场通知 answered user_state NORMAL; an entry
 * still unanswered is waited for. With neither, the car is held with the reason.
 */
export function planCharge(
  targets: GatewayTargets,
  stay: Stay,
  calls: readonly OutboxCall[],
  exitedAt: number,
  exit: { fee?: number; device_id?: string },
): ExitCharge | undefined {
  const charge = targets.charge;
  if (!charge) return undefined;
  const fee = exit.fee ?? feeOf(stay, exitedAt, charge);
  const out_trade_no = stay.out_serial_number;
  if (fee === 0)
    return {
      decision: { action: 'release', reason: 'no fee: the stay is within the free time', final: true },
    };
  const charging = (call: NewCall, how: string): ExitCharge => ({
    call,
    decision: {
      action: 'query-again',
      reason: `charging ${fee} fen by ${how}: waiting for the answer`,
      final: false,
    },
  });
  const score = entryCall(calls, scoreEntryRoute);
  const scoreAnswer = score?.result as { id?: string; state?: string; block_reason?: string } | undefined;
  const v2Route = targets.v2?.sub_mch_id
    ? 'v2/vehicle/partnerpay/notification'
    : 'v2/vehicle/pay/notification';
  const v2Entry = entryCall(calls, v2Route);
  const v2Answer = v2Entry?.result as { user_state?: string; deduct_mode?: string } | undefined;

  const scoreUsable = score?.status === 'done' && scoreAnswer?.state === 'NORMAL';
  const v2Usable = v2Entry?.status === 'done' && v2Answer?.user_state === 'NORMAL';
  if (targets.scoreParking?.notify_url && score && (scoreUsable || (score.status === 'pending' && !v2Usable)))
    return charging(
      {
        route: chargeRoutes.v3,
        // 扣费受理 needs the parking_id 创建停车入场 answers: sent after it, reading its answer then.
        ...(scoreUsable ? {} : { after: scoreEntryRoute }),
        payload: {
          appid: targets.scoreParking.appid,
          ...(targets.scoreParking.sub_mchid ? { sub_mchid: targets.scoreParking.sub_mchid } : {}),
          ...(targets.scoreParking.sub_appid ? { sub_appid: targets.scoreParking.sub_appid } : {}),
          description: `${targets.parkingName} 停车费`.slice(0, 128),
          out_trade_no,
          trade_scene: 'PARKING',
          notify_url: targets.scoreParking.notify_url,
          amount: { total: fee, currency: 'CNY' },
          parking_info: {
            parking_id: scoreUsable ? scoreAnswer!.id : { $after: 'id' },
            plate_number: stay.plate_number,
            plate_color: (score.payload as { plate_color: string }).plate_color,
            start_time: formatChinaRfc3339(new Date(stay.entered_at)),
            end_time: formatChinaRfc3339(new Date(exitedAt)),
            parking_name: targets.parkingName,
            charging_duration: secondsOf(stay, exitedAt),
            device_id: exit.device_id ?? 'EXIT',
          },
        },
      },
      '扣费受理 (微信支付分停车)',
    );
  const v2 = targets.v2;
  if (v2?.notify_url && v2Entry && (v2Usable || v2Entry.status === 'pending')) {
    const partner = v2.sub_mch_id !== undefined;
    return charging(
      {
        route: partner ? chargeRoutes.v2Partner : chargeRoutes.v2,
        payload: {
          ...v2Envelope(v2),
          body: `${targets.parkingName} 停车费`.slice(0, 128),
          out_trade_no,
          total_fee: fee,
          spbill_create_ip: charge.spbill_create_ip,
          notify_url: v2.notify_url,
          trade_scene: 'PARKING',
          scene_info: {
            start_time: formatChinaCompactTime(new Date(stay.entered_at)),
            end_time: formatChinaCompactTime(new Date(exitedAt)),
            charging_time: String(secondsOf(stay, exitedAt)),
            plate_number: stay.plate_number,
            parking_name: targets.parkingName,
            free_time: v2.free_time,
            deduct_mode: v2Answer?.deduct_mode === 'PROACTIVE' ? 'PROACTIVE' : 'AUTOPAY',
            support_deduct_mode: 'DEDUCT_ALL',
          },
        },
      },
      partner ? '申请扣款 (车主平台, 服务商)' : '申请扣款 (车主平台)',
    );
  }
  const why: string[] = [];
  if (score)
    why.push(
      score.status === 'done'
        ? `微信支付分停车 entry ${scoreAnswer?.state}${scoreAnswer?.block_reason ? ` (${scoreAnswer.block_reason})` : ''}`
        : `微信支付分停车 entry ${score.status}: ${score.error_code ?? ''}`.trim(),
    );
  if (v2Entry)
    why.push(
      v2Entry.status === 'done'
        ? `车主平台 user_state ${v2Answer?.user_state}`
        : `车主平台 entry ${v2Entry.status}: ${v2Entry.error_code ?? ''}`.trim(),
    );
  if (!v2?.notify_url && !targets.scoreParking?.notify_url) why.push('no notify_url configured');
  return {
    decision: {
      action: 'hold',
      reason: `no WeChat Pay service can charge ${fee} fen for this stay (${why.join('; ') || 'no entry call'}): collect the fee another way`,
      final: true,
    },
  };
}
