import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerOf,
  apiV3,
  createClient,
  definePackage,
  defineRoute,
  object,
  ValidationError,
} from '../src/index.ts';

const v3Package = definePackage({
  name: 'options-test',
  v3: apiV3,
  routes: {
    'v3/options-test': defineRoute({
      protocol: 'v3',
      method: 'POST',
      path: '/v3/options-test',
      title: 'options test',
      request: object({}),
      response: answerOf<Record<string, never>>()({}),
    }),
  },
});
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const apiV3Key = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6';

function optionsError(options: Parameters<typeof createClient>[0]): ValidationError {
  try {
    createClient(options, [v3Package]);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('createClient accepted the options');
}

describe('options that hold a misplaced secret are refused without echoing it', () => {
  it.each([
    ['the APIv3 key given as v3', { mchId: '1900000100', v3: apiV3Key as never }, 'options.v3'],
    [
      'the APIv3 key pasted into serialNo',
      { mchId: '1900000100', v3: { serialNo: apiV3Key, privateKey: privatePem, apiV3Key } },
      'options.v3.serialNo',
    ],
    [
      'a public-key id that is not one',
      {
        mchId: '1900000100',
        v3: { serialNo: 'ABCDEF', privateKey: privatePem, publicKey: { id: apiV3Key, key: publicPem } },
      },
      'options.v3.publicKey',
    ],
    [
      'a private key given as the public key',
      {
        mchId: '1900000100',
        v3: {
          serialNo: 'ABCDEF',
          privateKey: privatePem,
          publicKey: { id: 'PUB_KEY_ID_0100', key: privatePem },
        },
      },
      'options.v3.publicKey',
    ],
  ])('%s', (_name, options, field) => {
    const error = optionsError(options);
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.issues.map((issue) => issue.path)).toContain(field);
    const printed = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(printed).not.toContain(apiV3Key);
    expect(printed).not.toContain('PRIVATE KEY');
  });
});

describe('host URLs', () => {
  it.each([
    [
      'baseUrl',
      { mchId: '1900000100', baseUrl: 'https://merchant:hunter2-pass@proxy.example' },
      'options.baseUrl',
    ],
    [
      'a backup host',
      {
        mchId: '1900000100',
        baseUrl: 'https://proxy.example',
        backupBaseUrls: ['https://merchant:hunter2-pass@backup.example'],
      },
      'options.backupBaseUrls[0]',
    ],
  ])('refuses user info (a password) in %s at creation, without echoing it', (_name, options, field) => {
    const v3 = {
      serialNo: 'ABCDEF',
      privateKey: privatePem,
      publicKey: { id: 'PUB_KEY_ID_0100', key: publicPem },
    };
    const error = optionsError({ ...options, v3 });
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.issues.map((issue) => issue.path)).toContain(field);
    const printed = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(printed).not.toContain('hunter2-pass');
  });
});

describe('options checked per protocol', () => {
  const v3 = {
    serialNo: 'ABCDEF',
    privateKey: privatePem,
    publicKey: { id: 'PUB_KEY_ID_0100', key: publicPem },
  };

  it('an APIv3-only client leaves APIv2 options to the APIv2 support its packages do not bring', () => {
    const options = {
      mchId: '1900000100',
      v3,
      v2: { apiKey: 'too short' },
      clientCertificate: { cert: 'not a certificate' } as never,
    };
    expect(() => createClient(options, [v3Package])).not.toThrow();
  });

  it('an APIv3 client still refuses its own options with every issue at once', () => {
    const error = optionsError({
      mchId: '1900000100',
      v3: { ...v3, serialNo: 'not hex' },
      maxResponseBytes: 1,
    });
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'options.maxResponseBytes',
      'options.v3.serialNo',
    ]);
  });
});
