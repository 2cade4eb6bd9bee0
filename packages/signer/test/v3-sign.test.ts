import { verify } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  type AuthorizationInput,
  buildV3SignMessage,
  createAuthorization,
  createRsaSigner,
  parseAuthorization,
  type RequestSigner,
} from '../src/index.ts';
import { expectCode, expectRejectCode, opensslVerifies, rsaPair } from './helpers.ts';

const merchant = rsaPair();
const stranger = rsaPair();
const signer = createRsaSigner(merchant.privatePem);
const body = JSON.stringify({
  out_serial_number: 'ES20260101001',
  plate_number: '粤B888888',
  enter_timestamp: 1767225600,
});

const base: AuthorizationInput = {
  mchId: '1900000109',
  serialNo: '5c2a9d03f1e7b4a6c8d0e2f41357968acebdf024',
  signer,
  method: 'POST',
  url: '/v3/parking/reminders/entry?trace=1',
  body,
  timestamp: 1767225600,
  nonce: 'C5BA1F3E2A9D4E7B8F60A1B2C3D4E5F6',
};
const expectedMessage = `POST\n/v3/parking/reminders/entry?trace=1\n1767225600\nC5BA1F3E2A9D4E7B8F60A1B2C3D4E5F6\n${body}\n`;

describe('buildV3SignMessage', () => {
  it('joins method, url, timestamp, nonce and body with a newline after each', () => {
    expect(buildV3SignMessage('GET', '/v3/certificates', 1767225600, 'abc', '')).toBe(
      'GET\n/v3/certificates\n1767225600\nabc\n\n',
    );
    expect(buildV3SignMessage(base.method, base.url, '1767225600', base.nonce!, body)).toBe(expectedMessage);
  });
});

describe('createAuthorization', () => {
  it('produces a header whose signature openssl verifies over the documented message', async () => {
    const parsed = parseAuthorization(await createAuthorization(base));
    expect(opensslVerifies(merchant.publicPem, expectedMessage, parsed.signature)).toBe(true);
    expect(opensslVerifies(merchant.publicPem, expectedMessage.replace('粤', '京'), parsed.signature)).toBe(
      false,
    );
    expect(opensslVerifies(stranger.publicPem, expectedMessage, parsed.signature)).toBe(false);
  });

  it('produces a signature node:crypto verifies as SHA256withRSA PKCS#1 v1.5', async () => {
    const { signature } = parseAuthorization(await createAuthorization(base));
    const bytes = Buffer.from(signature, 'base64');
    expect(bytes).toHaveLength(256);
    expect(verify('sha256', Buffer.from(expectedMessage), merchant.publicKey, bytes)).toBe(true);
    expect(verify('sha256', Buffer.from(expectedMessage), stranger.publicKey, bytes)).toBe(false);
  });

  it('formats the header as WECHATPAY2-SHA256-RSA2048 with the five quoted fields, serial uppercased', async () => {
    const header = await createAuthorization(base);
    expect(header).toMatch(
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="C5BA1F3E2A9D4E7B8F60A1B2C3D4E5F6",timestamp="1767225600",serial_no="5C2A9D03F1E7B4A6C8D0E2F41357968ACEBDF024",signature="[A-Za-z0-9+/]+={0,2}"$/,
    );
    expect(parseAuthorization(header)).toEqual({
      mchid: '1900000109',
      nonce_str: 'C5BA1F3E2A9D4E7B8F60A1B2C3D4E5F6',
      timestamp: '1767225600',
      serial_no: '5C2A9D03F1E7B4A6C8D0E2F41357968ACEBDF024',
      signature: expect.stringMatching(/^[A-Za-z0-9+/]{342}==$/),
    });
  });

  it('defaults to the current time, a fresh 32-character nonce and an empty body', async () => {
    const { body: _, timestamp: __, nonce: ___, ...rest } = base;
    const first = parseAuthorization(
      await createAuthorization({ ...rest, method: 'GET', url: '/v3/certificates' }),
    );
    const second = parseAuthorization(
      await createAuthorization({ ...rest, method: 'GET', url: '/v3/certificates' }),
    );
    expect(Math.abs(Number(first.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(first.nonce_str).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(first.nonce_str).not.toBe(second.nonce_str);
    const message = buildV3SignMessage('GET', '/v3/certificates', first.timestamp, first.nonce_str, '');
    expect(opensslVerifies(merchant.publicPem, message, first.signature)).toBe(true);
  });

  it('accepts a remote (async) signer such as a KMS', async () => {
    const remote: RequestSigner = { sign: async (message) => signer.sign(message) };
    const local = await createAuthorization(base);
    expect(await createAuthorization({ ...base, signer: remote })).toBe(local);
  });

  const invalid: [field: keyof AuthorizationInput, value: unknown][] = [
    ['mchId', ''],
    ['mchId', '19000001O9'],
    ['mchId', 1900000109],
    ['serialNo', ''],
    ['serialNo', 'not-hex'],
    ['serialNo', 'PUB_KEY_ID_0114'],
    ['signer', {}],
    ['signer', null],
    ['method', 'post'],
    ['method', 'HEAD'],
    ['method', undefined],
    ['url', 'https://api.mch.weixin.qq.com/v3/certificates'],
    ['url', 'v3/certificates'],
    ['url', '//api.mch.weixin.qq.com/v3/certificates'],
    ['url', '/v3/parking/services/find?plate_number=粤B888888'],
    ['url', '/v3/a b'],
    ['url', '/v3/certificates#fragment'],
    ['url', '/v3/../v3/certificates'],
    ['url', "/v3/x?name=o'brien"],
    ['url', ''],
    ['body', 42],
    ['timestamp', -1],
    ['timestamp', 1.5],
    ['timestamp', '1767225600'],
    ['timestamp', 1767225600000],
    ['nonce', ''],
    ['nonce', 'a'.repeat(33)],
    ['nonce', 'abc-def'],
    ['nonce', 'abc def'],
  ];
  for (const [field, value] of invalid) {
    it(`refuses ${field} = ${JSON.stringify(value) ?? String(value)} with INVALID_ARGUMENT naming the field, before signing`, async () => {
      const sign = vi.fn(signer.sign.bind(signer));
      const input = { ...base, signer: { sign }, [field]: value } as AuthorizationInput;
      const error = await expectRejectCode(createAuthorization(input), 'INVALID_ARGUMENT');
      expect(error.message.startsWith(`${field} `)).toBe(true);
      expect(sign).not.toHaveBeenCalled();
    });
  }

  it('explains a timestamp given in milliseconds and a full URL', async () => {
    expect(
      (await expectRejectCode(createAuthorization({ ...base, timestamp: Date.now() }), 'INVALID_ARGUMENT'))
        .hint,
    ).toContain('milliseconds');
    const full = await expectRejectCode(
      createAuthorization({ ...base, url: 'https://api.mch.weixin.qq.com/v3/x' }),
      'INVALID_ARGUMENT',
    );
    expect(full.hint).toContain('not the scheme and host');
  });

  it('accepts percent-encoded queries and every method WeChat Pay uses', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const url = `/v3/parking/services/find?plate_number=${encodeURIComponent('粤B888888')}&appid=wx1`;
      await expect(createAuthorization({ ...base, method, url })).resolves.toContain(
        'WECHATPAY2-SHA256-RSA2048 ',
      );
    }
  });

  it('refuses a signer that returns something other than base64', async () => {
    for (const bad of ['', 'not base64!', 'a"b', 42]) {
      const error = await expectRejectCode(
        createAuthorization({ ...base, signer: { sign: () => bad as string } }),
        'INVALID_ARGUMENT',
      );
      expect(error.message).toContain('signer');
    }
  });

  it("lets a signer's own failure through unchanged", async () => {
    const failure = new Error('KMS unavailable');
    await expect(
      createAuthorization({ ...base, signer: { sign: async () => Promise.reject(failure) } }),
    ).rejects.toBe(failure);
  });
});

describe('createRsaSigner', () => {
  it('parses the key once, when it is created', () => {
    expectCode(() => createRsaSigner(merchant.publicPem), 'INVALID_KEY');
    expectCode(() => createRsaSigner('not a key'), 'INVALID_KEY');
  });

  it('signs synchronously with the merchant key', () => {
    const signature = signer.sign('hello\n');
    expect(typeof signature).toBe('string');
    expect(
      verify(
        'sha256',
        Buffer.from('hello\n'),
        merchant.publicKey,
        Buffer.from(signature as string, 'base64'),
      ),
    ).toBe(true);
  });
});

describe('parseAuthorization', () => {
  const header =
    'WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="abc",timestamp="1767225600",serial_no="ABC",signature="c2ln"';

  it('reads fields in any order, with spaces around commas, ignoring unknown fields', () => {
    expect(
      parseAuthorization(
        'WECHATPAY2-SHA256-RSA2048 signature="c2ln", serial_no="ABC" ,timestamp="1767225600",extra="1",nonce_str="abc",mchid="1900000109"',
      ),
    ).toEqual(parseAuthorization(header));
  });

  const malformed = [
    '',
    'Bearer abc',
    'WECHATPAY2-SHA256-RSA4096 mchid="1",nonce_str="a",timestamp="1",serial_no="A",signature="c2ln"',
    'WECHATPAY2-SHA256-RSA2048',
    header.replace(',signature="c2ln"', ''),
    header.replace('mchid="1900000109"', 'mchid=1900000109'),
    header.replace('nonce_str="abc"', 'nonce_str=""'),
    `${header},mchid="1900000110"`,
    header.replace('timestamp="1767225600"', 'timestamp="17672"25600"'),
  ];
  for (const bad of malformed) {
    it(`refuses ${JSON.stringify(bad.slice(0, 60))}… with MALFORMED_HEADER`, () => {
      expectCode(() => parseAuthorization(bad), 'MALFORMED_HEADER');
    });
  }
});
