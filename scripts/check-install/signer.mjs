// @wxpark/signer alone: sign an APIv2 用户入场通知 by hand, let the sandbox check the sign, verify its answer.
// Written in the subset of JavaScript that is also strict TypeScript: scripts/check-install.mjs runs it as
// ESM and (rewritten) as CommonJS, and type-checks it with tsc.
import { strict as assert } from 'node:assert';
import { createNonce, createV2ApiKey, signV2, verifyV2 } from '@wxpark/signer';

export async function check() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/check-install.mjs, not by turbo
  const sandbox = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}');
  const key = createV2ApiKey(sandbox.v2.apiKey);
  const fields = {
    appid: sandbox.v2.appId,
    mch_id: sandbox.v2.mchId,
    nonce_str: createNonce(32),
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
  const sign = signV2(fields, key, 'HMAC-SHA256');
  assert.ok(verifyV2({ ...fields, sign }, key, 'HMAC-SHA256'), 'verifyV2 accepts its own sign');
  assert.ok(
    !verifyV2({ ...fields, sign, free_time: '0' }, key, 'HMAC-SHA256'),
    'verifyV2 refuses a changed field',
  );

  const cdata = Object.entries({ ...fields, sign }).map(
    ([name, value]) => `<${name}><![CDATA[${value}]]></${name}>`,
  );
  const response = await fetch(`${sandbox.url}/vehicle/pay/notification`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: `<xml>${cdata.join('')}</xml>`,
  });
  const text = await response.text();
  const answer = Object.fromEntries(
    [...text.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)].map((m) => [
      m[1],
      m[2] ?? m[3],
    ]),
  );
  assert.equal(answer.result_code, 'SUCCESS', `the sandbox accepted the sign: ${text}`);
  assert.ok(verifyV2(answer, key, 'HMAC-SHA256'), 'the sandbox answer verifies');
  return `v2 用户入场通知 signed with signV2 and sent with fetch: user_state ${answer.user_state}, answer verified`;
}

/** Never called: in the TypeScript projects, wrong calls must be compile errors (types are not `any`). */
export function typeProbes() {
  // @ts-expect-error signV2 takes a V2ApiKey made by createV2ApiKey, not a string
  signV2({ a: '1' }, 'k'.repeat(32), 'HMAC-SHA256');
  // @ts-expect-error SHA1 is not an APIv2 sign type
  signV2({ a: '1' }, createV2ApiKey('k'.repeat(32)), 'SHA1');
}
