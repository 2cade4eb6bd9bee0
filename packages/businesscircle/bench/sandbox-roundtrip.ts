// Figures for 商圈会员停车状态同步 against the local sandbox over keep-alive: calls/s through the SDK, its
// latency beside a raw fetch with a precomputed Authorization, and the SDK's sign + verify cost per call
// beside the same RSA work done directly on node:crypto — all in one run.
// Run: pnpm --filter @wxpark/businesscircle bench
import { createPrivateKey, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createClient } from '@wxpark/core';
import { startSandboxProcess } from '@wxpark/sandbox';
import {
  createAuthorization,
  createRsaSigner,
  loadPlatformPublicKey,
  PlatformKeySet,
  verifyV3Signature,
} from '@wxpark/signer';
import { compareRoundTrips } from '../../../scripts/lib/roundtrip-bench.ts';
import { businesscircle } from '../src/index.ts';

// The sandbox runs in its own process: in this one it would take half the client's CPU.
const sandbox = await startSandboxProcess();
const merchant = sandbox.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
const v3 = merchant.v3!;
const { publicKeyId, publicKey } = sandbox.config.platform;
const brand = sandbox.config.brands![0]!;
const openid = sandbox.config.mallMembers!.find((m) => m.authorize_state === 'AUTHORIZED')!.openid;
const client = createClient(
  {
    mchId: merchant.mchId,
    v3: {
      serialNo: v3.serialNo,
      privateKey: v3.privateKey,
      apiV3Key: v3.apiV3Key,
      publicKey: { id: publicKeyId, key: publicKey },
    },
    baseUrl: sandbox.url,
    backupBaseUrls: [],
  },
  [businesscircle],
);
const request = {
  brandid: brand.brandId,
  appid: brand.appId,
  openid,
  plate_number: '粤B888888',
  state: 'IN' as const,
  time: '2026-11-24T10:30:00+08:00',
};
const body = JSON.stringify(request);
const path = '/v3/businesscircle/parkings';
const signer = createRsaSigner(v3.privateKey);
const authorization = await createAuthorization({
  mchId: merchant.mchId,
  serialNo: v3.serialNo,
  signer,
  method: 'POST',
  url: path,
  body,
});

const sdk = async () => {
  await client.v3.businesscircle.parkings(request);
};
const raw = async () => {
  const answer = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'bench',
    },
    body,
  });
  await answer.arrayBuffer();
};

// Sign + verify per call: the SDK's functions beside node:crypto doing the same RSA-SHA256 work.
const answerHeaders = {
  timestamp: String(Math.floor(Date.now() / 1000)),
  nonce: randomBytes(16).toString('hex'),
};
const answerBody = '';
// A platform key pair of our own: the sandbox keeps its private keys to itself.
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platformPrivate = platform.privateKey;
const platformPublic = platform.publicKey;
const benchKeyId = 'PUB_KEY_ID_0100000000000000000000000001';
const message = `${answerHeaders.timestamp}\n${answerHeaders.nonce}\n${answerBody}\n`;
const answerSignature = createSign('RSA-SHA256').update(message).sign(platformPrivate, 'base64');
const platformKeys = new PlatformKeySet([
  loadPlatformPublicKey(benchKeyId, platformPublic.export({ type: 'spki', format: 'pem' })),
]);
const merchantPrivate = createPrivateKey(v3.privateKey);

async function perCall(run: () => Promise<void> | void, n: number): Promise<number> {
  for (let i = 0; i < 200; i++) await run();
  const start = performance.now();
  for (let i = 0; i < n; i++) await run();
  return ((performance.now() - start) / n) * 1000;
}
const sdkCrypto = await perCall(async () => {
  await createAuthorization({
    mchId: merchant.mchId,
    serialNo: v3.serialNo,
    signer,
    method: 'POST',
    url: path,
    body,
  });
  await verifyV3Signature({
    headers: { ...answerHeaders, signature: answerSignature, serial: benchKeyId },
    body: answerBody,
    verifier: platformKeys,
  });
}, 3000);
const rawCrypto = await perCall(() => {
  const nonce = randomBytes(16).toString('hex');
  const timestamp = Math.floor(Date.now() / 1000);
  createSign('RSA-SHA256')
    .update(`POST\n${path}\n${timestamp}\n${nonce}\n${body}\n`)
    .sign(merchantPrivate, 'base64');
  createVerify('RSA-SHA256').update(message).verify(platformPublic, answerSignature, 'base64');
}, 3000);
await compareRoundTrips('商圈会员停车状态同步 against the sandbox on loopback', sdk, raw);
await sandbox.close();
console.log(
  `sign + verify per call: SDK ${sdkCrypto.toFixed(1)} µs, raw node:crypto ${rawCrypto.toFixed(1)} µs`,
);
