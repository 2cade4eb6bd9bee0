import { decideReleaseOnFailure, type QueryOutcome, type ReleaseDecision } from '@wxpark/core';
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
  }
  return (
    decideReleaseOnFailure(input, '扣费受理') ?? {
      action: 'hold',
      reason: 'not an answer of 扣费受理 or 查询订单',
    }
  );
}
