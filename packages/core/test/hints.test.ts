import { generateKeyPairSync } from 'node:crypto';
import { parseXml } from '@wxpark/xml';
import { describe, expect, it } from 'vitest';
import { ApiError, SignatureError, ValidationError } from '../src/errors.ts';
import { keys, listen, readBody, signedV2Body, signedV3Headers, testClient } from './helpers.ts';

const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

describe('errors that say what to do', () => {
  it('says an answer that fails verification means a mismatched WeChat Pay key, names it, and that the call arrived', async () => {
    const body = '{}';
    const headers = await signedV3Headers(body, keys.platformKeyId, otherKey);
    const server = await listen((_req, res) => res.writeHead(200, headers).end(body));
    const error = (await testClient(server.url)
      .v3['core-test'].entry({})
      .catch((e: unknown) => e)) as SignatureError;
    expect(SignatureError.isInstance(error)).toBe(true);
    expect(error.code).toBe('SIGNATURE_MISMATCH');
    expect(error.hint).toContain(keys.platformKeyId);
    expect(error.hint).toMatch(/public key or certificate/);
    expect(error.hint).toMatch(/reached WeChat Pay.*query its state/);
    expect(error.hint).not.toMatch(/raw body|re-serialised/);
  });

  it('gives APIv2 SIGNERROR a hint: the APIv2 key, not the APIv3 key, of the merchant in mch_id', async () => {
    const answers = [
      '<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>',
      signedV2Body({
        return_code: 'SUCCESS',
        result_code: 'FAIL',
        err_code: 'SIGNERROR',
        err_code_des: '签名错误',
      }),
    ];
    for (const answer of answers) {
      const server = await listen((_req, res) => res.end(answer));
      const error = (await testClient(server.url)
        .v2['core-test'].notification({})
        .catch((e: unknown) => e)) as ApiError;
      expect(ApiError.isInstance(error)).toBe(true);
      expect(error.hint).toMatch(/APIv2 key \(not the APIv3 key\) of merchant 1900000100/);
    }
  });

  it('fills mch_id and appid from the client options when APIv2 data leaves them out', async () => {
    const sent: Record<string, string>[] = [];
    const server = await listen(async (req, res) => {
      sent.push(parseXml(await readBody(req)));
      res.end(signedV2Body({ return_code: 'SUCCESS', result_code: 'SUCCESS' }));
    });
    const client = testClient(server.url, { appId: 'wx1234567890abcdef' });
    await client.v2['core-test'].notification({ plate_number: '粤B888888' });
    expect(sent[0]).toMatchObject({
      mch_id: keys.mchId,
      appid: 'wx1234567890abcdef',
      plate_number: '粤B888888',
    });
    await client.v2['core-test'].notification({ mch_id: keys.mchId, appid: 'wx1234567890abcdef' });
    expect(sent).toHaveLength(2);
  });

  it('refuses APIv2 data whose mch_id or appid disagrees with the client options, before sending', async () => {
    let hits = 0;
    const server = await listen((_req, res) => {
      hits++;
      res.end();
    });
    const client = testClient(server.url, { appId: 'wx1234567890abcdef' });
    const error = (await client.v2['core-test']
      .notification({ mch_id: '1900000999', appid: keys.v2Key })
      .catch((e: unknown) => e)) as ValidationError;
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.issues.map((issue) => issue.path)).toEqual(['mch_id', 'appid']);
    expect(error.message).not.toContain(keys.v2Key);
    expect(error.issues[1]!.received).toBe('a string of 32 characters');
    expect(hits).toBe(0);
  });

  it.each([
    ['baseUrl', { baseUrl: keys.v2Key }],
    ['mchId', { mchId: keys.v2Key }],
    ['appId', { appId: keys.v2Key }],
    ['backupBaseUrls', { backupBaseUrls: [keys.v2Key] }],
    ['timeout', { timeout: keys.v2Key as never }],
    ['retry.limit', { retry: { limit: keys.v2Key as never } }],
  ])('describes a 32-character %s by its shape, never echoing it', (_name, options) => {
    let error: unknown;
    try {
      testClient('http://127.0.0.1:9', options);
    } catch (caught) {
      error = caught;
    }
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain(keys.v2Key);
    expect((error as ValidationError).message).toContain('a string of 32 characters');
  });
});
