import {
  ApiError,
  type QueryOutcome,
  type ReleaseDecision,
  SignatureError,
  TransportError,
  ValidationError,
} from '@wxpark/core';
import type { ParkingTransaction } from './scoreparking.ts';

/** The gate decision, one shape for both protocols (defined in `@wxpark/core`). */
export type { ReleaseDecision };

/** What {@link decideRelease} reads: an answer of 扣费受理 or 查询订单, a `queryUntilKnown` outcome, or an error. */
export type ReleaseInput =
  | ParkingTransaction
  | { readonly data: ParkingTransaction }
  | QueryOutcome<{ readonly data: ParkingTransaction }>
  | unknown;

function fromTransaction(transaction: ParkingTransaction): ReleaseDecision {
  const tradeState = transaction.trade_state;
  switch (tradeState) {
    // The official rule (微信支付分停车服务, 扣费受理): release the vehicle once the order is ACCEPTED;
    // WeChat collects the fee afterwards, advancing it if the user's balance falls short.
    case 'ACCEPTED':
      return {
        action: 'release',
        tradeState,
        reason: '扣费受理 accepted (ACCEPTED): WeChat Pay collects the fee',
      };
    case 'SUCCESS':
      return { action: 'release', tradeState, reason: 'the fee is paid (SUCCESS)' };
    case 'PAY_FAIL':
      return {
        action: 'hold',
        tradeState,
        reason: 'the deduction failed (PAY_FAIL): collect the fee another way',
      };
    case 'REFUND':
      return {
        action: 'hold',
        tradeState,
        reason: 'the order was refunded (REFUND): no payment stands for this stay',
      };
    default:
      return {
        action: 'hold',
        tradeState,
        reason: `trade_state ${tradeState} is not one that lets a car leave (ACCEPTED or SUCCESS)`,
      };
  }
}

function isTransaction(value: unknown): value is ParkingTransaction {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { trade_state?: unknown }).trade_state === 'string'
  );
}

/**
 * Turns what 扣费受理 (`/v3/vehicle/transactions/parking`) or 查询订单 gave into a gate decision: the car
 * may leave only on `ACCEPTED` or `SUCCESS` (the official rule); a failure that may have arrived (timeout,
 * network, system error, an answer of unexpected shape) is `query-again`; any other verified refusal holds
 * the car with WeChat's reason. Only verified answers can release a car.
 *
 * @example
 * ```ts
 * const decision = decideRelease(await client.v3.vehicle.transactions.parking(order).catch((e) => e));
 * if (decision.action === 'release') gate.open();
 * ```
 */
export function decideRelease(input: ReleaseInput): ReleaseDecision {
  if (isTransaction(input)) return fromTransaction(input);
  if (typeof input === 'object' && input !== null) {
    const data = (input as { data?: unknown }).data;
    if (isTransaction(data)) return fromTransaction(data);
    const outcome = (input as { outcome?: unknown }).outcome;
    if (outcome === 'found' && isTransaction((data as { data?: unknown } | undefined)?.data)) {
      return fromTransaction((data as { data: ParkingTransaction }).data);
    }
    if (outcome === 'absent') {
      return {
        action: 'hold',
        reason:
          'WeChat Pay has no such order: 扣费受理 never arrived; send it again with the same out_trade_no',
      };
    }
    if (outcome === 'unknown') {
      return {
        action: 'query-again',
        reason: 'the order is still unknown after querying: query again later',
      };
    }
  }
  if (TransportError.isInstance(input)) {
    return {
      action: 'query-again',
      reason: `no answer (${input.code}): the call may have arrived; query the order by out_trade_no`,
    };
  }
  if (ApiError.isInstance(input)) {
    if (input.isRetryable || !input.signatureVerified || input.code === 'UNEXPECTED_RESPONSE') {
      return {
        action: 'query-again',
        reason: `${input.code}: the outcome is not certain; query the order by out_trade_no`,
      };
    }
    return {
      action: 'hold',
      reason: `WeChat Pay refused the deduction: ${input.code} ${input.description ?? input.message}`,
    };
  }
  if (SignatureError.isInstance(input)) {
    // An answer that failed verification may still stand for a call WeChat processed: ask, do not guess.
    return {
      action: 'query-again',
      reason: `the answer failed verification (${input.code}): 扣费受理 may have arrived; query the order by out_trade_no`,
    };
  }
  if (ValidationError.isInstance(input)) {
    return { action: 'hold', reason: `the request was not sent: ${input.message}` };
  }
  if (input instanceof Error) {
    // An answer that could not be read (not XML/JSON, cut short) came from somewhere after the request left.
    return {
      action: 'query-again',
      reason: `the answer could not be read (${input.name}): 扣费受理 may have arrived; query the order by out_trade_no`,
    };
  }
  return { action: 'hold', reason: 'not an answer of 扣费受理 or 查询订单' };
}
