import { Console } from 'node:console';
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import {
  createApiV3Key,
  createV2ApiKey,
  encryptAeadAes256Gcm,
  loadPlatformPublicKey,
  SignerError,
} from '@wxpark/signer';
import { describe, expect, it } from 'vitest';
import {
  type ApiErrorCode,
  createPlatformKeys,
  readRawBody,
  type SignatureErrorCode,
  type TransportErrorCode,
  type ValidationErrorCode,
  verifyV3Notice,
  WxparkError,
  type WxparkErrorCode,
} from '../src/index.ts';
import { closedUrl, keys, listen, readBody, signedV2Body, signedV3Headers, testClient } from './helpers.ts';

/** Everything secret that passes through a call: keys, PEMs, and the signatures and Authorization sent. */
const secrets = new Set<string>([
  keys.v2Key,
  keys.apiV3Key,
  ...pemLines(keys.merchant.privatePem),
  ...pemLines(keys.platform.privatePem),
]);

function pemLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
}

/** Records the Authorization header of every request, and the signature of every answer. */
function remember(req: IncomingMessage, headers: Record<string, string> = {}): void {
  const authorization = req.headers.authorization;
  if (authorization) {
    secrets.add(authorization);
    const signature = /signature="([^"]+)"/.exec(authorization)?.[1];
    if (signature) secrets.add(signature);
  }
  if (headers['wechatpay-signature']) secrets.add(headers['wechatpay-signature']);
}

/** Every way an error is commonly rendered: inspect, console.error, JSON, String, stack; and its causes. */
function renderings(error: unknown): string[] {
  let logged = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged += String(chunk);
      done();
    },
  });
  new Console({ stdout: sink, stderr: sink }).error(error);
  const out = [
    logged,
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    JSON.stringify(error) ?? '',
    String(error),
  ];
  for (let cause: unknown = error, depth = 0; cause && depth < 10; depth++) {
    out.push(inspect(cause, { depth: Number.POSITIVE_INFINITY, showHidden: true }));
    out.push(JSON.stringify(cause) ?? '', String(cause), (cause as Error).stack ?? '');
    cause = (cause as { cause?: unknown }).cause;
  }
  return out;
}

const seen = new Map<string, unknown>();
async function capture(trigger: () => unknown): Promise<unknown> {
  try {
    await trigger();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') seen.set(code, error);
    return error;
  }
  throw new Error('expected an error');
}

const v3Answer = (status: number, body: string, headers: Record<string, string> = {}) =>
  listen(async (req, res) => {
    await readBody(req);
    remember(req, headers);
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  });

const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

describe('no error rendering carries a key, PEM, signature or Authorization value', () => {
  it('holds for every error code a client, handler or key provider raises', async () => {
    const entry = (url: string, options = {}) => testClient(url, options).v3['core-test'].entry({});
    const v2 = (url: string, options = {}) => testClient(url, options).v2['core-test'].notification({});

    // Transport
    await capture(async () => entry(await closedUrl()));
    await capture(async () => entry((await listen((req) => remember(req))).url, { timeout: 300 }));
    await capture(async () =>
      entry(
        (
          await listen((req) => {
            remember(req);
            req.socket.destroy();
          })
        ).url,
      ),
    );
    await capture(async () =>
      entry(
        (
          await listen((req, res) => {
            remember(req);
            res.end('x'.repeat(8192));
          })
        ).url,
        {
          maxResponseBytes: 4096,
        },
      ),
    );

    // Answers that are failures
    await capture(async () => entry((await v3Answer(502, '<html>bad gateway</html>')).url));
    const paramError = '{"code":"PARAM_ERROR","message":"bad"}';
    await capture(async () =>
      entry((await v3Answer(400, paramError, await signedV3Headers(paramError))).url),
    );
    const v2Server = (body: string) =>
      listen(async (req, res) => {
        await readBody(req);
        res.end(body);
      });
    await capture(async () => v2((await v2Server('<xml><return_code>FAIL</return_code></xml>')).url));
    await capture(async () =>
      v2((await v2Server(signedV2Body({ return_code: 'SUCCESS', result_code: 'FAIL' }))).url),
    );
    await capture(async () =>
      v2(
        (
          await v2Server(
            signedV2Body({ return_code: 'SUCCESS', result_code: 'SUCCESS' }).replace(/<sign>.*<\/sign>/, ''),
          )
        ).url,
      ),
    );

    // Answers whose signature fails, each way the verifier refuses one
    const ok = '{}';
    const signed = await signedV3Headers(ok);
    await capture(async () =>
      entry((await v3Answer(200, ok, await signedV3Headers(ok, keys.platformKeyId, otherKey))).url),
    );
    await capture(async () =>
      entry(
        (await v3Answer(200, ok, await signedV3Headers(ok, 'PUB_KEY_ID_0114232134912419999999999999'))).url,
      ),
    );
    await capture(async () =>
      entry((await v3Answer(200, ok, { ...signed, 'wechatpay-timestamp': '1000000000' })).url),
    );
    await capture(async () =>
      entry((await v3Answer(200, ok, { ...signed, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' })).url),
    );
    const { 'wechatpay-nonce': _nonce, ...withoutNonce } = signed;
    await capture(async () => entry((await v3Answer(200, ok, withoutNonce)).url));
    await capture(async () =>
      entry((await v3Answer(200, ok, { ...signed, 'wechatpay-timestamp': 'soon' })).url),
    );
    await capture(async () =>
      entry(
        (await v3Answer(200, ok, { ...signed, 'wechatpay-signature-type': 'WECHATPAY2-SM2-WITH-SM3' })).url,
      ),
    );
    const notJson = 'not json';
    await capture(async () => entry((await v3Answer(200, notJson, await signedV3Headers(notJson))).url));
    await capture(async () =>
      entry((await v3Answer(200, ok, signed)).url, {
        v3: {
          serialNo: keys.serialNo,
          privateKey: keys.merchant.privatePem,
          platformKeys: {
            verify: () => {
              throw new Error('the custom verifier refused');
            },
            preferredSerial: async () => undefined,
            encryptionKey: async () => {
              throw new Error('none');
            },
          },
        },
      }),
    );

    // Certificates
    await capture(async () =>
      entry((await v3Answer(404, '{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书"}')).url, {
        v3: {
          serialNo: keys.serialNo,
          privateKey: keys.merchant.privatePem,
          apiV3Key: keys.apiV3Key,
          certificates: 'download',
        },
      }),
    );
    const provider = createPlatformKeys({
      publicKey: { id: keys.platformKeyId, key: keys.platform.publicPem },
      download: async () => {
        throw new Error('download failed');
      },
    });
    await capture(() =>
      provider.verify('5157F09EFDC096DE15EBE81A47057A7232F1B8E0', 'm', 'c2ln', { now: Date.now() }),
    );

    // Notices
    const platform = [loadPlatformPublicKey(keys.platformKeyId, keys.platform.publicPem)];
    const noticeKeys = { verifier: platform, apiV3Key: keys.apiV3Key };
    const garbage = '{"id":1}';
    await capture(async () => verifyV3Notice(garbage, await signedV3Headers(garbage), noticeKeys));
    const resource = {
      algorithm: 'AEAD_AES_256_GCM',
      nonce: 'abcdefghijkl',
      associated_data: 'parking',
      original_type: 'parking',
      ciphertext: encryptAeadAes256Gcm({
        key: createApiV3Key('Z'.repeat(32)),
        nonce: 'abcdefghijkl',
        associatedData: 'parking',
        plaintext: '{}',
      }),
    };
    const envelope = JSON.stringify({
      id: 'n1',
      create_time: '2026-11-30T08:00:00+08:00',
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource_type: 'encrypt-resource',
      summary: 's',
      resource,
    });
    await capture(async () => verifyV3Notice(envelope, await signedV3Headers(envelope), noticeKeys));
    await capture(() => readRawBody(new Request('http://h/', { method: 'POST', body: 'x'.repeat(64) }), 16));
    const used = new Request('http://h/', { method: 'POST', body: 'x' });
    await used.text();
    await capture(() => readRawBody(used));

    // Input
    await capture(() => testClient('http://127.0.0.1:9').v3['core-test'].entry({ plate_number: 5 as never }));
    await capture(() => testClient(keys.v2Key));
    await capture(() => testClient('http://127.0.0.1:9', { mchId: keys.v2Key }));
    await capture(() => testClient('http://127.0.0.1:9', { v2: { apiKey: keys.apiV3Key.slice(1) } }));
    await capture(() => testClient('http://127.0.0.1:9').chain(keys.v2Key as never));
    await capture(() => createV2ApiKey(keys.v2Key.slice(2)));
    await capture(() => createApiV3Key(keys.apiV3Key.slice(3)));
    await capture(() => loadPlatformPublicKey(keys.v2Key, keys.platform.publicPem));
    await capture(() => loadPlatformPublicKey(keys.platformKeyId, `${keys.merchant.privatePem}x`));

    const required: (
      | WxparkErrorCode
      | ValidationErrorCode
      | SignatureErrorCode
      | TransportErrorCode
      | ApiErrorCode
    )[] = [
      'UNREACHABLE',
      'TIMEOUT',
      'NETWORK',
      'RESPONSE_TOO_LARGE',
      'HTTP_STATUS',
      'PARAM_ERROR',
      'RETURN_CODE_FAIL',
      'RESULT_CODE_FAIL',
      'MISSING_SIGN',
      'SIGNATURE_MISMATCH',
      'UNKNOWN_SERIAL',
      'TIMESTAMP_OUT_OF_WINDOW',
      'SIGNATURE_PROBE',
      'MISSING_HEADER',
      'MALFORMED_HEADER',
      'UNSUPPORTED_ALGORITHM',
      'MALFORMED_RESPONSE',
      'VERIFY_FAILED',
      'NO_PLATFORM_CERTIFICATES',
      'PLATFORM_KEYS_UNAVAILABLE',
      'MALFORMED_NOTICE',
      'DECRYPT_FAILED',
      'BODY_TOO_LARGE',
      'BODY_ALREADY_READ',
      'VALIDATION_FAILED',
      'INVALID_OPTIONS',
      'UNKNOWN_ROUTE',
      'INVALID_V2_KEY',
      'INVALID_APIV3_KEY',
      'INVALID_ARGUMENT',
      'INVALID_KEY',
    ];
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining(required));
    expect(secrets.size).toBeGreaterThan(6);
    for (const [code, error] of seen) {
      expect(WxparkError.isInstance(error) || SignerError.isInstance(error), code).toBe(true);
      for (const text of renderings(error)) {
        for (const secret of secrets) expect(text.includes(secret), `${code} shows a secret`).toBe(false);
        expect(text, code).not.toMatch(/-----BEGIN|WECHATPAY2-SHA256-RSA2048 mchid=|authorization/i);
      }
    }
  }, 60_000);
});
