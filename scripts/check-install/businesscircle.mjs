// @wxpark/businesscircle with @wxpark/core: a real APIv3 商圈会员停车状态同步 when the sandbox speaks APIv3
// (`sandbox.config.platform` exists), otherwise bad data refused with a ValidationError before any I/O.
// Written in the subset of JavaScript that is also strict TypeScript (see signer.mjs).
import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { businesscircle } from '@wxpark/businesscircle';
import { ApiError, createClient, ValidationError } from '@wxpark/core';

export async function check() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/check-install.mjs, not by turbo
  const sandbox = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}');
  const v3 = sandbox.v3?.mall;
  const member = {
    brandid: v3?.brandId ?? 1001,
    appid: v3?.appId ?? sandbox.v2.appId,
    openid: v3?.openid ?? 'oCheckInstall0000000000000000',
    plate_number: v3?.plate ?? sandbox.v2.plate,
    time: new Date(),
  };

  let reason = 'no APIv3 sandbox';
  if (v3) {
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
      },
      [businesscircle],
    );
    try {
      const result = await client.v3.businesscircle.parkings({ ...member, state: 'IN' });
      return `real v3 call: 商圈会员停车状态同步 answered HTTP ${result.status}`;
    } catch (error) {
      // A business refusal the client verified still proves the install: signed request, verified answer.
      if (error instanceof ApiError && error.signatureVerified && !/SIGN/.test(error.code)) {
        return `real v3 call: 商圈会员停车状态同步 answered HTTP ${error.status} ${error.code} (answer verified)`;
      }
      // An unsigned 404 is the sandbox not serving this path yet (WeChat Pay signs its answers).
      if (!(error instanceof ApiError && error.status === 404 && !error.signatureVerified)) throw error;
      reason = `the sandbox does not serve ${error.path} yet`;
    }
  }

  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  let requests = 0;
  const client = createClient(
    {
      mchId: '1900000001',
      v3: {
        serialNo: 'ABCDEF0123456789',
        privateKey: keys.privateKey,
        publicKey: { id: 'PUB_KEY_ID_0', key: keys.publicKey },
      },
      backupBaseUrls: [],
      fetch: async () => {
        requests++;
        throw new Error('no request may be sent for bad data');
      },
    },
    [businesscircle],
  );
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
  assert.equal(requests, 0, 'nothing was sent');
  return `fallback (${reason}): ValidationError on state before any I/O`;
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
