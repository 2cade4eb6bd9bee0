import { ApiError, SignatureError, TransportError, ValidationError, WxparkError } from './errors.ts';
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

/**
 * The part of a gate decision that does not depend on the API: what a failed deduction call (`call`, say
 * `'扣费受理'`) or a `queryUntilKnown` outcome of `absent` or `unknown` means for the car. `undefined` for
 * anything else (an answer), which the API's own helper reads. Used by `decideRelease` (parking-v3) and
 * `decidePayApplyRelease` (vehicle-v2), so both protocols decide failures alike.
 */
export function decideReleaseOnFailure(input: unknown, call: string): ReleaseDecision | undefined {
  const queryIt = `${call} may have arrived; query the order by out_trade_no`;
  if (typeof input === 'object' && input !== null && !(input instanceof Error)) {
    const outcome = (input as { outcome?: unknown }).outcome;
    if (outcome === 'absent')
      return {
        action: 'hold',
        reason: `WeChat Pay has no such order: ${call} never arrived; send it again with the same out_trade_no`,
      };
    if (outcome === 'unknown')
      return {
        action: 'query-again',
        reason: 'the order is still unknown after querying: query again later',
      };
    return undefined;
  }
  if (TransportError.isInstance(input))
    return { action: 'query-again', reason: `no answer (${input.code}): ${queryIt}` };
  if (ApiError.isInstance(input)) {
    if (input.isRetryable || !input.signatureVerified || input.code === 'UNEXPECTED_RESPONSE')
      return { action: 'query-again', reason: `${input.code}: the outcome is not certain; ${queryIt}` };
    return {
      action: 'hold',
      reason: `WeChat Pay refused the deduction: ${input.code} ${input.description ?? input.message}`,
    };
  }
  // An answer that failed verification may still stand for a call WeChat processed: ask, do not guess.
  if (SignatureError.isInstance(input))
    return { action: 'query-again', reason: `the answer failed verification (${input.code}): ${queryIt}` };
  if (ValidationError.isInstance(input))
    return { action: 'hold', reason: `the request was not sent: ${input.message}` };
  // An answer that could not be read (not XML/JSON, cut short) came from somewhere after the request left.
  if (input instanceof Error) {
    const what = WxparkError.isInstance(input) ? input.code : input.name;
    return { action: 'query-again', reason: `the answer could not be read (${what}): ${queryIt}` };
  }
  return undefined;
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
