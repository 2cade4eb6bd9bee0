import type { ServerResponse } from 'node:http';
import type { SignatureHostileMode } from '../types.ts';

/** Where a request was stopped, in the order the checks run. */
export type VerdictStage = 'body' | 'merchant' | 'signature' | 'fields' | 'forced' | 'business';

/** Exactly why a request was refused: which header or field, what was expected and what arrived. */
export interface Why {
  stage: VerdictStage;
  /** The header or field: `Authorization`, `Authorization serial_no`, `sign`, `scene_info.plate_number`, `/plate_color`. */
  name: string;
  expected: string;
  /** What arrived, described without secrets (a signature is never shown). */
  received: string;
}

/** What the sandbox made of a request, for the inspector. */
export interface Verdict {
  /** `accepted`: verified and processed with success; `refused`: stopped by a check or a business rule. */
  outcome: 'accepted' | 'refused';
  /** The merchant the request named (`mch_id`, or `mchid` in `Authorization`), verified or not. */
  merchant?: string;
  why?: Why;
}

/** An answer a route produced, not yet written: hostile modes may still spoil it. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A short summary for the request log, e.g. `FAIL PARAM_ERROR scene_info.plate_number 缺失`. */
  note?: string;
  /** Present on signed answers: the same answer with its signature spoiled in each hostile way. */
  tamper?: SignatureTamper;
  /** What the sandbox made of the request (API routes). */
  verdict?: Verdict;
  /** A streamed answer (Server-Sent Events): the head is written, then the response is handed over. */
  stream?: (response: ServerResponse) => void;
}

/**
 * Variants of a signed answer, one per signature hostile mode the protocol that signed it can produce (v2 XML
 * `sign`: bad-sign, no-sign, wrong-key-sign; v3 headers: all of them). A mode without a variant leaves the
 * answer as it is.
 */
export type SignatureTamper = Partial<Record<SignatureHostileMode, () => Reply | Promise<Reply>>>;

export function textReply(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

export function jsonReply(status: number, value: unknown): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  };
}

export function noContentReply(): Reply {
  return { status: 204, headers: {}, body: '' };
}
