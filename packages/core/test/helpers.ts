import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNonce, createRsaSigner, createV2ApiKey, signV2, signV3Response } from '@wxpark/signer';
import { buildXml, parseXml } from '@wxpark/xml';
import { afterEach } from 'vitest';
import {
  answerOf,
  anyObject,
  apiV2,
  apiV3,
  type ClientOptions,
  createClient,
  definePackage,
  defineRoute,
  object,
  optional,
  type Schema,
  string,
  text,
} from '../src/index.ts';

const servers: Server[] = [];

/** A loopback server stopped after each test. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A loopback URL on which nothing listens: connecting to it is refused. */
export async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function rsaPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Keys generated once per test file: the merchant's, and WeChat Pay's (public-key mode). */
export const keys = {
  merchant: rsaPair(),
  platform: rsaPair(),
  platformKeyId: 'PUB_KEY_ID_0114232134912410000000000000',
  serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  mchId: '1900000100',
  v2Key: 'a'.repeat(16) + 'B'.repeat(16),
  apiV3Key: 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6',
};

/** Signs an APIv3 answer as WeChat Pay would, with the test platform key. */
export async function signedV3Headers(
  body: string,
  serial = keys.platformKeyId,
  privatePem = keys.platform.privatePem,
): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = createNonce(32);
  return {
    'content-type': 'application/json',
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-serial': serial,
    'wechatpay-signature': await signV3Response(createRsaSigner(privatePem), timestamp, nonce, body),
    'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

/** A signed APIv2 XML answer. */
export function signedV2Body(
  fields: Record<string, string>,
  signType: 'MD5' | 'HMAC-SHA256' = 'MD5',
): string {
  return buildXml({ ...fields, sign: signV2(fields, createV2ApiKey(keys.v2Key), signType) });
}

export const testRoutes = definePackage({
  name: 'core-test',
  v3: apiV3,
  v2: apiV2({ build: buildXml, parse: parseXml }),
  routes: {
    'v3/core-test/item': defineRoute({
      protocol: 'v3',
      method: 'GET',
      path: '/v3/core-test/item',
      title: 'GET test route',
      request: object({ id: optional(string()) }),
      response: answerOf<{ id?: string }>()({ id: optional(text()) }),
    }),
    'v3/core-test/entry': defineRoute({
      protocol: 'v3',
      method: 'POST',
      path: '/v3/core-test/entry',
      title: 'POST test route',
      request: object({ plate_number: optional(string()) }),
      response: answerOf<Record<string, never>>()({}),
    }),
    'v2/core-test/notification': defineRoute({
      protocol: 'v2',
      method: 'POST',
      path: '/core-test/notification',
      title: 'APIv2 test route',
      request: object({
        appid: optional(string()),
        mch_id: optional(string()),
        sign_type: optional(string()),
        plate_number: optional(string()),
      }),
      response: anyObject() as Schema<unknown, Record<string, string>>,
    }),
  },
});

/** A client over the test routes with generated keys, at `baseUrl`, without backup hosts unless given. */
export function testClient(baseUrl: string, overrides: Partial<ClientOptions> = {}) {
  return createClient(
    {
      mchId: keys.mchId,
      v2: { apiKey: keys.v2Key },
      v3: {
        serialNo: keys.serialNo,
        privateKey: keys.merchant.privatePem,
        apiV3Key: keys.apiV3Key,
        publicKey: { id: keys.platformKeyId, key: keys.platform.publicPem },
      },
      baseUrl,
      backupBaseUrls: [],
      ...overrides,
    },
    [testRoutes],
  );
}
