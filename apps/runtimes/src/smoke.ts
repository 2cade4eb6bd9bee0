// The smoke suite a runtime runs (Bun, Deno, or Node for comparison) on the built packages: the four seed
// calls against the sandbox, then one APIv2 and one APIv3 notice delivered by the sandbox to the handlers'
// Fetch entry, served by the runtime's own HTTP server. Prints one `WXPARK_SMOKE {json}` line; exits 1 on
// any failed step. Started by run.ts, which passes the sandbox's address and keys in WXPARK_SANDBOX.
import { businesscircle } from '@wxpark/businesscircle';
import { createClient, getNoticeKeys } from '@wxpark/core';
import { createParkingNoticeHandler, type ParkingNotice, parkingV3 } from '@wxpark/parking-v3';
import { createV2NoticeHandler, type V2Notice, vehicleV2 } from '@wxpark/vehicle-v2';
import type { SmokeData, SmokeReport, SmokeStep } from './data.ts';
import { serve } from './serve.ts';

const data = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}') as SmokeData;
const steps: SmokeStep[] = [];

async function step(name: string, run: () => Promise<string>): Promise<void> {
  const from = performance.now();
  try {
    const detail = await run();
    steps.push({ name, ok: true, detail, ms: Math.round(performance.now() - from) });
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    steps.push({ name, ok: false, detail, ms: Math.round(performance.now() - from) });
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Asks the sandbox (over its admin API) to send a notice, as WeChat would. */
async function admin<Answer extends { status: number; body: string }>(
  path: string,
  body: unknown,
): Promise<Answer> {
  const response = await fetch(`${data.url}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Answer & { error?: string };
  if (response.status !== 200) throw new Error(`sandbox ${path}: ${response.status} ${answer.error}`);
  return answer;
}

const v2Client = (merchant: SmokeData['v2']['direct']) =>
  createClient({ v2: { apiKey: merchant.apiKey }, baseUrl: data.url, backupBaseUrls: [] }, [vehicleV2]);
const v3Client = (merchant: SmokeData['v3']['parking'], routes: 'parking' | 'mall') =>
  createClient(
    {
      mchId: merchant.mchId,
      v3: {
        serialNo: merchant.serialNo,
        privateKey: merchant.privateKey,
        apiV3Key: merchant.apiV3Key,
        publicKey: { id: merchant.publicKeyId, key: merchant.publicKey },
      },
      baseUrl: data.url,
      backupBaseUrls: [],
    },
    routes === 'parking' ? [parkingV3] : [businesscircle],
  );
const v2Notices: V2Notice[] = [];
const v3Notices: ParkingNotice[] = [];
const v2Handler = createV2NoticeHandler({
  apiKey: data.v2.direct.apiKey,
  onNotice: (notice) => void v2Notices.push(notice),
});
const v3Handler = createParkingNoticeHandler({
  ...getNoticeKeys(v3Client(data.v3.parking, 'parking')),
  onNotice: (notice) => void v3Notices.push(notice),
});
const server = await serve((request) => {
  const { pathname } = new URL(request.url);
  if (pathname === '/wxpay/v2/notify') return v2Handler.fetch(request);
  if (pathname === '/wxpay/v3/notify') return v3Handler.fetch(request);
  return Promise.resolve(new Response('not found', { status: 404 }));
});

const scene = {
  start_time: new Date(),
  plate_number: data.plate,
  parking_name: '欢乐海岸停车场',
  free_time: '1200',
};

try {
  // The plate-state notice goes to the notify_url of the plate's last 用户入场通知: the direct one below.
  await step('v2 /vehicle/partnerpay/notification (用户入场通知, service provider)', async () => {
    const { provider } = data.v2;
    const { data: answer } = await v2Client(provider).v2.vehicle.partnerpay.notification({
      appid: provider.appId,
      mch_id: provider.mchId,
      sub_appid: provider.subAppId,
      sub_mch_id: provider.subMchId,
      trade_scene: 'PARKING',
      scene_info: scene,
    });
    check(answer.sub_mch_id === provider.subMchId, `sub_mch_id ${answer.sub_mch_id}`);
    return `user_state ${answer.user_state} for sub_mch_id ${answer.sub_mch_id}`;
  });
  await step('v2 /vehicle/pay/notification (用户入场通知)', async () => {
    const { direct } = data.v2;
    const { data: answer } = await v2Client(direct).v2.vehicle.pay.notification({
      appid: direct.appId,
      mch_id: direct.mchId,
      trade_scene: 'PARKING',
      scene_info: { ...scene, notify_url: `${server.url}/wxpay/v2/notify` },
    });
    check(answer.user_state === 'NORMAL', `user_state ${answer.user_state}`);
    return `user_state ${answer.user_state}`;
  });
  await step('v3 /v3/parking/reminders/entry (同步车辆入场通知)', async () => {
    const { parking } = data.v3;
    const { data: answer } = await v3Client(parking, 'parking').v3.parking.reminders.entry({
      out_serial_number: `smoke-${Date.now()}`,
      parking_id: data.v3.parkingId,
      plate_number: data.plate,
      plate_color: 'PLATE_COLOR_BLUE',
      enter_timestamp: Math.floor(Date.now() / 1000),
      car_type: 'PLATE_TYPE_TEMPORARY',
      vehicle_type: 'VEHICLE_TYPE_SMALL',
    });
    check(/^\w+$/.test(answer.serial_number), `serial_number ${answer.serial_number}`);
    return `serial_number ${answer.serial_number}`;
  });
  await step('v3 /v3/businesscircle/parkings (商圈会员停车状态同步)', async () => {
    const { mall } = data.v3;
    const answer = await v3Client(mall, 'mall').v3.businesscircle.parkings({
      brandid: data.v3.brandId,
      appid: data.v3.mallAppId,
      openid: data.v3.openid,
      plate_number: data.plate,
      state: 'IN',
      time: new Date(),
    });
    check(answer.status === 204, `HTTP ${answer.status}`);
    return `HTTP ${answer.status}, verified`;
  });
  await step('v2 notice: 车牌状态变更通知 through createV2NoticeHandler().fetch', async () => {
    const delivery = await admin('v2/plate-state', {
      plate_number: data.plate,
      vehicle_event_type: 'BLOCKED',
    });
    check(delivery.status === 200, `answered HTTP ${delivery.status}`);
    check(delivery.body.includes('<return_code><![CDATA[SUCCESS]]>'), `answered ${delivery.body}`);
    const notice = v2Notices.at(-1);
    check(v2Notices.length === 1 && notice?.kind === 'plate-state', `onNotice got ${v2Notices.length}`);
    check(notice.fields.plate_number === data.plate, `plate_number ${notice.fields.plate_number}`);
    return `HTTP 200 SUCCESS; onNotice once: ${notice.kind} ${notice.fields.vehicle_event_type}`;
  });
  await step(
    'v3 notice: VEHICLE.ENTRANCE_STATE_CHANGE through createParkingNoticeHandler().fetch',
    async () => {
      const url = `${server.url}/wxpay/v3/notify`;
      const delivery = await admin<{
        status: number;
        body: string;
        envelope: string;
        headers: Record<string, string>;
      }>('v3/notice', {
        url,
        mchId: data.v3.parking.mchId,
        event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
        resource: {
          sp_mchid: data.v3.parking.mchId,
          parking_id: data.v3.parkingId,
          plate_number: data.plate,
          plate_color: 'PLATE_COLOR_BLUE',
          state: 'ENTRANCE_STATE_IN',
        },
      });
      check(delivery.status === 204, `answered HTTP ${delivery.status}`);
      const notice = v3Notices.at(-1);
      check(v3Notices.length === 1 && notice?.event_type === 'VEHICLE.ENTRANCE_STATE_CHANGE', 'onNotice');
      check(notice.resource.plate_number === data.plate, `plate_number ${notice.resource.plate_number}`);
      const forged = await fetch(url, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.envelope.replace('"id":"', '"id":"x'),
      });
      check(forged.status === 401, `a forged copy answered HTTP ${forged.status}`);
      return `HTTP 204; onNotice once: ${notice.event_type}; a forged copy 401`;
    },
  );
} finally {
  await server.close();
}

const report: SmokeReport = {
  runtime: server.runtime,
  resolved: import.meta.resolve('@wxpark/core'),
  steps,
};
console.log(`WXPARK_SMOKE ${JSON.stringify(report)}`);
if (steps.some((s) => !s.ok)) process.exitCode = 1;
