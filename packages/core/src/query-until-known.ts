import { ApiError, TransportError } from './errors.ts';
import { delay } from './retry.ts';

/** Settings for {@link queryUntilKnown}. */
export interface QueryUntilKnownOptions {
  /**
   * Queries in all, the first included. Every wait is bounded, so the whole search is too.
   * @default 6
   */
  attempts?: number;
  /**
   * Milliseconds before the second query; each later wait doubles, up to `maxDelayMs`.
   * @default 1000
   */
  delayMs?: number;
  /** @default 30000 */
  maxDelayMs?: number;
  /**
   * Codes that mean "no such order" (查询订单 of an order WeChat never accepted). Believed only from a
   * verified answer: an unsigned body could say anything.
   * @default ['ORDER_NOT_EXIST', 'ORDERNOTEXIST', 'RESOURCE_NOT_EXISTS']
   */
  absentCodes?: readonly string[];
  /** Stops waiting; the promise rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * What the gate does with a car after a deduction (扣费受理 or 申请扣款): the one shape of the release
 * helpers of `@wxpark/parking-v3` (`decideRelease`) and `@wxpark/vehicle-v2` (`decidePayApplyRelease`).
 */
export interface ReleaseDecision {
  /**
   * `release`: open the gate. `hold`: keep it closed and collect the fee another way. `query-again`: the
   * outcome is not known yet; wait for the result notice or query the order (see {@link queryUntilKnown})
   * before deciding, never send the deduction again blindly.
   */
  readonly action: 'release' | 'hold' | 'query-again';
  /** Why, in words an operator can act on. */
  readonly reason: string;
  /** The order's trade_state when one was known. */
  readonly tradeState?: string;
}

/** What {@link queryUntilKnown} learnt. */
export type QueryOutcome<T> =
  /** The order exists; `data` is the verified query answer. */
  | { readonly outcome: 'found'; readonly data: T }
  /**
   * WeChat Pay says, in a verified answer, that there is no such order: the call that timed out never
   * arrived, so it may be sent again with the same order number.
   */
  | { readonly outcome: 'absent'; readonly error: ApiError }
  /** Still unknown after every attempt (network failures, system errors): do not resend; ask again later. */
  | { readonly outcome: 'unknown'; readonly error: unknown };

/**
 * After a call that may have arrived failed (a `TransportError` on 申请扣款 or 扣费受理, say), finds out what
 * happened by querying the order with bounded backoff, instead of sending the call again: resending a
 * deduction that did arrive charges nothing twice only by WeChat's idempotency, and gives no answer about
 * the first. Network failures, retryable and unverified errors are queried again; a verified "no such
 * order" ends the search as `absent`; any other verified refusal (NOAUTH, PARAM_ERROR) is thrown, since
 * asking again cannot change it.
 *
 * @example
 * ```ts
 * const known = await queryUntilKnown(() =>
 *   client.v3.vehicle.transactions['out-trade-no']['{out_trade_no}']({ out_trade_no }),
 * );
 * if (known.outcome === 'found') console.log(known.data.data.trade_state);
 * ```
 */
export async function queryUntilKnown<T>(
  query: () => Promise<T>,
  options: QueryUntilKnownOptions = {},
): Promise<QueryOutcome<T>> {
  const {
    attempts = 6,
    delayMs = 1000,
    maxDelayMs = 30_000,
    absentCodes = ['ORDER_NOT_EXIST', 'ORDERNOTEXIST', 'RESOURCE_NOT_EXISTS'],
    signal,
  } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts: expected an integer >= 1');
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await delay(Math.min(delayMs * 2 ** (attempt - 1), maxDelayMs), signal);
    signal?.throwIfAborted();
    try {
      return { outcome: 'found', data: await query() };
    } catch (error) {
      last = error;
      if (ApiError.isInstance(error)) {
        if (error.signatureVerified && absentCodes.includes(error.code)) return { outcome: 'absent', error };
        // A verified, non-retryable refusal will not change by asking again.
        if (error.signatureVerified && !error.isRetryable && error.code !== 'UNEXPECTED_RESPONSE')
          throw error;
        continue;
      }
      if (TransportError.isInstance(error)) continue;
      throw error;
    }
  }
  return { outcome: 'unknown', error: last };
}
