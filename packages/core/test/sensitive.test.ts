import { generateSandboxConfig, type Sandbox, startSandbox } from '@wxpark/sandbox';
import { decryptSensitive } from '@wxpark/signer';
import { clientFor } from '@wxpark/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ApiError,
  answerOf,
  apiV3,
  createClient,
  definePackage,
  defineRoute,
  object,
  optional,
  string,
} from '../src/index.ts';

// A route that marks a field sensitive, as WeChat Pay does for names and ID numbers: the parking packages
// have none today, so the test defines its own. The sandbox answers its unknown path with a signed 404,
// and keeps the request, which is what is checked here.
const sensitiveRoute = defineRoute({
  protocol: 'v3',
  method: 'POST',
  path: '/v3/wxpark-test/sensitive',
  title: 'sensitive field test',
  request: object({
    plate_number: string({ maxLength: 16 }),
    contact_name: string({ maxLength: 64 }),
    note: optional(string()),
  }),
  response: answerOf<Record<string, never>>()({}),
  v3: { sensitive: ['contact_name'] },
});
const testPackage = definePackage({
  v3: apiV3,
  name: 'sensitive-test',
  routes: { 'v3/wxpark-test/sensitive': sensitiveRoute },
});

let sandbox: Sandbox;
const config = generateSandboxConfig();
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, config });
});
afterAll(() => sandbox.close());

it('encrypts a sensitive field with the platform public key and names that key in Wechatpay-Serial', async () => {
  const { publicKeyId } = sandbox.config.platform;
  const client = clientFor(sandbox, [testPackage]);
  const error = await client.v3['wxpark-test']
    .sensitive({ plate_number: '粤B888888', contact_name: '张三' })
    .catch((e: unknown) => e);
  // The 404 itself was verified: an unsigned one would be marked so.
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).signatureVerified).toBe(true);

  const sent = sandbox.requests.at(-1)!;
  expect(sent.headers['wechatpay-serial']).toBe(publicKeyId);
  const body = JSON.parse(sent.body) as { plate_number: string; contact_name: string };
  expect(body.plate_number).toBe('粤B888888');
  expect(body.contact_name).not.toContain('张三');
  // Only the holder of the platform private key can read it (RSA-OAEP).
  expect(decryptSensitive(body.contact_name, config.platform.privateKey!)).toBe('张三');
});

it('refuses, at creation, APIv3 routes from a package that does not bring the APIv3 support', () => {
  const { v3: _support, ...withoutSupport } = testPackage;
  const merchant = sandbox.config.merchants.find((m) => m.v3)!;
  expect(() =>
    createClient(
      {
        mchId: merchant.mchId,
        v3: { serialNo: merchant.v3!.serialNo, privateKey: merchant.v3!.privateKey },
        baseUrl: sandbox.url,
      },
      [withoutSupport],
    ),
  ).toThrow(/v3: apiV3/);
});
