import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildV2SignString,
  createV2ApiKey,
  signV2,
  type V2Params,
  type V2SignType,
  verifyV2,
} from '../src/index.ts';
import { expectCode } from './helpers.ts';

// WeChat Pay's published APIv2 signing example.
const example = {
  appid: 'wxd930ea5d5a258f4f',
  mch_id: '10000100',
  device_info: '1000',
  body: 'test',
  nonce_str: 'ibuaiVcKdpRxkhJA',
} as const;
const exampleKey = createV2ApiKey('192006250b4c09247ec02edce69f6a2d');
const otherKey = createV2ApiKey('0123456789abcdefghijklmnopqrstuv');
const signTypes: V2SignType[] = ['MD5', 'HMAC-SHA256'];

describe('buildV2SignString', () => {
  it('sorts fields by ASCII and joins them as k=v with &, without the key suffix', () => {
    expect(buildV2SignString(example)).toBe(
      'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA',
    );
  });

  it('leaves out sign and fields that are undefined, null or empty', () => {
    const text = buildV2SignString({
      ...example,
      sign: 'ABC',
      attach: '',
      detail: undefined,
      goods_tag: null,
    });
    expect(text).toBe(buildV2SignString(example));
  });

  it('uses values raw: no trimming, no URL encoding, numbers as written', () => {
    expect(buildV2SignString({ b: ' 粤B 888&88 ', a: 1200, c: 0 })).toBe('a=1200&b= 粤B 888&88 &c=0');
  });

  it('orders uppercase before lowercase and _ between them, as ASCII does', () => {
    expect(buildV2SignString({ b: '1', B: '2', _a: '3', a: '4' })).toBe('B=2&_a=3&a=4&b=1');
  });

  it('refuses a value that is neither a string nor a finite number, naming the field', () => {
    for (const value of [true, {}, ['x'], Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = expectCode(
        () => buildV2SignString({ ...example, total_fee: value } as unknown as V2Params),
        'INVALID_ARGUMENT',
      );
      expect(error.message).toContain('params.total_fee');
    }
  });
});

describe('signV2', () => {
  it("matches WeChat Pay's published MD5 example", () => {
    expect(signV2(example, exampleKey, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it("matches WeChat Pay's published HMAC-SHA256 example", () => {
    expect(signV2(example, exampleKey, 'HMAC-SHA256')).toBe(
      '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
    );
  });

  it('ignores an existing sign field, so a signed object signs the same', () => {
    expect(signV2({ ...example, sign: 'WHATEVER' }, exampleKey, 'MD5')).toBe(
      '9A0A8659F005D6984697E2CA0A9CF3B7',
    );
  });

  it('signs sign_type like any other field', () => {
    const withType = { ...example, sign_type: 'HMAC-SHA256' };
    expect(signV2(withType, exampleKey, 'HMAC-SHA256')).not.toBe(signV2(example, exampleKey, 'HMAC-SHA256'));
  });

  it('refuses an unknown sign type instead of falling back to one', () => {
    for (const type of ['SHA256', 'md5', 'HMAC-SHA1', '']) {
      const error = expectCode(() => signV2(example, exampleKey, type as V2SignType), 'INVALID_ARGUMENT');
      expect(error.message).toContain('signType');
    }
  });

  it('refuses a raw string key or a forged holder', () => {
    const raw = expectCode(
      () => signV2(example, '192006250b4c09247ec02edce69f6a2d' as never, 'MD5'),
      'INVALID_ARGUMENT',
    );
    expect(raw.hint).toContain('createV2ApiKey');
    expect(raw.message).not.toContain('192006250b4c09247ec02edce69f6a2d');
    expectCode(
      () => signV2(example, Object.create(Object.getPrototypeOf(exampleKey)) as never, 'MD5'),
      'INVALID_ARGUMENT',
    );
  });
});

describe('verifyV2', () => {
  for (const signType of signTypes) {
    const signed = { ...example, sign: signV2(example, exampleKey, signType) };

    it(`accepts fields signed with ${signType}`, () => {
      expect(verifyV2(signed, exampleKey, signType)).toBe(true);
    });

    it(`accepts a lowercase ${signType} signature`, () => {
      expect(verifyV2({ ...signed, sign: signed.sign.toLowerCase() }, exampleKey, signType)).toBe(true);
    });

    it(`rejects ${signType} fields when any single field is tampered with`, () => {
      for (const name of Object.keys(example) as (keyof typeof example)[]) {
        expect(verifyV2({ ...signed, [name]: `${example[name]}x` }, exampleKey, signType), name).toBe(false);
        expect(verifyV2({ ...signed, [name]: undefined }, exampleKey, signType), `${name} removed`).toBe(
          false,
        );
      }
      expect(verifyV2({ ...signed, extra: '1' }, exampleKey, signType), 'field added').toBe(false);
    });

    it(`rejects ${signType} fields signed with another key`, () => {
      expect(verifyV2(signed, otherKey, signType)).toBe(false);
    });

    it(`rejects ${signType} fields whose sign is missing, empty, non-hex or of the wrong length`, () => {
      const { sign: _, ...unsigned } = signed;
      expect(verifyV2(unsigned, exampleKey, signType)).toBe(false);
      expect(verifyV2({ ...signed, sign: '' }, exampleKey, signType)).toBe(false);
      expect(verifyV2({ ...signed, sign: signed.sign.slice(1) }, exampleKey, signType)).toBe(false);
      expect(verifyV2({ ...signed, sign: `${signed.sign}0` }, exampleKey, signType)).toBe(false);
      expect(verifyV2({ ...signed, sign: `${signed.sign.slice(0, -1)}Ł` }, exampleKey, signType)).toBe(false);
      expect(verifyV2({ ...signed, sign: 12345 }, exampleKey, signType)).toBe(false);
    });
  }

  it('rejects a signature made with the other sign type: the algorithm is never guessed from the length', () => {
    const md5 = { ...example, sign: signV2(example, exampleKey, 'MD5') };
    const hmac = { ...example, sign: signV2(example, exampleKey, 'HMAC-SHA256') };
    expect(verifyV2(md5, exampleKey, 'HMAC-SHA256')).toBe(false);
    expect(verifyV2(hmac, exampleKey, 'MD5')).toBe(false);
  });
});

const fieldName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/).filter((name) => name !== 'sign');
const fieldValue = fc.oneof(fc.string({ minLength: 1, unit: 'grapheme' }), fc.integer());
const fields = fc.dictionary(fieldName, fieldValue, { minKeys: 1, maxKeys: 12 });
const signType = fc.constantFrom<V2SignType>('MD5', 'HMAC-SHA256');

describe('signV2 and verifyV2 properties', () => {
  it('verify accepts what sign produced, for any fields', () => {
    fc.assert(
      fc.property(fields, signType, (params, type) => {
        return verifyV2({ ...params, sign: signV2(params, exampleKey, type) }, exampleKey, type);
      }),
    );
  });

  it('changing any one value breaks the signature', () => {
    fc.assert(
      fc.property(fields, signType, fc.nat(), fc.string({ minLength: 1 }), (params, type, pick, suffix) => {
        const names = Object.keys(params);
        const name = names[pick % names.length]!;
        const signed = { ...params, sign: signV2(params, exampleKey, type) };
        return !verifyV2({ ...signed, [name]: `${params[name]}${suffix}` }, exampleKey, type);
      }),
    );
  });
});
