// @wxpark/xml alone: a build/parse round trip, DOCTYPE refusal, and a real sandbox answer parsed.
// Written in the subset of JavaScript that is also strict TypeScript (see signer.mjs).
import { strict as assert } from 'node:assert';
import { createHmac, randomUUID } from 'node:crypto';
import { buildXml, parseXml, XmlError } from '@wxpark/xml';

export async function check() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/check-install.mjs, not by turbo
  const sandbox = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}');
  const record = { return_code: 'SUCCESS', note: ']]> & <tag> 停车场', amount: 100, empty: undefined };
  assert.deepEqual(parseXml(buildXml(record)), {
    return_code: 'SUCCESS',
    note: ']]> & <tag> 停车场',
    amount: '100',
  });
  assert.throws(() => parseXml('<!DOCTYPE xml [<!ENTITY a "b">]><xml><a>&a;</a></xml>'), XmlError);

  // The APIv2 sign is computed with node:crypto here, so that this project needs nothing but @wxpark/xml.
  const fields = {
    appid: sandbox.v2.appId,
    mch_id: sandbox.v2.mchId,
    nonce_str: randomUUID().replaceAll('-', ''),
    sign_type: 'HMAC-SHA256',
    version: '3.0',
    trade_scene: 'PARKING',
    scene_info: JSON.stringify({
      scene_info: {
        start_time: '20261124103000',
        plate_number: sandbox.v2.plate,
        parking_name: 'check-install',
        free_time: '1200',
      },
    }),
  };
  const signed = Object.entries(fields)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const sign = createHmac('sha256', sandbox.v2.apiKey)
    .update(`${signed}&key=${sandbox.v2.apiKey}`)
    .digest('hex')
    .toUpperCase();
  const response = await fetch(`${sandbox.url}/vehicle/pay/notification`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: buildXml({ ...fields, sign }),
  });
  const answer = parseXml(await response.text());
  assert.equal(answer.return_code, 'SUCCESS');
  assert.equal(answer.result_code, 'SUCCESS', answer.err_code_des);
  assert.equal(answer.mch_id, sandbox.v2.mchId);
  return `round trip ok; sandbox answer parsed: result_code ${answer.result_code}, user_state ${answer.user_state}`;
}

/** Never called: in the TypeScript projects, wrong calls must be compile errors (types are not `any`). */
export function typeProbes() {
  // @ts-expect-error parseXml answers flat string fields: no toFixed
  parseXml('<xml/>').amount?.toFixed(2);
  // @ts-expect-error buildXml takes flat fields, not nested objects
  buildXml({ scene_info: { a: '1' } });
}
