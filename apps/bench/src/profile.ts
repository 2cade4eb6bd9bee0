// A wxpark-only loop for CPU profiles: the sandbox in its own process, one scenario, N calls at a given
// concurrency. After a warm-up, the loop alone is profiled (node:inspector): it prints CPU per call and where
// it goes, by layer in µs per call, and writes the profile (PROFILE_OUT, default
// /tmp/wxpark-<scenario>.cpuprofile) for `node src/profile-summary.ts <file>` or a profile viewer.
// Usage: node src/profile.ts [v3-204|v3-200|v2] [calls] [inFlight] [node|fetch|floor]
// (`fetch`: wxpark on the global fetch; `floor`: the raw node:crypto + node:http floor of apps/bench/src/floors.ts
// for the APIv3 scenarios, to set wxpark's layers beside the same calls without it.)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { businesscircle } from '@wxpark/businesscircle';
import { createClient } from '@wxpark/core';
import { startSandboxProcess } from '@wxpark/sandbox';
import { vehicleV2 } from '@wxpark/vehicle-v2';
import { createHttpSend, loadV3Keys, v3Floor } from './floors.ts';
import { type CpuProfile, summarize } from './profile-summary.ts';
import { benchWorkload } from './workload.ts';

const [scenario = 'v3-204', callsArg = '5000', inFlightArg = '1', transport = 'node'] = process.argv.slice(2);
const sandbox = await startSandboxProcess();
const { merchant, v3, publicKeyId, publicKey, brand, openid, parking, sceneInfo } = benchWorkload(sandbox);
const client = createClient(
  {
    mchId: merchant.mchId,
    v3: { serialNo: v3.serialNo, privateKey: v3.privateKey, publicKey: { id: publicKeyId, key: publicKey } },
    v2: { apiKey: merchant.v2ApiKey },
    baseUrl: sandbox.url,
    backupBaseUrls: [],
    ...(transport === 'fetch' ? { fetch: globalThis.fetch } : {}),
  },
  [businesscircle, vehicleV2],
);
const calls: Record<string, () => Promise<unknown>> = {
  'v3-204': () => client.v3.businesscircle.parkings(parking),
  'v3-200': () => client['v3/businesscircle/user-authorizations/{openid}']({ openid, appid: brand.appId }),
  v2: () =>
    client.v2.vehicle.pay.notification({
      appid: merchant.appId,
      mch_id: merchant.mchId,
      trade_scene: 'PARKING',
      scene_info: sceneInfo,
    }),
};
const keys = loadV3Keys({ ...v3, mchId: merchant.mchId, publicKeyId, publicKey });
const http = createHttpSend();
const parkingBody = JSON.stringify({
  brandid: brand.brandId,
  appid: brand.appId,
  openid,
  plate_number: '粤B888888',
  state: 'IN',
  time: '2026-11-24T10:30:00+08:00',
});
const floors: Record<string, () => Promise<unknown>> = {
  'v3-204': v3Floor(http, keys, sandbox.url, {
    method: 'POST',
    url: '/v3/businesscircle/parkings',
    body: parkingBody,
    status: 204,
  }),
  'v3-200': v3Floor(http, keys, sandbox.url, {
    method: 'GET',
    url: `/v3/businesscircle/user-authorizations/${openid}?appid=${brand.appId}`,
    status: 200,
  }),
};
const call = (transport === 'floor' ? floors : calls)[scenario]!;
async function loop(n: number): Promise<void> {
  let left = n;
  await Promise.all(
    Array.from({ length: Number(inFlightArg) }, async () => {
      while (left-- > 0) await call();
    }),
  );
}
await loop(Math.min(500, Number(callsArg)));
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
const start = performance.now();
const before = process.cpuUsage();
await loop(Number(callsArg));
const cpu = process.cpuUsage(before);
const elapsed = performance.now() - start;
const { profile } = await session.post('Profiler.stop');
session.disconnect();
const cpuPerCall = (cpu.user + cpu.system) / Number(callsArg);
const out =
  process.env.PROFILE_OUT ??
  `/tmp/wxpark-${scenario}${transport === 'node' ? '' : `-${transport}`}.cpuprofile`;
writeFileSync(out, JSON.stringify(profile));
console.log(
  `${scenario}: ${callsArg} calls, ${inFlightArg} in flight, ${(elapsed / Number(callsArg)).toFixed(3)} ms/call, ` +
    `${cpuPerCall.toFixed(0)} µs CPU/call (profiler on); profile in ${out}\n`,
);
console.log(summarize(profile as CpuProfile, { top: 30, cpuPerCall }));
await sandbox.close();
