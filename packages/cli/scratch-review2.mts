import { inspect } from 'node:util';
import { createServer } from 'node:net';
import { createClient, WxparkError } from '@wxpark/core';
import { vehicleV2 } from '@wxpark/vehicle-v2';
const srv = createServer(); await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
const port = (srv.address() as any).port; await new Promise((r) => srv.close(r));
const entry = { trade_scene: 'PARKING', scene_info: { start_time: new Date(), plate_number: '粤B888888', parking_name: 'x', free_time: '1200' } } as const;
for (const baseUrl of [`http://127.0.0.1:${port}`, `http://user:SeCrEtPaSsWoRd@127.0.0.1:${port}`]) {
  const c = createClient({ mchId: '1900000100', appId: 'wx8888888888888888', baseUrl, v2: { apiKey: 'abcdefghijklmnopqrstuvwxyz012345' } }, [vehicleV2]);
  try { await c.v2.vehicle.pay.notification(entry); } catch (e) { const x = e as WxparkError; console.log(x.code, x.message); const s = inspect(x, { depth: 20 }) + JSON.stringify(x); console.log('leaks password:', s.includes('SeCrEtPaSsWoRd'), 'leaks key:', s.includes('abcdefghijklmnopqrstuvwxyz012345')); }
}
