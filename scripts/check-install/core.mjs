// @wxpark/core alone (with @wxpark/signer and ky): a route declared through core's public definePackage /
// defineRoute, with an inline XML codec, sent to the sandbox; bad data is refused before any I/O.
// Written in the subset of JavaScript that is also strict TypeScript (see signer.mjs).
import { strict as assert } from 'node:assert';
import {
  anyObject,
  apiV2,
  createClient,
  definePackage,
  defineRoute,
  object,
  string,
  ValidationError,
} from '@wxpark/core';

const field = /<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;

const probe = definePackage({
  name: 'check-install-probe',
  v2: apiV2({
    build: (record) =>
      `<xml>${Object.entries(record)
        .map(([name, value]) => `<${name}><![CDATA[${value}]]></${name}>`)
        .join('')}</xml>`,
    parse: (body) => Object.fromEntries([...body.matchAll(field)].map((m) => [m[1], m[2] ?? m[3]])),
  }),
  routes: {
    'v2/vehicle/pay/notification': defineRoute({
      protocol: 'v2',
      method: 'POST',
      path: '/vehicle/pay/notification',
      title: '用户入场通知',
      request: object({
        appid: string(),
        mch_id: string({ pattern: /^\d+$/, patternName: 'digits' }),
        sign_type: string(),
        version: string(),
        trade_scene: string(),
        scene_info: string(),
      }),
      response: anyObject(),
    }),
  },
});

export async function check() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/check-install.mjs, not by turbo
  const sandbox = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}');
  const client = createClient(
    { v2: { apiKey: sandbox.v2.apiKey }, baseUrl: sandbox.url, backupBaseUrls: [] },
    [probe],
  );
  const data = {
    appid: sandbox.v2.appId,
    mch_id: sandbox.v2.mchId,
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
  const result = await client.v2.vehicle.pay.notification(data);
  assert.equal(result.status, 200);
  assert.match(JSON.stringify(result.data), /"result_code":"SUCCESS"/);

  const refused = await client.v2.vehicle.pay.notification({ ...data, mch_id: 'not-digits' }).then(
    () => undefined,
    (error) => error,
  );
  assert.ok(refused instanceof ValidationError, 'bad data is a ValidationError');
  assert.deepEqual(
    refused.issues.map((issue) => issue.path),
    ['mch_id'],
  );
  return `v2 call through a definePackage route: HTTP ${result.status}, verified; ValidationError before I/O`;
}

/** Never called: in the TypeScript projects, wrong calls must be compile errors (types are not `any`). */
export function typeProbes() {
  // @ts-expect-error createClient takes an options object
  createClient('https://api.mch.weixin.qq.com', [probe]);
  const client = createClient({ v2: { apiKey: 'k'.repeat(32) } }, [probe]);
  // @ts-expect-error the route declares no such field
  client.v2.vehicle.pay.notification({ appid: 'a', mch_id: '1', nope: 1 });
}
