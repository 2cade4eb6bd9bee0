import { setTimeout as delay } from 'node:timers/promises';
import { CallbackError } from '../errors.ts';
import type { InspectedNotice } from '../inspector/journal.ts';
import { cut, maskHeaders, showBody } from '../inspector/redact.ts';
import type { SandboxState } from '../state.ts';

/** How long a merchant gets to answer a callback. */
export const callbackTimeoutMs = 10_000;

/** Extra attempts a notice may be given, so a mistaken count cannot keep the sandbox busy for long. */
export const maxRetries = 5;

/** The receiver's answer to one attempt. */
export interface ReceiverAnswer {
  status: number;
  body: string;
}

export interface NoticeToSend {
  /** What the inspector calls it: `车牌状态变更通知`, `扣费结果通知`, or an APIv3 event_type. */
  event: string;
  protocol: 'v2' | 'v3';
  url: string;
  merchant: string;
  body: string;
  headers: Record<string, string>;
  /** The APIv3 resource before encryption. */
  plaintext?: string;
  hostile?: string;
  /** How WeChat reads the answer: APIv2, 200 with return_code SUCCESS; APIv3, 200 or 204. */
  acknowledged(answer: ReceiverAnswer): boolean;
  /** Attempts after one that was not acknowledged (WeChat retries; the sandbox only when asked). @default 0 */
  retries?: number;
  /** Wait before each retry. @default 1000 */
  retryDelayMs?: number;
}

async function post(state: SandboxState, notice: NoticeToSend): Promise<ReceiverAnswer> {
  const response = await fetch(notice.url, {
    method: 'POST',
    headers: notice.headers,
    body: notice.body,
    signal: AbortSignal.any([state.shutdown.signal, AbortSignal.timeout(callbackTimeoutMs)]),
  });
  return { status: response.status, body: await response.text() };
}

/**
 * POSTs a notice as WeChat does, retrying when asked, and keeps each attempt in the inspector's journal.
 * Resolves with the last answer; rejects with `CallbackError` DELIVERY_FAILED when the last attempt could not
 * reach the receiver (or the sandbox closed).
 */
export async function deliver(state: SandboxState, given: NoticeToSend): Promise<ReceiverAnswer> {
  // `PUT /__sandbox/notice-target` (`wxpark listen`) sends every notice to one URL, whatever its notify_url.
  const notice = state.noticeTarget ? { ...given, url: state.noticeTarget } : given;
  const retries = Math.min(Math.max(0, Math.trunc(notice.retries ?? 0)), maxRetries);
  const entry: InspectedNotice = state.journal.addNotice({
    kind: 'notice',
    at: Date.now(),
    event: notice.event,
    protocol: notice.protocol,
    url: notice.url,
    merchant: notice.merchant,
    body: showBody(notice.body),
    ...(notice.plaintext === undefined ? {} : { plaintext: cut(notice.plaintext) }),
    ...(notice.hostile ? { hostile: notice.hostile } : {}),
    headers: maskHeaders(notice.headers),
    attempts: [],
    status: 'pending',
  });
  let failure: unknown;
  let last: ReceiverAnswer | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      try {
        await delay(notice.retryDelayMs ?? 1000, undefined, { signal: state.shutdown.signal });
      } catch {
        break;
      }
    }
    const started = performance.now();
    const at = Date.now();
    try {
      last = await post(state, notice);
      failure = undefined;
      entry.attempts.push({
        at,
        status: last.status,
        body: cut(last.body),
        ms: Math.round(performance.now() - started),
      });
    } catch (error) {
      last = undefined;
      failure = error;
      const reason = error instanceof Error ? error.message : String(error);
      entry.attempts.push({ at, error: reason, ms: Math.round(performance.now() - started) });
    }
    const done = last !== undefined && notice.acknowledged(last);
    if (done || attempt === retries) entry.status = done ? 'acknowledged' : 'not acknowledged';
    state.journal.updated(entry);
    if (done) break;
  }
  if (entry.status === 'pending') {
    entry.status = 'not acknowledged';
    state.journal.updated(entry);
  }
  if (last) return last;
  const reason = failure instanceof Error ? failure.message : String(failure ?? 'the sandbox closed');
  throw new CallbackError('DELIVERY_FAILED', `callback to ${notice.url} failed: ${reason}`, {
    cause: failure,
  });
}
