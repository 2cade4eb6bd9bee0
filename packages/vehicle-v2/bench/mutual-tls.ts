// Figures for 申请退款 over mutual TLS against the local sandbox: one client (its certificate loaded once,
// connections kept alive) beside a new client per call (a TLS set-up and handshake every time).
// Run: node --conditions=@wxpark/source packages/vehicle-v2/bench/mutual-tls.ts
import { startSandbox } from '@wxpark/sandbox';
import { clientFor } from '@wxpark/test-utils/client';
import { merchantsOf } from '@wxpark/test-utils/merchants';
import { vehicleV2 } from '../src/index.ts';
import { carOwner, deduction } from '../test/deductions.ts';

const sandbox = await startSandbox({ https: true });
const merchant = merchantsOf(sandbox).direct;
const client = (baseUrl: string) =>
  clientFor(sandbox, [vehicleV2], {
    clientCertificate: { ...sandbox.tls!.clients[merchant.mchId]!, ca: sandbox.tls!.ca },
    baseUrl,
  });
const paid = deduction(merchant, carOwner(sandbox), { out_trade_no: `BENCH${Date.now()}`, total_fee: 100 });
await client(sandbox.url).v2.vehicle.pay.payapply(paid);
await new Promise((resolve) => setTimeout(resolve, 200));
// The same out_refund_no every time: the sandbox answers the one refund again, as WeChat does.
const refund = {
  appid: merchant.appId,
  mch_id: merchant.mchId,
  out_trade_no: paid.out_trade_no,
  out_refund_no: `R${paid.out_trade_no}`,
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

const shared = client(sandbox.httpsUrl!);
await measure('one client (certificate loaded once, keep-alive)', 300, () =>
  shared.v2.secapi.pay.refund(refund),
);
await measure('a new client per call (load + handshake each time)', 100, () =>
  client(sandbox.httpsUrl!).v2.secapi.pay.refund(refund),
);
await sandbox.close();
