import { setTimeout as delay } from 'node:timers/promises';
import { CallbackError } from '../errors.ts';
import type { InspectedNotice } from '../inspector/journal.ts';
import { cut, maskHeaders, showBody } from '../inspector/redact.ts';
import type { SandboxState } from '../state.ts';

/** How long a merchant gets to answer a callback. */
export const callbackTimeoutMs = 10_000;

/**
 * How much of a receiver's reply is read. WeChat looks only at the status and a short acknowledgement (the
 * 停车费查询 reply, the largest, is well under 1 KiB); a receiver that streams without end must not grow the
 * sandbox's memory or hold a delivery until its timeout.
 */
export const maxReplyBytes = 64 * 1024;

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
  return { status: response.status, body: await readReplyCapped(response, maxReplyBytes) };
}

/**
 * The reply's text up to `limit` bytes; past it the stream is cancelled (the socket closes) and the text ends
 * with a marker saying where it was cut.
 */
async function readReplyCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - size;
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room));
        await reader.cancel();
        return `${Buffer.concat(chunks).toString('utf8')}…[reply cut at ${limit} bytes]`;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString('utf8');
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
