import type { Reply, SignatureTamper, Verdict, Why } from '../http/reply.ts';
import { newRequestId } from '../ids.ts';
import type { PlatformKeyring } from '../keys/platform-keys.ts';
import { signatureModes, wechatpayHeaders } from './signature.ts';

/** What an APIv3 endpoint decided, before it is encoded and signed. */
export interface V3Answer {
  status: number;
  /** The JSON value to send; absent for 204. */
  body?: unknown;
  /** A short summary for the request log. */
  note?: string;
  /** Why the request was refused (errors), for the inspector. */
  why?: Why;
}

/** The `detail` of a WeChat Pay APIv3 error. */
export interface V3ErrorDetail {
  /** JSON pointer into the body (`/parking_info/plate_number`), or the query/path parameter's name. */
  field?: string;
  value?: unknown;
  issue?: string;
  /** `body`, `query`, `path` or `header`. */
  location?: string;
  [key: string]: unknown;
}

/** An APIv3 error answer: `{ code, message, detail? }`. */
export function v3Error(status: number, code: string, message: string, detail?: V3ErrorDetail): V3Answer {
  return {
    status,
    body: { code, message, ...(detail === undefined ? {} : { detail }) },
    note: `${code} ${message}`,
  };
}

export function v3Ok(body: unknown, note = 'OK'): V3Answer {
  return { status: 200, body, note };
}

export function v3NoContent(note = 'OK'): V3Answer {
  return { status: 204, note };
}

/**
 * Encodes and signs an APIv3 answer. Every answer is signed, errors and 204 included (the body signed is
 * then empty), with the key the request named in `Wechatpay-Serial` if the sandbox holds it, else the key of
 * the current key mode. The hostile variants share the answer's `Request-ID`.
 */
export async function v3Reply(
  keyring: PlatformKeyring,
  answer: V3Answer,
  requestedSerial?: string,
  merchant?: string,
): Promise<Reply> {
  const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
  const key = keyring.signingKey(requestedSerial);
  const base: Record<string, string> = {
    'Request-ID': newRequestId(),
    ...(body === '' ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
  };
  const note = answer.note ?? String(answer.status);
  const build = async (spoil?: (typeof signatureModes)[number]): Promise<Reply> => ({
    status: answer.status,
    headers: { ...base, ...(await wechatpayHeaders(key, body, spoil)) },
    body,
    note,
  });
  const reply = await build();
  reply.verdict = verdictOf(answer, merchant);
  const tamper: SignatureTamper = {};
  for (const mode of signatureModes) tamper[mode] = () => build(mode);
  reply.tamper = tamper;
  return reply;
}

function verdictOf(answer: V3Answer, merchant: string | undefined): Verdict {
  const named = merchant ? { merchant } : {};
  if (answer.status < 400) return { outcome: 'accepted', ...named };
  const error = (answer.body ?? {}) as { code?: string; message?: string };
  return {
    outcome: 'refused',
    ...named,
    why: answer.why ?? {
      stage: 'business',
      name: String(error.code ?? answer.status),
      expected: 'a 2xx answer',
      received: `${answer.status} ${error.code ?? ''} ${error.message ?? ''}`.trim(),
    },
  };
}
