// @wxpark/parking-v3 with @wxpark/core: a real APIv3 同步车辆入场通知 against the sandbox, then bad data
// refused with a ValidationError before any I/O.
// Written in the subset of JavaScript that is also strict TypeScript (see signer.mjs).
import { strict as assert } from 'node:assert';
import { createClient, ValidationError } from '@wxpark/core';
import { parkingV3 } from '@wxpark/parking-v3';

export async function check() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/check-install.mjs, not by turbo
  const sandbox = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}');
  const v3 = sandbox.v3.parking;
  let requests = 0;
  const client = createClient(
    {
      mchId: v3.mchId,
      v3: {
        serialNo: v3.serialNo,
        privateKey: v3.privateKey,
        apiV3Key: v3.apiV3Key,
        publicKey: { id: v3.publicKeyId, key: v3.publicKey },
      },
      baseUrl: sandbox.url,
      backupBaseUrls: [],
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    },
    [parkingV3],
  );
  // Fields with literal types are written at each call, where TypeScript checks them against the route.
  const stay = {
    out_serial_number: `check-install-${Date.now()}`,
    parking_id: v3.parkingId,
    plate_number: v3.plate,
    enter_timestamp: Math.floor(Date.now() / 1000),
  };
  const result = await client.v3.parking.reminders.entry({
    ...stay,
    plate_color: 'PLATE_COLOR_BLUE',
    car_type: 'PLATE_TYPE_TEMPORARY',
    vehicle_type: 'VEHICLE_TYPE_SMALL',
  });
  assert.match(result.data.serial_number, /^\w+$/, 'a serial_number from a verified answer');
  const refused = await client.v3.parking.reminders
    .entry({
      ...stay,
      car_type: 'PLATE_TYPE_TEMPORARY',
      vehicle_type: 'VEHICLE_TYPE_SMALL',
      // @ts-expect-error PLATE_COLOR_PURPLE is not a plate_color
      plate_color: 'PLATE_COLOR_PURPLE',
    })
    .then(
      () => undefined,
      (error) => error,
    );
  assert.ok(refused instanceof ValidationError, 'bad data is a ValidationError');
  assert.ok(
    refused.issues.some((issue) => issue.path === 'plate_color'),
    'the issue names plate_color',
  );
  assert.equal(requests, 1, 'the bad call sent nothing');
  return `real v3 call: 同步车辆入场通知 answered HTTP ${result.status}, serial_number ${result.data.serial_number}; bad plate_color refused before I/O`;
}

/** Never called: in the TypeScript projects, wrong calls must be compile errors (types are not `any`). */
export function typeProbes() {
  const client = createClient({ mchId: '1', v3: { serialNo: 'AB', privateKey: 'pem', apiV3Key: 'k' } }, [
    parkingV3,
  ]);
  client.v3.parking.reminders.entry({
    out_serial_number: 'a',
    parking_id: 'b',
    plate_number: 'c',
    // @ts-expect-error enter_timestamp is Unix seconds, a number
    enter_timestamp: 'now',
    plate_color: 'PLATE_COLOR_BLUE',
    car_type: 'PLATE_TYPE_TEMPORARY',
    vehicle_type: 'VEHICLE_TYPE_SMALL',
  });
}
