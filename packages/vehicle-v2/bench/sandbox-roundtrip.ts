// Figures for one 用户入场通知 against the local sandbox over keep-alive: calls/s through the SDK, and the
// SDK's latency overhead (validate, sign, XML, verify) beside a raw fetch of a precomputed signed body.
// Run: pnpm --filter @wxpark/vehicle-v2 bench
import { startSandboxProcess } from '@wxpark/sandbox';
import { createNonce, createV2ApiKey, signV2 } from '@wxpark/signer';
import { clientFor } from '@wxpark/test-utils/client';
import { merchantsOf } from '@wxpark/test-utils/merchants';
import { buildXml } from '@wxpark/xml';
import { compareRoundTrips } from '../../../scripts/lib/roundtrip-bench.ts';
import { vehicleV2 } from '../src/index.ts';
import { parkingEntry } from '../test/entries.ts';

// The sandbox runs in its own process: in this one it would take half the client's CPU.
const sandbox = await startSandboxProcess();
const merchant = merchantsOf(sandbox).direct;
const plate = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!
  .plate_number!;
const client = clientFor(sandbox, [vehicleV2]);
const request = parkingEntry(merchant, plate);
const fields: Record<string, string> = {
  appid: merchant.appId,
  mch_id: merchant.mchId,
  nonce_str: createNonce(32),
  sign_type: 'HMAC-SHA256',
  version: '3.0',
  trade_scene: 'PARKING',
  scene_info: JSON.stringify({ scene_info: request.scene_info }),
};
const rawBody = buildXml({
  ...fields,
  sign: signV2(fields, createV2ApiKey(merchant.v2ApiKey), 'HMAC-SHA256'),
});
const rawUrl = `${sandbox.url}/vehicle/pay/notification`;

const sdk = async () => {
  await client.v2.vehicle.pay.notification(request);
};
const raw = async () => {
  const answer = await fetch(rawUrl, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: rawBody,
  });
  await answer.text();
};

await compareRoundTrips('用户入场通知 against the sandbox on loopback', sdk, raw, 3000);
await sandbox.close();
