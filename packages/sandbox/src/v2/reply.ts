import { createV2ApiKey, signV2, type V2ApiKey } from '@wxpark/signer';
import { buildXml } from '@wxpark/xml';
import type { Reply } from '../http/reply.ts';
import { randomV2ApiKey } from '../ids.ts';

/** The APIv2 signature algorithms. */
export type V2SignType = 'MD5' | 'HMAC-SHA256';

/** APIv2 fields before encoding; undefined values are left out. */
export type V2Fields = Record<string, string | undefined>;

// WeChat answers every APIv2 call with HTTP 200, whatever the outcome: the XML says what happened.
function xmlReply(fields: Record<string, string>, note: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: buildXml(fields),
    note,
  };
}

function compact(fields: V2Fields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

function noteOf(fields: Record<string, string>): string {
  if (fields.return_code !== 'SUCCESS') return `return FAIL ${fields.return_msg ?? ''}`.trim();
  if (fields.result_code === 'SUCCESS') return 'SUCCESS';
  return ['FAIL', fields.err_code, fields.err_code_des].filter(Boolean).join(' ');
}

/** Changes one hex digit, so the sign keeps its shape but no longer matches. */
function flipSign(sign: string): string {
  return (sign.startsWith('0') ? '1' : '0') + sign.slice(1);
}

/** A communication failure: `return_code` FAIL, never signed (WeChat could not trust the request enough). */
export function v2ReturnFail(return_msg: string): Reply {
  const fields = { return_code: 'FAIL', return_msg };
  return xmlReply(fields, noteOf(fields));
}

/** An answer WeChat does not sign (SIGNERROR: the two sides could not agree on a key). */
export function v2Unsigned(fields: V2Fields): Reply {
  const clean = compact(fields);
  return xmlReply(clean, noteOf(clean));
}

/**
 * A signed answer. `sign_type` is not echoed (WeChat does not): the client verifies with the type it sent.
 * The hostile variants are prepared here because only the signer of an answer knows how to spoil it.
 */
export function v2Signed(fields: V2Fields, key: V2ApiKey, signType: V2SignType): Reply {
  const clean = compact(fields);
  const note = noteOf(clean);
  const sign = signV2(clean, key, signType);
  return {
    ...xmlReply({ ...clean, sign }, note),
    tamper: {
      'bad-sign': () => xmlReply({ ...clean, sign: flipSign(sign) }, note),
      'no-sign': () => xmlReply(clean, note),
      'wrong-key-sign': () =>
        xmlReply({ ...clean, sign: signV2(clean, createV2ApiKey(randomV2ApiKey()), signType) }, note),
    },
  };
}
