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

/** Variants of a signed answer, built by the protocol that signed it (v2 XML `sign`, later v3 headers). */
export interface SignatureTamper {
  /** One character of the signature changed. */
  badSign(): Reply;
  /** The signature left out. */
  noSign(): Reply;
  /** Signed correctly, but with a key nobody else has. */
  wrongKeySign(): Reply;
}

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
