// Figures for one 用户入场通知 against the local sandbox over keep-alive: calls/s through the SDK, and the
// SDK's latency overhead (validate, sign, XML, verify) beside a raw fetch of a precomputed signed body.
// Run: pnpm --filter @wxpark/vehicle-v2 bench
import { createClient } from '@wxpark/core';
import { startSandboxProcess } from '@wxpark/sandbox';
import { createNonce, createV2ApiKey, signV2 } from '@wxpark/signer';
import { buildXml } from '@wxpark/xml';
import { type PayNotificationRequest, vehicleV2 } from '../src/index.ts';

// The sandbox runs in its own process: in this one it would take half the client's CPU.
const sandbox = await startSandboxProcess();
const merchant = sandbox.config.merchants.find((m) => !m.subMerchants?.length)!;
const plate = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!
  .plate_number!;
const client = createClient({ v2: { apiKey: merchant.v2ApiKey }, baseUrl: sandbox.url, backupBaseUrls: [] }, [
  vehicleV2,
]);
const request: PayNotificationRequest = {
  appid: merchant.appId,
  mch_id: merchant.mchId,
  trade_scene: 'PARKING',
  scene_info: {
    start_time: '20261124103000',
    plate_number: plate,
    parking_name: '欢乐海岸停车场',
    free_time: '1200',
  },
};
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

async function timeOne(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

for (let i = 0; i < 300; i++) {
  await sdk();
  await raw();
}
// Interleaved, so drift (GC, JIT, the sandbox's own state) falls on both sides alike.
const sdkTimes: number[] = [];
const rawTimes: number[] = [];
for (let i = 0; i < 3000; i++) {
  sdkTimes.push(await timeOne(sdk));
  rawTimes.push(await timeOne(raw));
}
sdkTimes.sort((a, b) => a - b);
rawTimes.sort((a, b) => a - b);

async function throughput(run: () => Promise<void>, concurrency: number, ms: number): Promise<number> {
  let calls = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await run();
        calls++;
      }
    }),
  );
  return calls / (ms / 1000);
}
const sequentialSdk = await throughput(sdk, 1, 3000);
const sequentialRaw = await throughput(raw, 1, 3000);
const concurrentSdk = await throughput(sdk, 16, 3000);
const concurrentRaw = await throughput(raw, 16, 3000);
await sandbox.close();

const fmt = (n: number) => n.toFixed(3).padStart(8);
console.log(
  `用户入场通知 against the sandbox on loopback, Node ${process.version}, 3000 interleaved calls each`,
);
console.log('                     p50 ms    p90 ms    p99 ms');
console.log(
  `SDK call          ${fmt(percentile(sdkTimes, 50))}  ${fmt(percentile(sdkTimes, 90))}  ${fmt(percentile(sdkTimes, 99))}`,
);
console.log(
  `raw fetch         ${fmt(percentile(rawTimes, 50))}  ${fmt(percentile(rawTimes, 90))}  ${fmt(percentile(rawTimes, 99))}`,
);
console.log(
  `SDK overhead      ${fmt(percentile(sdkTimes, 50) - percentile(rawTimes, 50))}  ${fmt(percentile(sdkTimes, 90) - percentile(rawTimes, 90))}  ${fmt(percentile(sdkTimes, 99) - percentile(rawTimes, 99))}`,
);
console.log(`calls/s, 1 in flight:   SDK ${sequentialSdk.toFixed(0)}   raw ${sequentialRaw.toFixed(0)}`);
console.log(`calls/s, 16 in flight:  SDK ${concurrentSdk.toFixed(0)}   raw ${concurrentRaw.toFixed(0)}`);
