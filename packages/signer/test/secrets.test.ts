import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ApiV3Key,
  createApiV3Key,
  createRsaSigner,
  createV2ApiKey,
  decryptAeadAes256Gcm,
  loadPrivateKey,
  signV2,
  V2ApiKey,
} from '../src/index.ts';
import { catchSignerError, expectCode, rsaPair } from './helpers.ts';

const v2Secret = 'Zq8pW3nR7tY1uI5oP9aS2dF6gH0jK4lX';
const v3Secret = 'mN3bV7cX1zL5kJ9hG2fD6sA0qW4eR8tY';
const pair = rsaPair();
// A stretch from the middle of the PEM body: appears in any output that leaks the key.
const pemFragment = pair.privatePem.split('\n')[5]!.slice(0, 40);

/** Every way a value commonly ends up in a log line. */
function renderings(value: unknown): string[] {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const console = new Console({ stdout: sink, stderr: sink });
  console.log(value);
  console.log('%s %o %O %j', value, value, value, value);
  console.error({ nested: { value } });
  console.dir(value, { showHidden: true, depth: 10 });
  return [
    String(value),
    `${value}`,
    `${String(value)}`,
    JSON.stringify(value),
    JSON.stringify({ config: { value } }),
    inspect(value),
    inspect({ value }, { showHidden: true, depth: Number.POSITIVE_INFINITY, getters: true }),
    format('%s %o %O %j', value, value, value, value),
    ...lines,
  ];
}

function expectNoLeak(value: unknown, secret: string): void {
  for (const text of renderings(value)) expect(text).not.toContain(secret);
}

describe('secret holders', () => {
  it('never reveal the APIv2 key when printed, serialised or inspected', () => {
    const key = createV2ApiKey(v2Secret);
    expectNoLeak(key, v2Secret);
    expect(String(key)).toBe('V2ApiKey(redacted)');
    expect(inspect(key)).toBe('V2ApiKey(redacted)');
    expect(JSON.stringify({ key })).toBe('{"key":"V2ApiKey(redacted)"}');
    expect(Object.keys(key)).toEqual([]);
    expect(key).toBeInstanceOf(V2ApiKey);
  });

  it('never reveal the APIv3 key when printed, serialised or inspected', () => {
    const key = createApiV3Key(v3Secret);
    expectNoLeak(key, v3Secret);
    expect(`${key}`).toBe('ApiV3Key(redacted)');
    expect(Object.keys(key)).toEqual([]);
    expect(key).toBeInstanceOf(ApiV3Key);
  });

  it('never reveal the private key through a signer made from it', () => {
    const signer = createRsaSigner(pair.privatePem);
    expectNoLeak(signer, pemFragment);
    for (const text of renderings(signer)) expect(text).not.toContain('PRIVATE KEY');
    expect(String(signer)).toBe('RsaSigner(redacted)');
  });

  it('print one redacted label through String, a template, JSON and inspect, for every holder', () => {
    const holders = [
      [createV2ApiKey(v2Secret), 'V2ApiKey(redacted)'],
      [createApiV3Key(v3Secret), 'ApiV3Key(redacted)'],
      [createRsaSigner(pair.privatePem), 'RsaSigner(redacted)'],
    ] as const;
    for (const [holder, label] of holders) {
      expect([String(holder), `${holder}`, JSON.stringify(holder), inspect(holder)]).toEqual([
        label,
        label,
        JSON.stringify(label),
        label,
      ]);
    }
  });

  it('never reveal a key through an error thrown while using it', () => {
    const errors = [
      catchSignerError(() => createV2ApiKey(`${v2Secret} `)),
      catchSignerError(() => createV2ApiKey(v2Secret.slice(1))),
      catchSignerError(() => createApiV3Key(`${v3Secret}\n`)),
      catchSignerError(() => signV2({ total_fee: {} } as never, createV2ApiKey(v2Secret), 'HMAC-SHA256')),
      catchSignerError(() => signV2({}, v2Secret as never, 'MD5')),
      catchSignerError(() =>
        decryptAeadAes256Gcm({
          key: createApiV3Key(v3Secret),
          nonce: 'uluk4a9R25RW',
          ciphertext: 'AAAAAAAAAAAAAAAAAAAAAAAA',
        }),
      ),
      catchSignerError(() => loadPrivateKey(pair.privatePem.replace('MII', 'XXX'))),
      catchSignerError(() => loadPrivateKey(pair.privatePem.replaceAll('\n', '\\n'))),
    ];
    for (const error of errors) {
      for (const text of renderings(error)) {
        expect(text).not.toContain(v2Secret.slice(1, 20));
        expect(text).not.toContain(v3Secret.slice(0, 20));
        expect(text).not.toContain(pemFragment);
      }
    }
  });
});

describe('createV2ApiKey', () => {
  it('accepts exactly 32 characters', () => {
    expect(createV2ApiKey(v2Secret)).toBeInstanceOf(V2ApiKey);
  });

  it('refuses other lengths and non-strings with INVALID_V2_KEY', () => {
    for (const secret of ['', v2Secret.slice(1), `${v2Secret}x`, ` ${v2Secret}`, 12345678, undefined]) {
      const error = expectCode(() => createV2ApiKey(secret as string), 'INVALID_V2_KEY');
      expect(error.message).toContain('32 characters');
    }
  });

  it('cannot be constructed around the length check', () => {
    const construct = V2ApiKey as unknown as new (secret: string) => V2ApiKey;
    expectCode(() => new construct('short'), 'INVALID_V2_KEY');
    const constructV3 = ApiV3Key as unknown as new (secret: string) => ApiV3Key;
    expectCode(() => new constructV3('short'), 'INVALID_APIV3_KEY');
  });
});

describe('createApiV3Key', () => {
  it('accepts exactly 32 bytes of UTF-8', () => {
    expect(createApiV3Key(v3Secret)).toBeInstanceOf(ApiV3Key);
    // 30 ASCII characters and one two-byte character: 31 characters, 32 bytes.
    expect(createApiV3Key(`${v3Secret.slice(0, 30)}é`)).toBeInstanceOf(ApiV3Key);
  });

  it('refuses other byte lengths with INVALID_APIV3_KEY and a hint about the APIv2 key', () => {
    for (const secret of ['', v3Secret.slice(1), `${v3Secret}x`, `${v3Secret.slice(0, 31)}é`, null]) {
      const error = expectCode(() => createApiV3Key(secret as string), 'INVALID_APIV3_KEY');
      expect(error.message).toContain('32 bytes');
      expect(error.hint).toContain('APIv2 key');
    }
  });
});
