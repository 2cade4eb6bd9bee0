// wxpark beside the floors (node:crypto + node:http keep-alive, node:crypto + fetch) and beside
// wechatpay-axios-plugin, against the sandbox running in a process of its own: the 204 and 200 APIv3 answers
// and the APIv2 用户入场通知, 1 and 8 calls in flight, interleaved rounds. Then client CPU per call, import
// time and bundle sizes, and last the goals of issue 14 as ratios.
//
// Run: pnpm bench:e2e (builds the packages first; wxpark runs from its dist, as users get it).
// Settings: BENCH_ROUNDS (7), BENCH_MS per contender and round (1000), BENCH_ONLY=v3-204,v2 to pick scenarios,
// BENCH_BASELINE=<dir> to add another build of wxpark (its node_modules/@wxpark/*) as "wxpark (baseline)".
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { businesscircle } from '@wxpark/businesscircle';
import { createClient } from '@wxpark/core';
import { startSandboxProcess } from '@wxpark/sandbox';
import { vehicleV2 } from '@wxpark/vehicle-v2';
import { Wechatpay } from 'wechatpay-axios-plugin';
import {
  createFetchSend,
  createHttpSend,
  loadV3Keys,
  v2Floor,
  v3Authorization,
  v3Floor,
  verifyV3Answer,
} from './floors.ts';
import { type Contender, cpuPerCall, interleave, type Spread, spread } from './measure.ts';
import { benchWorkload } from './workload.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const ms = Number(process.env.BENCH_MS ?? 1000);
const only = process.env.BENCH_ONLY?.split(',');
const root = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);
const baselineDir = process.env.BENCH_BASELINE;

const sandbox = await startSandboxProcess();
const { merchant, v3, publicKeyId, publicKey, brand, openid, parking, sceneInfo } = benchWorkload(sandbox);
// The same wire data for every contender.
const parkingBody = JSON.stringify(parking);
const authQuery = { openid, appid: brand.appId };
const authUrl = `/v3/businesscircle/user-authorizations/${openid}?appid=${brand.appId}`;
const v2Fields = {
  appid: merchant.appId,
  mch_id: merchant.mchId,
  sign_type: 'HMAC-SHA256',
  version: '3.0',
  trade_scene: 'PARKING',
  scene_info: JSON.stringify({ scene_info: sceneInfo }),
};

// wxpark, as a user writes it.
const wxparkOptions = {
  mchId: merchant.mchId,
  v3: {
    serialNo: v3.serialNo,
    privateKey: v3.privateKey,
    apiV3Key: v3.apiV3Key,
    publicKey: { id: publicKeyId, key: publicKey },
  },
  v2: { apiKey: merchant.v2ApiKey },
  baseUrl: sandbox.url,
  backupBaseUrls: [],
};
const wxpark = createClient(wxparkOptions, [businesscircle, vehicleV2]);
// The same client on Node's global fetch, when the installed core can choose (see the `fetch` option).
const wxparkOnFetch = createClient({ ...wxparkOptions, fetch: globalThis.fetch }, [
  businesscircle,
  vehicleV2,
]);
// Another build of wxpark beside this one, in the same interleaved rounds: a before/after comparison that the
// drift of a shared machine cannot fake. BENCH_BASELINE names a directory whose node_modules holds
// @wxpark/core, @wxpark/businesscircle and @wxpark/vehicle-v2 (with their dist).
async function loadBaseline(dir: string) {
  const resolve = createRequire(`${dir}/`).resolve;
  const load = async (name: string) => import(pathToFileURL(resolve(name)).href);
  const core = (await load('@wxpark/core')) as typeof import('@wxpark/core');
  const bc = (await load('@wxpark/businesscircle')) as typeof import('@wxpark/businesscircle');
  const v2 = (await load('@wxpark/vehicle-v2')) as typeof import('@wxpark/vehicle-v2');
  return core.createClient(wxparkOptions, [bc.businesscircle, v2.vehicleV2]);
}
const baseline = baselineDir ? await loadBaseline(baselineDir) : undefined;
const baselineContender = (call: (client: typeof wxpark) => Promise<unknown>): Contender[] =>
  baseline ? [{ name: 'wxpark (baseline)', call: () => call(baseline) }] : [];

// wechatpay-axios-plugin, as its README sets it up (public-key mode, APIv2 secret). Its chain is built
// from property names at run time; this is the slice of it used here.
interface AxiosAnswer {
  status: number;
  data: Record<string, string>;
}
type Chain = { readonly [segment: string]: Chain } & {
  get(config: object): Promise<AxiosAnswer>;
  post(data: object): Promise<AxiosAnswer>;
};
const axiosPlugin = new Wechatpay({
  mchid: merchant.mchId,
  serial: v3.serialNo,
  privateKey: v3.privateKey,
  certs: { [publicKeyId]: publicKey },
  secret: merchant.v2ApiKey,
  baseURL: `${sandbox.url}/`,
  headers: { 'Wechatpay-Serial': publicKeyId },
}) as unknown as Chain;
const axiosEndpoint = (...segments: string[]) =>
  segments.reduce((node, segment) => node[segment]!, axiosPlugin);
const axiosParkings = axiosEndpoint('v3', 'businesscircle', 'parkings');
const axiosAuthorization = axiosEndpoint('v3', 'businesscircle', 'user-authorizations', '$openid$');
const axiosNotification = axiosEndpoint('v2', 'vehicle', 'pay', 'notification');

const keys = loadV3Keys({ ...v3, mchId: merchant.mchId, publicKeyId, publicKey });
const http = createHttpSend();
const viaFetch = createFetchSend();
const parkingCall = {
  method: 'POST' as const,
  url: '/v3/businesscircle/parkings',
  body: parkingBody,
  status: 204,
};
const authCall = { method: 'GET' as const, url: authUrl, status: 200 };
const v2Url = `${sandbox.url}/vehicle/pay/notification`;

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`a contender got a wrong answer: ${what}`);
}

const scenarios: { id: string; title: string; contenders: Contender[] }[] = [
  {
    id: 'v3-204',
    title: 'APIv3 POST /v3/businesscircle/parkings (204)',
    contenders: [
      { name: 'floor: node:http', call: v3Floor(http, keys, sandbox.url, parkingCall) },
      { name: 'floor: fetch', call: v3Floor(viaFetch, keys, sandbox.url, parkingCall) },
      {
        name: 'wechatpay-axios-plugin',
        call: async () => {
          const answer = await axiosParkings.post(parking);
          expect(answer.status === 204, `axios plugin ${answer.status}`);
        },
      },
      {
        name: 'wxpark',
        call: async () => {
          const answer = await wxpark.v3.businesscircle.parkings(parking);
          expect(answer.status === 204, `wxpark ${answer.status}`);
        },
      },
      ...baselineContender(async (client) => {
        const answer = await client.v3.businesscircle.parkings(parking);
        expect(answer.status === 204, `baseline ${answer.status}`);
      }),
      {
        name: 'wxpark on global fetch',
        call: async () => {
          await wxparkOnFetch.v3.businesscircle.parkings(parking);
        },
      },
    ],
  },
  {
    id: 'v3-200',
    title: 'APIv3 GET /v3/businesscircle/user-authorizations/{openid} (200, JSON)',
    contenders: [
      { name: 'floor: node:http', call: v3Floor(http, keys, sandbox.url, authCall) },
      { name: 'floor: fetch', call: v3Floor(viaFetch, keys, sandbox.url, authCall) },
      {
        name: 'wechatpay-axios-plugin',
        call: async () => {
          const answer = await axiosAuthorization.get({
            openid,
            params: { appid: brand.appId },
          });
          expect(answer.data.authorize_state === 'AUTHORIZED', 'axios plugin authorize_state');
        },
      },
      {
        name: 'wxpark',
        call: async () => {
          const answer = await wxpark['v3/businesscircle/user-authorizations/{openid}'](authQuery);
          expect(answer.data.authorize_state === 'AUTHORIZED', 'wxpark authorize_state');
        },
      },
      ...baselineContender(async (client) => {
        const answer = await client['v3/businesscircle/user-authorizations/{openid}'](authQuery);
        expect(answer.data.authorize_state === 'AUTHORIZED', 'baseline authorize_state');
      }),
      {
        name: 'wxpark on global fetch',
        call: async () => {
          await wxparkOnFetch['v3/businesscircle/user-authorizations/{openid}'](authQuery);
        },
      },
    ],
  },
  {
    id: 'v2',
    title: 'APIv2 POST /vehicle/pay/notification (用户入场通知, HMAC-SHA256)',
    contenders: [
      { name: 'floor: node:http', call: v2Floor(http, merchant.v2ApiKey, v2Url, v2Fields) },
      { name: 'floor: fetch', call: v2Floor(viaFetch, merchant.v2ApiKey, v2Url, v2Fields) },
      {
        name: 'wechatpay-axios-plugin',
        call: async () => {
          const answer = await axiosNotification.post(v2Fields);
          expect(answer.data.result_code === 'SUCCESS', 'axios plugin result_code');
        },
      },
      {
        name: 'wxpark',
        call: async () => {
          const answer = await wxpark.v2.vehicle.pay.notification({
            appid: merchant.appId,
            mch_id: merchant.mchId,
            trade_scene: 'PARKING',
            scene_info: sceneInfo,
          });
          expect(answer.data.result_code === 'SUCCESS', 'wxpark result_code');
        },
      },
      ...baselineContender(async (client) => {
        const answer = await client.v2.vehicle.pay.notification({
          appid: merchant.appId,
          mch_id: merchant.mchId,
          trade_scene: 'PARKING',
          scene_info: sceneInfo,
        });
        expect(answer.data.result_code === 'SUCCESS', 'baseline result_code');
      }),
      {
        name: 'wxpark on global fetch',
        call: async () => {
          await wxparkOnFetch.v2.vehicle.pay.notification({
            appid: merchant.appId,
            mch_id: merchant.mchId,
            trade_scene: 'PARKING',
            scene_info: sceneInfo,
          });
        },
      },
    ],
  },
];

const results = new Map<string, Spread>();
const fmt = (n: number) => n.toFixed(0).padStart(7);
console.log(
  `wxpark end-to-end bench: Node ${process.version}, ${rounds} interleaved rounds of ${ms} ms per contender; ` +
    `the sandbox in its own process on ${sandbox.url}`,
);
console.log(`load before: ${loadLine()}`);
for (const scenario of scenarios) {
  if (only && !only.includes(scenario.id)) continue;
  // Every contender must succeed once before it is timed.
  for (const { call } of scenario.contenders) await call();
  for (const inFlight of [1, 8]) {
    const rates = await interleave(scenario.contenders, { inFlight, rounds, ms, warmup: Math.min(ms, 500) });
    console.log(`\n${scenario.title}, ${inFlight} in flight: calls/s   median     min     max`);
    for (const [name, s] of rates) {
      results.set(`${scenario.id}@${inFlight}:${name}`, s);
      console.log(`  ${name.padEnd(34)}${fmt(s.median)} ${fmt(s.min)} ${fmt(s.max)}`);
    }
  }
}

// Client CPU per APIv3 call (sign + send + verify), beside the crypto alone on node:crypto, over the same
// answer bytes the sandbox signed.
const sample = await viaFetch(
  'POST',
  sandbox.url + parkingCall.url,
  {
    authorization: v3Authorization(keys, 'POST', parkingCall.url, parkingBody),
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': 'floor',
    'wechatpay-serial': publicKeyId,
  },
  parkingBody,
);
const signVerify = () => {
  v3Authorization(keys, 'POST', parkingCall.url, parkingBody);
  verifyV3Answer(keys, sample);
};
// The same figure for the other two scenarios (no raw-crypto row): client CPU is far less sensitive to a
// loaded machine than calls/s, so it is the steadier comparison of the contenders' own work.
const cpuCalls = Number(process.env.BENCH_CPU_CALLS ?? 1000);
const cpuTables: { id: string; contenders: [string, () => unknown][] }[] = [
  {
    id: 'v3-204',
    contenders: [
      ['raw sign + verify (no I/O)', signVerify],
      ...scenarios[0]!.contenders.map(({ name, call }): [string, () => unknown] => [name, call]),
    ],
  },
  ...scenarios.slice(1).map(({ id, contenders }) => ({
    id,
    contenders: contenders.map(({ name, call }): [string, () => unknown] => [name, call]),
  })),
];
const cpuMedians = new Map<string, Map<string, number>>();
for (const { id, contenders } of cpuTables) {
  if (only && !only.includes(id) && !only.includes('cpu')) continue;
  const cpu = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  for (const [, call] of contenders) await cpuPerCall(call, 200);
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const [name, call] = contenders[(i + round) % contenders.length]!;
      cpu.get(name)!.push(await cpuPerCall(call, cpuCalls));
    }
  }
  console.log(
    `\nclient CPU per ${id} call (user + system, ${cpuCalls} sequential calls, median / min / max of 5 rounds):`,
  );
  const medians = new Map<string, number>();
  for (const [name, values] of cpu) {
    const s = spread(values);
    medians.set(name, s.median);
    console.log(
      `  ${name.padEnd(34)}${s.median.toFixed(0).padStart(6)} ${s.min.toFixed(0).padStart(6)} ${s.max.toFixed(0).padStart(6)} µs`,
    );
  }
  cpuMedians.set(id, medians);
}
const cpuMedian = cpuMedians.get('v3-204') ?? new Map<string, number>();
await sandbox.close();

// Import time: `@wxpark/core` plus one API package, over a bare `node -e 0`, from the built dist.
function importMs(source: string | undefined): number {
  const args = source === undefined ? ['-e', '0'] : ['--input-type=module', '-e', source];
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: fileURLToPath(new URL('..', import.meta.url)) });
  if (run.status !== 0) throw new Error(`import failed: ${run.stderr}`);
  return performance.now() - start;
}
const importCases: [string, string | undefined][] = [
  ['node -e 0', undefined],
  // For scale: an empty ES module eval, the loader cost the two imports below also pay.
  ['node --input-type=module -e ""', ''],
  ['core + businesscircle', "import '@wxpark/core'; import '@wxpark/businesscircle';"],
  ['core + vehicle-v2', "import '@wxpark/core'; import '@wxpark/vehicle-v2';"],
];
const imports = new Map<string, number[]>(importCases.map(([name]) => [name, []]));
for (let round = 0; round < 15; round++)
  for (const [name, source] of importCases) imports.get(name)!.push(importMs(source));
const bare = spread(imports.get('node -e 0')!).median;
console.log('\nimport time (median of 15 interleaved process starts):');
for (const [name, values] of imports) {
  const s = spread(values);
  console.log(
    `  ${name.padEnd(34)}${s.median.toFixed(1).padStart(6)} ms` +
      (name === 'node -e 0' ? '' : `  (+${(s.median - bare).toFixed(1)} ms)`),
  );
}

// Bundle sizes of a v3-only and a v2-only consumer (min+gz, ky external), from scripts/bundle-size.mjs.
const sizes = spawnSync(process.execPath, [`${root}scripts/bundle-size.mjs`, '--no-build', '--json'], {
  encoding: 'utf8',
});
if (sizes.status !== 0) throw new Error(`bundle-size failed: ${sizes.stderr}`);
const bundles = JSON.parse(sizes.stdout) as { label: string; min: number; gzip: number }[];
console.log('\nbundle sizes (min / min+gz, ky external):');
for (const b of bundles) console.log(`  ${b.label.padEnd(44)}${b.min} B / ${b.gzip} B`);

// The goals of issue 14, last.
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const median = (key: string) => results.get(key)?.median ?? Number.NaN;
const goals: [string, string, boolean][] = [];
// The per-call goals for one build of wxpark (this one, or the baseline beside it).
function callGoals(name: string): [string, string, boolean][] {
  const rows: [string, string, boolean][] = [];
  const ratio = (what: string, a: string, b: string, floor: number) => {
    const r = median(a) / median(b);
    if (Number.isNaN(r)) return;
    rows.push([what, `${r.toFixed(2)}× (goal ≥ ${floor.toFixed(2)})`, r >= floor]);
  };
  for (const id of ['v3-204', 'v3-200'])
    for (const n of [1, 8]) {
      ratio(`${id} @${n}: ${name} / floor: fetch`, `${id}@${n}:${name}`, `${id}@${n}:floor: fetch`, 0.9);
      ratio(
        `${id} @${n}: ${name} / axios-plugin`,
        `${id}@${n}:${name}`,
        `${id}@${n}:wechatpay-axios-plugin`,
        1.25,
      );
    }
  for (const n of [1, 8])
    ratio(`v2 @${n}: ${name} / axios-plugin`, `v2@${n}:${name}`, `v2@${n}:wechatpay-axios-plugin`, 1.1);
  const cpuOver = cpuMedian.get(name)! - cpuMedian.get('raw sign + verify (no I/O)')!;
  if (!Number.isNaN(cpuOver))
    rows.push([
      `client CPU per v3 call (${name}) over raw sign + verify`,
      `+${cpuOver.toFixed(0)} µs (goal ≤ +60 µs)`,
      cpuOver <= 60,
    ]);
  return rows;
}
goals.push(...callGoals('wxpark'));
// For scale: the same figure for the floors, which pay an HTTP client's CPU as well.
for (const floor of cpuMedian.has('wxpark') ? ['floor: node:http', 'floor: fetch'] : []) {
  const over = cpuMedian.get('wxpark')! - cpuMedian.get(floor)!;
  console.log(`client CPU per v3 call, wxpark over ${floor}: ${over >= 0 ? '+' : ''}${over.toFixed(0)} µs`);
}
for (const name of ['core + businesscircle', 'core + vehicle-v2']) {
  const over = spread(imports.get(name)!).median - bare;
  goals.push([`import ${name} over node -e 0`, `+${over.toFixed(1)} ms (goal ≤ 25 ms)`, over <= 25]);
}
const [v3Bundle, v2Bundle] = bundles;
if (v3Bundle)
  goals.push(['v3-only bundle, min+gz', `${kb(v3Bundle.gzip)} KiB (goal ≤ 12)`, v3Bundle.gzip <= 12 * 1024]);
if (v2Bundle)
  goals.push(['v2-only bundle, min+gz', `${kb(v2Bundle.gzip)} KiB (goal ≤ 30)`, v2Bundle.gzip <= 30 * 1024]);
console.log(`\nload after: ${loadLine()}`);
console.log('\ngoals (issue 14):');
for (const [what, figure, met] of goals)
  console.log(`  ${met ? 'met ' : 'MISS'}  ${what.padEnd(48)}${figure}`);
if (baseline) {
  console.log('\nthe same per-call goals for the baseline build (same run):');
  for (const [what, figure, met] of callGoals('wxpark (baseline)'))
    console.log(`  ${met ? 'met ' : 'MISS'}  ${what.padEnd(48)}${figure}`);
  for (const id of ['v3-204', 'v3-200', 'v2'])
    for (const n of [1, 8]) {
      const r = median(`${id}@${n}:wxpark`) / median(`${id}@${n}:wxpark (baseline)`);
      if (!Number.isNaN(r)) console.log(`  ${`${id} @${n}: wxpark / baseline`.padEnd(54)}${r.toFixed(2)}×`);
    }
}

function loadLine(): string {
  const { loadavg, cpus } = require('node:os') as typeof import('node:os');
  return `load average ${loadavg()
    .map((n: number) => n.toFixed(2))
    .join(' ')} on ${cpus().length} cores`;
}
