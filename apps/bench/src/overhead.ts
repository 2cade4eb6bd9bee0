// wxpark's own CPU per call without the network: a fetch that answers at once with an answer signed ahead
// (the signature stays valid within its window), so what remains is sign + verify + wxpark + ky. Beside it,
// the raw node:crypto sign + verify of the same call. Exploratory: run with --cpu-prof to see the split.
// Usage: node src/overhead.ts [calls]
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { businesscircle } from '@wxpark/businesscircle';
import { createClient } from '@wxpark/core';
import { loadV3Keys, v3Authorization, verifyV3Answer } from './floors.ts';

const calls = Number(process.argv[2] ?? 20000);
const merchantKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: import('node:crypto').KeyObject, type: 'pkcs8' | 'spki') =>
  key.export({ type, format: 'pem' }) as string;
const publicKeyId = 'PUB_KEY_ID_0100000000000000000000000001';
const timestamp = String(Math.floor(Date.now() / 1000));
const nonce = randomBytes(16).toString('hex');
const signature = sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n\n`), platform.privateKey).toString(
  'base64',
);
const answerHeaders = {
  'wechatpay-timestamp': timestamp,
  'wechatpay-nonce': nonce,
  'wechatpay-signature': signature,
  'wechatpay-serial': publicKeyId,
  'request-id': 'bench',
};
const answered = async () => new Response(null, { status: 204, headers: answerHeaders });
const client = createClient(
  {
    mchId: '1900000001',
    v3: {
      serialNo: 'ABCDEF0123456789',
      privateKey: pem(merchantKeys.privateKey, 'pkcs8'),
      publicKey: { id: publicKeyId, key: pem(platform.publicKey, 'spki') },
    },
    baseUrl: 'http://127.0.0.1:9',
    backupBaseUrls: [],
    fetch: answered,
  },
  [businesscircle],
);
const request = {
  brandid: 1001,
  appid: 'wxd678efh567hg6787',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  plate_number: '粤B888888',
  state: 'IN' as const,
  time: '2026-11-24T10:30:00+08:00',
};
const keys = loadV3Keys({
  mchId: '1900000001',
  serialNo: 'ABCDEF0123456789',
  privateKey: pem(merchantKeys.privateKey, 'pkcs8'),
  publicKeyId,
  publicKey: pem(platform.publicKey, 'spki'),
});
const body = JSON.stringify(request);
const sample = {
  header: (name: string) => answerHeaders[name as keyof typeof answerHeaders],
  body: Buffer.alloc(0),
};
const raw = () => {
  v3Authorization(keys, 'POST', '/v3/businesscircle/parkings', body);
  verifyV3Answer(keys, sample);
};
const sdk = () => client.v3.businesscircle.parkings(request);

async function cpu(run: () => unknown, n: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}
await cpu(raw, 500);
await cpu(sdk, 500);
const rawTimes: number[] = [];
const sdkTimes: number[] = [];
for (let round = 0; round < 5; round++) {
  rawTimes.push(await cpu(raw, calls / 5));
  sdkTimes.push(await cpu(sdk, calls / 5));
}
const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
console.log(
  `CPU per call: raw sign + verify ${median(rawTimes).toFixed(0)} µs, wxpark without network ${median(sdkTimes).toFixed(0)} µs ` +
    `(+${(median(sdkTimes) - median(rawTimes)).toFixed(0)} µs: wxpark + ky)`,
);
