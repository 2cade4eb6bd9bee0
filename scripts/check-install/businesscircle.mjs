// @wxpark/businesscircle with @wxpark/core: a real APIv3 商圈会员停车状态同步 against the sandbox, then bad
// data refused with a ValidationError before any I/O.
// Written in the subset of JavaScript that is also strict TypeScript (see signer.mjs).
import { strict as assert } from 'node:assert';
import { businesscircle } from '@wxpark/businesscircle';
import { createClient, ValidationError } from '@wxpark/core';

export async function check() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/check-install.mjs, not by turbo
  const sandbox = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}');
  const v3 = sandbox.v3.mall;
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
    [businesscircle],
  );
  const member = {
    brandid: v3.brandId,
    appid: v3.appId,
    openid: v3.openid,
    plate_number: v3.plate,
    time: new Date(),
  };
  const result = await client.v3.businesscircle.parkings({ ...member, state: 'IN' });
  assert.equal(result.status, 204, 'the 204 of a verified answer');
  const refused = await client.v3.businesscircle
    .parkings({
      ...member,
      // @ts-expect-error PARKED is not a state (IN or OUT)
      state: 'PARKED',
    })
    .then(
      () => undefined,
      (error) => error,
    );
  assert.ok(refused instanceof ValidationError, 'bad data is a ValidationError');
  assert.ok(
    refused.issues.some((issue) => issue.path === 'state'),
    'the issue names state',
  );
  assert.equal(requests, 1, 'the bad call sent nothing');
  return `real v3 call: 商圈会员停车状态同步 answered HTTP ${result.status}; bad state refused before I/O`;
}

/** Never called: in the TypeScript projects, wrong calls must be compile errors (types are not `any`). */
export function typeProbes() {
  const client = createClient({ mchId: '1', v3: { serialNo: 'AB', privateKey: 'pem', apiV3Key: 'k' } }, [
    businesscircle,
  ]);
  client.v3.businesscircle.parkings({
    // @ts-expect-error brandid is a number
    brandid: '1001',
    appid: 'wx',
    openid: 'o',
    plate_number: '粤B888888',
    state: 'IN',
    time: new Date(),
  });
}
