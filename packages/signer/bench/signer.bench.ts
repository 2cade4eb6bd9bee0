import { createDecipheriv, createHmac, generateKeyPairSync, sign, verify } from 'node:crypto';
import { test } from 'vitest';
import {
  buildV3SignMessage,
  buildV3VerifyMessage,
  createApiV3Key,
  createAuthorization,
  createRsaSigner,
  createV2ApiKey,
  decryptAeadAes256Gcm,
  encryptAeadAes256Gcm,
  loadPlatformPublicKey,
  PlatformKeySet,
  signV2,
  verifyV3Signature,
} from '../src/index.ts';

// Vitest 5 benchmarks are `bench` fixtures inside tests; each test compares wxpark with raw node:crypto
// doing the same work, so the table shows what the checks and conveniences cost.

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });

const v2Secret = '192006250b4c09247ec02edce69f6a2d';
const v2Key = createV2ApiKey(v2Secret);
const v2Params = {
  appid: 'wxcbda96de0b165486',
  mch_id: '10000098',
  nonce_str: 'ibuaiVcKdpRxkhJA',
  sign_type: 'HMAC-SHA256',
  version: '3.0',
  trade_scene: 'PARKING',
  scene_info:
    '{"scene_info":{"start_time":"20260101120000","plate_number":"粤B888888","parking_name":"欢乐海岸停车场","free_time":"1200"}}',
};

const v3Body = JSON.stringify({
  out_serial_number: 'ES20260101001',
  parking_id: '5K8264ILTKCH16CQ250',
  plate_number: '粤B888888',
});
const v3Url = '/v3/parking/reminders/entry';
const v3Timestamp = 1_767_225_600;
const v3Nonce = 'C5BA1F3E2A9D4E7B8F60A1B2C3D4E5F6';
const signer = createRsaSigner(merchant.privateKey);
const v3Message = buildV3SignMessage('POST', v3Url, v3Timestamp, v3Nonce, v3Body);

const serial = 'PUB_KEY_ID_0114232134912410000000000000';
const keySet = new PlatformKeySet([loadPlatformPublicKey(serial, wechat.publicKey)]);
const answerTimestamp = String(v3Timestamp);
const answerMessage = buildV3VerifyMessage(answerTimestamp, v3Nonce, v3Body);
const answerSignature = sign('sha256', Buffer.from(answerMessage), wechat.privateKey).toString('base64');
const answerHeaders = { timestamp: answerTimestamp, nonce: v3Nonce, signature: answerSignature, serial };
const answerNow = () => v3Timestamp * 1000;

const v3Secret = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
const v3Key = createApiV3Key(v3Secret);
const gcmNonce = 'uluk4a9R25RW';
const gcmAad = 'transaction';
const gcmCiphertext = encryptAeadAes256Gcm({
  key: v3Key,
  nonce: gcmNonce,
  associatedData: gcmAad,
  plaintext: v3Body,
});

let sink: unknown;

test('v2 HMAC-SHA256 sign', async ({ bench }) => {
  await bench.compare(
    bench('signV2', () => {
      sink = signV2(v2Params, v2Key, 'HMAC-SHA256');
    }),
    bench('raw createHmac (same sort + join)', () => {
      const text = Object.keys(v2Params)
        .sort()
        .map((name) => `${name}=${v2Params[name as keyof typeof v2Params]}`)
        .join('&');
      sink = createHmac('sha256', v2Secret).update(`${text}&key=${v2Secret}`).digest('hex').toUpperCase();
    }),
  );
});

test('v3 request signing', async ({ bench }) => {
  await bench.compare(
    bench('createAuthorization', async () => {
      sink = await createAuthorization({
        mchId: '1900000109',
        serialNo: '5C2A9D03F1E7B4A6C8D0E2F41357968ACEBDF024',
        signer,
        method: 'POST',
        url: v3Url,
        body: v3Body,
        timestamp: v3Timestamp,
        nonce: v3Nonce,
      });
    }),
    bench('raw crypto.sign', () => {
      sink = sign('sha256', Buffer.from(v3Message), merchant.privateKey).toString('base64');
    }),
  );
});

test('v3 answer verification', async ({ bench }) => {
  await bench.compare(
    bench('verifyV3Signature', async () => {
      sink = await verifyV3Signature({
        headers: answerHeaders,
        body: v3Body,
        verifier: keySet,
        now: answerNow,
      });
    }),
    bench('raw crypto.verify', () => {
      sink = verify(
        'sha256',
        Buffer.from(answerMessage),
        wechat.publicKey,
        Buffer.from(answerSignature, 'base64'),
      );
    }),
  );
});

test('AEAD_AES_256_GCM decrypt', async ({ bench }) => {
  await bench.compare(
    bench('decryptAeadAes256Gcm', () => {
      sink = decryptAeadAes256Gcm({
        key: v3Key,
        nonce: gcmNonce,
        associatedData: gcmAad,
        ciphertext: gcmCiphertext,
      });
    }),
    bench('raw createDecipheriv', () => {
      const bytes = Buffer.from(gcmCiphertext, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', Buffer.from(v3Secret), Buffer.from(gcmNonce));
      decipher.setAAD(Buffer.from(gcmAad));
      decipher.setAuthTag(bytes.subarray(-16));
      sink = Buffer.concat([decipher.update(bytes.subarray(0, -16)), decipher.final()]).toString('utf8');
    }),
  );
  if (sink === undefined) throw new Error('nothing was decrypted');
});
