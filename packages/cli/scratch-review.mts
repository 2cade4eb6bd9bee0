import { inspect } from 'node:util';
import { ApiError, createClient, ValidationError, TransportError, WxparkError } from '@wxpark/core';
import { vehicleV2 } from '@wxpark/vehicle-v2';
import { parkingV3 } from '@wxpark/parking-v3';
import { startSandbox } from '@wxpark/sandbox';

const sandbox = await startSandbox();
const m = sandbox.config.merchants.find((x) => !x.subMerchants?.length)!;
const wxpay = createClient({ mchId: m.mchId, appId: m.appId, baseUrl: sandbox.url, v2: { apiKey: m.v2ApiKey } }, [vehicleV2]);
const entry = { trade_scene: 'PARKING', scene_info: { start_time: new Date(), plate_number: '粤B888888', parking_name: '欢乐海岸停车场', free_time: '1200' } } as const;
const a = await wxpay.v2.vehicle.pay.notification.post(entry);
console.log('a', a.data.user_state);
const d = await wxpay.v2.vehicle.pay.notification(entry);
console.log('d', d.status);
// 32-char mchId
for (const opts of [{ mchId: 'abcdefghijklmnopqrstuvwxyz012345' }, { baseUrl: 'abcdefghijklmnopqrstuvwxyz012345' }, { baseUrl: 'https://user:SeCrEtPaSsWoRd@example.com' }, {baseUrl: 'http://127.0.0.1:1/?key=abcdefghijklmnopqrstuvwxyz012345'}]) {
  try { createClient({ ...opts, v2: { apiKey: m.v2ApiKey } } as never, [vehicleV2]); console.log('accepted', opts); }
  catch (e) { console.log('ERR', (e as Error).message.slice(0, 300)); }
}
// closed port
const closed = createClient({ mchId: m.mchId, appId: m.appId, baseUrl: 'http://127.0.0.1:1', v2: { apiKey: m.v2ApiKey } }, [vehicleV2]);
try { await closed.v2.vehicle.pay.notification(entry); } catch (e) { console.log('closed', (e as WxparkError).code, (e as Error).message); }
// hostile answers for v3
const v3 = createClient({ mchId: m.mchId, baseUrl: sandbox.url, v3: { serialNo: m.v3!.serialNo, privateKey: m.v3!.privateKey, apiV3Key: m.v3!.apiV3Key, publicKey: { id: sandbox.config.platform!.publicKeyId, key: sandbox.config.platform!.publicKey } } } as never, [parkingV3]);
for (const mode of ['bad-sign', 'no-sign', 'wrong-key-sign', 'garbage', 'stale-timestamp', 'unknown-serial', 'signtest'] as const) {
  sandbox.setHostile(mode as never);
  try { const r = await (v3 as any).v3.parking.reminders['parking-lot'].get({ out_parking_lot_id: 'LOT-A' }); console.log(mode, 'RETURNED', r.status); }
  catch (e) { const x = e as WxparkError; console.log(mode, x.name, x.code, (x as any).hint ?? '', '|', x.message.slice(0, 200)); }
}
await sandbox.close();
