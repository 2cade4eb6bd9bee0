import type { SignatureHostileMode } from '../types.ts';

/** An answer a route produced, not yet written: hostile modes may still spoil it. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A short summary for the request log, e.g. `FAIL PARAM_ERROR scene_info.plate_number 缺失`. */
  note?: string;
  /** Present on signed answers: the same answer with its signature spoiled in each hostile way. */
  tamper?: SignatureTamper;
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
