// @wxpark/vehicle-v2 with @wxpark/core: a real APIv2 用户入场通知 against the sandbox, and bad data refused
// before any I/O. Written in the subset of JavaScript that is also strict TypeScript (see signer.mjs).
import { strict as assert } from 'node:assert';
import { createClient, ValidationError } from '@wxpark/core';
import { vehicleV2 } from '@wxpark/vehicle-v2';

export async function check() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/check-install.mjs, not by turbo
  const sandbox = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}');
  const client = createClient(
    { v2: { apiKey: sandbox.v2.apiKey }, baseUrl: sandbox.url, backupBaseUrls: [] },
    [vehicleV2],
  );
  const result = await client.v2.vehicle.pay.notification({
    appid: sandbox.v2.appId,
    mch_id: sandbox.v2.mchId,
    trade_scene: 'PARKING',
    scene_info: {
      start_time: new Date(),
      plate_number: sandbox.v2.plate,
      parking_name: '欢乐海岸停车场',
      free_time: '1200',
    },
  });
  assert.equal(result.data.result_code, 'SUCCESS');
  assert.equal(result.data.user_state, 'NORMAL');

  const refused = await client.v2.vehicle.pay
    .notification({
      appid: sandbox.v2.appId,
      mch_id: sandbox.v2.mchId,
      // @ts-expect-error GARAGE is not a trade_scene
      trade_scene: 'GARAGE',
      scene_info: {
        start_time: new Date(),
        plate_number: sandbox.v2.plate,
        parking_name: 'P',
        free_time: '0',
      },
    })
    .then(
      () => undefined,
      (error) => error,
    );
  assert.ok(refused instanceof ValidationError, 'bad data is a ValidationError');
  return `v2 用户入场通知: user_state ${result.data.user_state}, verified; ValidationError before I/O`;
}

/** Never called: in the TypeScript projects, wrong calls must be compile errors (types are not `any`). */
export function typeProbes() {
  const client = createClient({ v2: { apiKey: 'k'.repeat(32) } }, [vehicleV2]);
  // @ts-expect-error no such route
  client.v2.vehicle.pay.nothing({});
  // @ts-expect-error scene_info is required
  client.v2.vehicle.pay.notification({ appid: 'a', mch_id: '1', trade_scene: 'PARKING' });
}
