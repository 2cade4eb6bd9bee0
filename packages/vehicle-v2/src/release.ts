import { decideReleaseOnFailure, type ReleaseDecision } from '@wxpark/core';
import type { PayResultNotice } from './notices.ts';
import type { PayApplyResponse } from './payapply.ts';
import type { TransitQueryOrderResponse } from './queryorder.ts';

/** The gate decision, one shape for both protocols (defined in `@wxpark/core`). */
export type { ReleaseDecision };

/** Settings for {@link decidePayApplyRelease}. */
export interface PayApplyReleaseOptions {
  /**
   * The merchant has advance funding (垫资) enabled: WeChat then pays an accepted deduction even when the
   * user's balance falls short, so the car may leave on acceptance. Without it, the official rule is to open
   * the gate only on a SUCCESS result; releasing on acceptance is at the merchant's risk.
   * @default false
   */
  advanceFunding?: boolean;
}

/**
 * What {@link decidePayApplyRelease} reads: the answer of 申请扣款 (acceptance), of 查询订单, a 扣费结果通知,
 * a `queryUntilKnown` outcome of 查询订单, or an error a call threw.
 */
export type PayApplyReleaseInput =
  | PayApplyResponse
  | TransitQueryOrderResponse
  | PayResultNotice
  | { readonly data: PayApplyResponse | TransitQueryOrderResponse }
  | { readonly outcome: 'found'; readonly data: { readonly data: TransitQueryOrderResponse } }
  | { readonly outcome: 'absent' | 'unknown'; readonly error: unknown }
  | unknown;

// The trade_state values of 查询订单 (transit/queryorder) and 扣费结果通知, by what they mean at the gate.
const paid = new Set(['SUCCESS']);
// Still in progress: the deduction may yet succeed (ACCEPT: accepted, not yet made; USERPAYING: the user
// is confirming; NOTPAY: not paid yet).
const pending = new Set(['ACCEPT', 'USERPAYING', 'NOTPAY']);
const failedStates: Readonly<Record<string, string>> = {
  PAY_FAIL: 'the deduction failed (PAY_FAIL)',
  PAYERROR: 'the deduction failed (PAYERROR)',
  CLOSED: 'the order was closed (CLOSED)',
  REVOKED: 'the order was revoked (REVOKED)',
  REFUND: 'the order was refunded (REFUND): no payment stands for this stay',
};

function fromTradeState(tradeState: string, options: PayApplyReleaseOptions): ReleaseDecision {
  if (paid.has(tradeState)) return { action: 'release', tradeState, reason: 'the fee is paid (SUCCESS)' };
  if (pending.has(tradeState)) {
    if (tradeState === 'ACCEPT' && options.advanceFunding)
      return {
        action: 'release',
        tradeState,
        reason: '申请扣款 accepted (ACCEPT) with advance funding: WeChat Pay pays the fee',
      };
    return {
      action: 'query-again',
      tradeState,
      reason: `the deduction is in progress (${tradeState}): wait for the 扣费结果通知 or query the order`,
    };
  }
  const failure = failedStates[tradeState];
  return {
    action: 'hold',
    tradeState,
    reason: failure
      ? `${failure}: collect the fee another way`
      : `trade_state ${tradeState} is not one that lets a car leave (SUCCESS)`,
  };
}

function fromAcceptance(options: PayApplyReleaseOptions): ReleaseDecision {
  // 申请扣款 SUCCESS means accepted only (the official page); the result follows by notice or query.
  return options.advanceFunding
    ? {
        action: 'release',
        reason: '申请扣款 accepted with advance funding: WeChat Pay pays the fee',
      }
    : {
        action: 'query-again',
        reason:
          '申请扣款 accepted, the deduction is not made yet: wait for the 扣费结果通知 or query the order (about 5 s)',
      };
}

function isFields(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A verified v2 answer or notice: 查询订单 and 扣费结果通知 carry trade_state, 申请扣款 only result_code. */
function fromFields(
  fields: Readonly<Record<string, unknown>>,
  options: PayApplyReleaseOptions,
): ReleaseDecision | undefined {
  if (fields.result_code === 'FAIL')
    return {
      action: 'hold',
      reason:
        `the deduction failed: ${String(fields.err_code ?? 'FAIL')} ${String(fields.err_code_des ?? '')}`.trim(),
    };
  if (typeof fields.trade_state === 'string' && fields.trade_state !== '')
    return fromTradeState(fields.trade_state, options);
  if (fields.result_code === 'SUCCESS') return fromAcceptance(options);
  return undefined;
}

/**
 * Turns what 申请扣款 (`/vehicle/{pay,partnerpay}/payapply`), 查询订单 (`/transit/queryorder`) or a 扣费结果通知
 * gave into a gate decision, as {@link ReleaseDecision}. The official rule: 申请扣款 SUCCESS is acceptance
 * only, and the car leaves on a SUCCESS result (or on acceptance when advance funding is enabled, see
 * `advanceFunding`); ACCEPT, USERPAYING and NOTPAY are `query-again`; PAY_FAIL, PAYERROR, CLOSED, REVOKED and
 * REFUND hold the car. A failure that may have arrived (timeout, network, SYSTEMERROR, an unverified
 * answer) is `query-again`; any other verified refusal holds the car with WeChat's reason. A `queryUntilKnown`
 * outcome of `absent` holds the car: the deduction never arrived, so it may be sent again with the same
 * out_trade_no. Only verified answers can release a car.
 *
 * @example
 * ```ts
 * const decision = decidePayApplyRelease(await client.v2.vehicle.pay.payapply(order).catch((e) => e));
 * if (decision.action === 'query-again') {
 *   const known = await queryUntilKnown(() => client.v2.transit.queryorder({ appid, mch_id, out_trade_no }));
 *   decision = decidePayApplyRelease(known);
 * }
 * ```
 */
export function decidePayApplyRelease(
  input: PayApplyReleaseInput,
  options: PayApplyReleaseOptions = {},
): ReleaseDecision {
  const failed = decideReleaseOnFailure(input, '申请扣款');
  if (failed) return failed;
  if (isFields(input)) {
    const outcome = input.outcome;
    const data = input.data;
    if (outcome === 'found' && isFields(data) && isFields(data.data)) {
      const decided = fromFields(data.data, options);
      if (decided) return decided;
    }
    if (outcome === undefined && isFields(data)) {
      const decided = fromFields(data, options);
      if (decided) return decided;
    }
    if (outcome === undefined) {
      const decided = fromFields(input, options);
      if (decided) return decided;
    }
  }
  return { action: 'hold', reason: 'not an answer of 申请扣款 or 查询订单, nor a 扣费结果通知' };
}
