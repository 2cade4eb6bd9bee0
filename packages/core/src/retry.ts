/**
 * The one rule for "may the same call succeed if repeated": the transport uses it to retry GETs, and every
 * `ApiError` (APIv2, APIv3, `/v3/certificates`) takes its `isRetryable` from it.
 */

/** Statuses that say "try again": timeout, rate limit, and the server-side failures a repeat can outlast. */
const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

/** WeChat Pay codes that say "try again" (system busy, rate limited), for responses whose signature verified. */
const retryableCodes = new Set([
  'SYSTEMERROR',
  'SYSTEM_ERROR',
  'FREQUENCY_LIMITED',
  'RATE_LIMITED',
  'BIZERR_NEED_RETRY',
]);

/** What is known about a failed response. */
export interface FailedResponse {
  readonly status: number;
  /** WeChat Pay's code from the body, if any. */
  readonly code?: string;
  /**
   * Whether the body's signature verified. An unverified body could come from anyone on the path, so its
   * code is never consulted: only the status decides.
   */
  readonly verified?: boolean;
}

/**
 * True when repeating the same call with the same parameters may succeed: HTTP 408, 429, 500, 502, 503 or
 * 504, or a verified WeChat Pay code of `SYSTEMERROR`, `SYSTEM_ERROR`, `FREQUENCY_LIMITED`, `RATE_LIMITED`
 * or `BIZERR_NEED_RETRY` (APIv2 reports these with HTTP 200).
 */
export function isRetryable(response: FailedResponse): boolean {
  if (retryableStatuses.has(response.status)) return true;
  return response.verified === true && response.code !== undefined && retryableCodes.has(response.code);
}

/** The retry policy after defaults. */
export interface RetryPolicy {
  readonly limit: number;
  readonly maxRetryAfter: number;
}

/** Milliseconds before retry number `retry` (0-based) when the server named no time: 100 ms doubling, at most 2 s. */
export function backoff(retry: number): number {
  return Math.min(100 * 2 ** retry, 2_000);
}

/**
 * Milliseconds to wait before retry number `retry` (0-based): what `Retry-After` asks, in seconds or as an
 * HTTP date, or else 100 ms doubling up to 2 s. Undefined when the server asks for longer than
 * `maxRetryAfter`: the caller then stops retrying rather than hold the call that long.
 */
export function retryDelay(
  retry: number,
  retryAfter: string | null,
  maxRetryAfter: number,
): number | undefined {
  const asked = parseRetryAfter(retryAfter);
  if (asked === undefined) return backoff(retry);
  return asked <= maxRetryAfter ? asked : undefined;
}

/** `Retry-After` in milliseconds from now, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  // Only the HTTP-date form (`Wed, 21 Oct 2015 07:28:00 GMT`); a date in the past means "now".
  if (!/[A-Za-z]/.test(text) || Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first; leaves no listener behind. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
