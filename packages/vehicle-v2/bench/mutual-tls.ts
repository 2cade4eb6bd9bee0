// Figures for 申请退款 over mutual TLS against the local sandbox: one client (its certificate loaded once,
// connections kept alive) beside a new client per call (a TLS set-up and handshake every time).
// Run: node --conditions=@wxpark/source packages/vehicle-v2/bench/mutual-tls.ts
import { createClient } from '@wxpark/core';
import { startSandbox } from '@wxpark/sandbox';
import { vehicleV2 } from '../src/index.ts';

const sandbox = await startSandbox({ https: true });
const merchant = sandbox.config.merchants.find((m) => !m.subMerchants?.length)!;
const user = sandbox.config.vehicleUsers.find(
  (u) => u.plate_number && u.openid && u.user_state === 'NORMAL',
)!;
const options = (baseUrl: string) => ({
  mchId: merchant.mchId,
  appId: merchant.appId,
  v2: { apiKey: merchant.v2ApiKey },
  clientCertificate: { ...sandbox.tls!.clients[merchant.mchId]!, ca: sandbox.tls!.ca },
  baseUrl,
  backupBaseUrls: [],
});
const plain = createClient(options(sandbox.url), [vehicleV2]);
const out_trade_no = `BENCH${Date.now()}`;
await plain.v2.vehicle.pay.payapply({
  appid: merchant.appId,
  mch_id: merchant.mchId,
  body: '停车费',
  out_trade_no,
  total_fee: 100,
  spbill_create_ip: '127.0.0.1',
  notify_url: 'http://127.0.0.1:9/unused',
  openid: user.openid!,
  trade_scene: 'PARKING',
  scene_info: {
    start_time: new Date(Date.now() - 3_600_000),
    end_time: new Date(),
    charging_time: '3600',
    plate_number: user.plate_number!,
    parking_name: 'P',
    deduct_mode: 'AUTOPAY',
    support_deduct_mode: 'DEDUCT_ALL',
  },
});
await new Promise((resolve) => setTimeout(resolve, 200));
// The same out_refund_no every time: the sandbox answers the one refund again, as WeChat does.
const refund = {
  appid: merchant.appId,
  mch_id: merchant.mchId,
  out_trade_no,
  out_refund_no: `R${out_trade_no}`,
  total_fee: 100,
  refund_fee: 100,
};

async function measure(label: string, calls: number, call: () => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await call();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call();
  const ms = performance.now() - started;
  console.log(
    `${label}: ${calls} calls, ${(ms / calls).toFixed(2)} ms/call, ${((calls * 1000) / ms).toFixed(0)} calls/s`,
  );
}

const shared = createClient(options(sandbox.httpsUrl!), [vehicleV2]);
await measure('one client (certificate loaded once, keep-alive)', 300, () =>
  shared.v2.secapi.pay.refund(refund),
);
await measure('a new client per call (load + handshake each time)', 100, () =>
  createClient(options(sandbox.httpsUrl!), [vehicleV2]).v2.secapi.pay.refund(refund),
);
await sandbox.close();
