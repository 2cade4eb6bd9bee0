import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildV3VerifyMessage,
  createRsaSigner,
  loadPlatformCertificate,
  loadPlatformPublicKey,
  PlatformKeySet,
  readWechatpayHeaders,
  type SignatureVerifier,
  signV3Response,
  type VerifyV3Options,
  verifyV3Signature,
  type WechatpayHeaders,
} from '../src/index.ts';
import { expectCode, expectRejectCode, opensslVerifies, rsaPair, selfSignedCertificate } from './helpers.ts';

const wechat = rsaPair();
const impostor = rsaPair();
const publicKeyId = 'PUB_KEY_ID_0114232134912410000000000000';
const wechatKey = loadPlatformPublicKey(publicKeyId, wechat.publicPem);
const keys = new PlatformKeySet([wechatKey]);

const nowMs = 1_767_225_600_000;
const now = () => nowMs;
const timestamp = String(nowMs / 1000);
const nonce = 'Xk3Jq9mZ2wR7vB1n';
const body = '{"serial_number":"5K8264ILTKCH16CQ250","plate_number":"粤B888888","state":"IN"}';

// Signed with raw node:crypto, independently of the code under test.
function signResponse(privateKey = wechat.privateKey, ts = timestamp, n = nonce, b = body): string {
  return sign('sha256', Buffer.from(`${ts}\n${n}\n${b}\n`, 'utf8'), privateKey).toString('base64');
}

function headersFor(overrides: Partial<WechatpayHeaders> = {}): WechatpayHeaders {
  return { timestamp, nonce, signature: signResponse(), serial: publicKeyId, ...overrides };
}

function options(overrides: Partial<VerifyV3Options> = {}): VerifyV3Options {
  return { headers: headersFor(), body, verifier: keys, now, ...overrides };
}

describe('verifyV3Signature', () => {
  it('accepts a response signed by the WeChat Pay public key', async () => {
    await expect(verifyV3Signature(options())).resolves.toBeUndefined();
  });

  it('accepts the body as raw bytes', async () => {
    await expect(
      verifyV3Signature(options({ body: new TextEncoder().encode(body) })),
    ).resolves.toBeUndefined();
  });

  it('accepts an empty 204 body', async () => {
    const headers = headersFor({ signature: signResponse(wechat.privateKey, timestamp, nonce, '') });
    await expect(verifyV3Signature(options({ headers, body: '' }))).resolves.toBeUndefined();
  });

  it('keeps a byte order mark in a raw body, as it was signed', async () => {
    const withBom = `\uFEFF${body}`;
    const headers = headersFor({ signature: signResponse(wechat.privateKey, timestamp, nonce, withBom) });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
    await expect(verifyV3Signature(options({ headers, body: bytes }))).resolves.toBeUndefined();
  });

  it('rejects a response whose signature was made with another key', async () => {
    const headers = headersFor({ signature: signResponse(impostor.privateKey) });
    const error = await expectRejectCode(verifyV3Signature(options({ headers })), 'SIGNATURE_MISMATCH');
    expect(error.hint).toContain('raw body exactly as received');
  });

  it('rejects a tampered body, nonce, timestamp or signature with SIGNATURE_MISMATCH', async () => {
    const signature = signResponse();
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const cases: Partial<VerifyV3Options>[] = [
      { body: body.replace('IN', 'OUT') },
      { body: `${body} ` },
      { headers: headersFor({ nonce: `${nonce}x` }) },
      { headers: headersFor({ timestamp: String(Number(timestamp) + 1) }) },
      { headers: headersFor({ signature: flipped }) },
    ];
    for (const overrides of cases)
      await expectRejectCode(verifyV3Signature(options(overrides)), 'SIGNATURE_MISMATCH');
  });

  it('rejects a body that was parsed and re-serialised', async () => {
    const pretty = '{\n  "plate_number": "粤B888888",\n  "state": "IN"\n}';
    const headers = headersFor({ signature: signResponse(wechat.privateKey, timestamp, nonce, pretty) });
    await expect(verifyV3Signature(options({ headers, body: pretty }))).resolves.toBeUndefined();
    const reserialised = JSON.stringify(JSON.parse(pretty));
    await expectRejectCode(verifyV3Signature(options({ headers, body: reserialised })), 'SIGNATURE_MISMATCH');
  });

  it('rejects a signature that is not base64 as a mismatch, without crashing', async () => {
    for (const signature of ['not base64!!', '====', 'YWJj', 'A', `${signResponse()}AAAA`, '中文']) {
      await expectRejectCode(
        verifyV3Signature(options({ headers: headersFor({ signature }) })),
        'SIGNATURE_MISMATCH',
      );
    }
  });

  it('rejects a raw body that is not valid UTF-8 as a mismatch', async () => {
    await expectRejectCode(
      verifyV3Signature(options({ body: Uint8Array.of(0x7b, 0xff, 0x7d) })),
      'SIGNATURE_MISMATCH',
    );
  });

  it('verifies a raw body after one that was cut inside a character: no decoding state carries over', async () => {
    const bytes = new TextEncoder().encode(body);
    const cut = bytes.subarray(0, bytes.indexOf(0xe7) + 1); // the first byte of 粤 alone
    await expectRejectCode(verifyV3Signature(options({ body: cut })), 'SIGNATURE_MISMATCH');
    await expect(verifyV3Signature(options({ body: bytes }))).resolves.toBeUndefined();
  });

  it('verifies an empty 204 body given as bytes', async () => {
    const headers = headersFor({ signature: signResponse(wechat.privateKey, timestamp, nonce, '') });
    await expect(verifyV3Signature(options({ headers, body: new Uint8Array(0) }))).resolves.toBeUndefined();
  });

  it('rejects a response signed under another serial with UNKNOWN_SERIAL', async () => {
    const error = await expectRejectCode(
      verifyV3Signature(options({ headers: headersFor({ serial: 'PUB_KEY_ID_0199999999999999' }) })),
      'UNKNOWN_SERIAL',
    );
    expect(error.message).toContain('PUB_KEY_ID_0199999999999999');
    expect(error.message).toContain(publicKeyId);
  });

  for (const [name, field] of [
    ['Wechatpay-Timestamp', 'timestamp'],
    ['Wechatpay-Nonce', 'nonce'],
    ['Wechatpay-Signature', 'signature'],
    ['Wechatpay-Serial', 'serial'],
  ] as const) {
    it(`rejects a response without ${name} (absent or empty) with MISSING_HEADER naming it`, async () => {
      for (const value of [undefined, '']) {
        const error = await expectRejectCode(
          verifyV3Signature(options({ headers: headersFor({ [field]: value }) })),
          'MISSING_HEADER',
        );
        expect(error.message).toContain(name);
      }
    });
  }

  it('names every missing header at once', async () => {
    const error = await expectRejectCode(verifyV3Signature(options({ headers: {} })), 'MISSING_HEADER');
    expect(error.message).toContain(
      'Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature, Wechatpay-Serial',
    );
  });

  it('accepts the documented signature type and refuses any other', async () => {
    await expect(
      verifyV3Signature(options({ headers: headersFor({ signatureType: 'WECHATPAY2-SHA256-RSA2048' }) })),
    ).resolves.toBeUndefined();
    await expectRejectCode(
      verifyV3Signature(options({ headers: headersFor({ signatureType: 'WECHATPAY2-SM2-WITH-SM3' }) })),
      'UNSUPPORTED_ALGORITHM',
    );
  });

  it('refuses a WECHATPAY/SIGNTEST/ probe, even from a verifier that accepts everything', async () => {
    const gullible: SignatureVerifier = { verify: () => true };
    const headers = headersFor({ signature: 'WECHATPAY/SIGNTEST/c2lnbmF0dXJl' });
    const error = await expectRejectCode(
      verifyV3Signature(options({ headers, verifier: gullible })),
      'SIGNATURE_PROBE',
    );
    expect(error.hint).toContain('probes');
  });

  it('refuses a timestamp that is not 1 to 12 digits with MALFORMED_HEADER', async () => {
    for (const bad of ['abc', '-1', '1767225600.5', ' 1767225600', '1234567890123', '0x10']) {
      await expectRejectCode(
        verifyV3Signature(options({ headers: headersFor({ timestamp: bad }) })),
        'MALFORMED_HEADER',
      );
    }
  });

  describe('timestamp window', () => {
    function at(offsetSeconds: number): Partial<VerifyV3Options> {
      const ts = String(Number(timestamp) + offsetSeconds);
      return { headers: headersFor({ timestamp: ts, signature: signResponse(wechat.privateKey, ts) }) };
    }

    it('accepts a response signed 299 s ago or 299 s ahead', async () => {
      await expect(verifyV3Signature(options(at(-299)))).resolves.toBeUndefined();
      await expect(verifyV3Signature(options(at(299)))).resolves.toBeUndefined();
    });

    it('refuses a response signed 301 s ago with TIMESTAMP_OUT_OF_WINDOW and a clock hint', async () => {
      const error = await expectRejectCode(verifyV3Signature(options(at(-301))), 'TIMESTAMP_OUT_OF_WINDOW');
      expect(error.hint).toContain('NTP');
      expect(error.message).toContain('301 s behind');
    });

    it('refuses a response signed 301 s in the future with TIMESTAMP_OUT_OF_WINDOW', async () => {
      const error = await expectRejectCode(verifyV3Signature(options(at(301))), 'TIMESTAMP_OUT_OF_WINDOW');
      expect(error.message).toContain('301 s ahead');
    });

    it('honours a custom window', async () => {
      await expectRejectCode(
        verifyV3Signature(options({ ...at(-61), windowSeconds: 60 })),
        'TIMESTAMP_OUT_OF_WINDOW',
      );
      await expect(verifyV3Signature(options({ ...at(-59), windowSeconds: 60 }))).resolves.toBeUndefined();
    });

    it('checks the window before asking the verifier', async () => {
      let asked = false;
      const verifier: SignatureVerifier = {
        verify: () => {
          asked = true;
          return true;
        },
      };
      await expectRejectCode(
        verifyV3Signature(options({ ...at(-1000), verifier })),
        'TIMESTAMP_OUT_OF_WINDOW',
      );
      expect(asked).toBe(false);
    });
  });

  it('passes its clock to the verifier and propagates whatever the verifier throws', async () => {
    const seen: number[] = [];
    const failure = new Error('certificate download failed');
    const verifier: SignatureVerifier = {
      verify: async (_serial, _message, _signature, context) => {
        seen.push(context!.now);
        throw failure;
      },
    };
    await expect(verifyV3Signature(options({ verifier }))).rejects.toBe(failure);
    expect(seen).toEqual([nowMs]);
  });

  it('treats a verifier answer other than true as a mismatch', async () => {
    for (const answer of [false, undefined, 'yes', 1]) {
      const verifier = { verify: () => answer } as unknown as SignatureVerifier;
      await expectRejectCode(verifyV3Signature(options({ verifier })), 'SIGNATURE_MISMATCH');
    }
  });

  it('refuses options out of shape with INVALID_ARGUMENT', async () => {
    await expectRejectCode(
      verifyV3Signature(options({ verifier: {} as SignatureVerifier })),
      'INVALID_ARGUMENT',
    );
    await expectRejectCode(verifyV3Signature(options({ windowSeconds: -1 })), 'INVALID_ARGUMENT');
    await expectRejectCode(verifyV3Signature(options({ body: { a: 1 } as never })), 'INVALID_ARGUMENT');
  });
});

describe('platform certificates', () => {
  const cert = selfSignedCertificate({ days: 1, serial: '0x3A7F0C2E9B1D4F6A8C0E2B4D6F8A1C3E5B7D9F01' });
  const certKey = loadPlatformCertificate(cert.certPem);
  const certSigner = createRsaSigner(cert.keyPem);
  const day = 86_400_000;
  const validAt = certKey.notBefore!.getTime() + 60_000;

  async function signedAt(instant: number): Promise<VerifyV3Options> {
    const ts = String(Math.floor(instant / 1000));
    const signature = await signV3Response(certSigner, ts, nonce, body);
    return {
      headers: { timestamp: ts, nonce, signature, serial: certKey.id },
      body,
      verifier: new PlatformKeySet([certKey]),
      now: () => instant,
    };
  }

  it('accepts a response signed with a platform certificate inside its validity', async () => {
    await expect(verifyV3Signature(await signedAt(validAt))).resolves.toBeUndefined();
  });

  it('finds the certificate when the serial arrives in lowercase', async () => {
    const opts = await signedAt(validAt);
    await expect(
      verifyV3Signature({ ...opts, headers: { ...opts.headers, serial: certKey.id.toLowerCase() } }),
    ).resolves.toBeUndefined();
  });

  it('refuses a response verified after the certificate expired, with EXPIRED_KEY', async () => {
    const error = await expectRejectCode(
      verifyV3Signature(await signedAt(certKey.notAfter!.getTime() + day)),
      'EXPIRED_KEY',
    );
    expect(error.message).toContain(certKey.id);
  });

  it('refuses a response verified before the certificate became valid, with EXPIRED_KEY', async () => {
    await expectRejectCode(
      verifyV3Signature(await signedAt(certKey.notBefore!.getTime() - day)),
      'EXPIRED_KEY',
    );
  });

  it('judges validity by the set’s own clock when called directly', () => {
    const message = buildV3VerifyMessage(timestamp, nonce, body);
    const signature = certSigner.sign(message) as string;
    const later = new PlatformKeySet([certKey], { now: () => certKey.notAfter!.getTime() + 1 });
    expectCode(() => later.verify(certKey.id, message, signature), 'EXPIRED_KEY');
    const current = new PlatformKeySet([certKey], { now: () => validAt });
    expect(current.verify(certKey.id, message, signature)).toBe(true);
    // An explicit context wins over the set's clock.
    expect(later.verify(certKey.id, message, signature, { now: validAt })).toBe(true);
  });

  it('holds a certificate and the public key side by side during a switch-over', async () => {
    const both = new PlatformKeySet([certKey, wechatKey]);
    const viaCert = await signedAt(validAt);
    await expect(verifyV3Signature({ ...viaCert, verifier: both })).resolves.toBeUndefined();
    await expect(verifyV3Signature(options({ verifier: both }))).resolves.toBeUndefined();
  });
});

describe('PlatformKeySet', () => {
  const other = loadPlatformPublicKey('PUB_KEY_ID_0200000000000000', impostor.publicPem);

  it('adds, replaces, finds, lists and deletes keys by id', () => {
    const set = new PlatformKeySet();
    expect(set.size).toBe(0);
    set.add(wechatKey);
    set.add(other);
    set.add(wechatKey);
    expect(set.size).toBe(2);
    expect(set.ids()).toEqual([publicKeyId, 'PUB_KEY_ID_0200000000000000']);
    expect(set.has(publicKeyId)).toBe(true);
    expect(set.get(publicKeyId)).toBe(wechatKey);
    expect(set.delete(publicKeyId)).toBe(true);
    expect(set.delete(publicKeyId)).toBe(false);
    expect(set.get(publicKeyId)).toBeUndefined();
    expect(set.ids()).toEqual(['PUB_KEY_ID_0200000000000000']);
  });

  it('refuses something that is not a PlatformKey', () => {
    const set = new PlatformKeySet();
    for (const bad of [
      null,
      {},
      { id: 'x' },
      { id: '', publicKey: wechat.publicKey },
      { id: 'x', publicKey: wechat.privateKey },
    ]) {
      expectCode(() => set.add(bad as never), 'INVALID_ARGUMENT');
    }
  });

  it('throws UNKNOWN_SERIAL for an id it does not hold', () => {
    expectCode(() => new PlatformKeySet().verify('ABC', 'm', 'c2ln'), 'UNKNOWN_SERIAL');
  });
});

describe('readWechatpayHeaders', () => {
  const expected = {
    timestamp: '1767225600',
    nonce: 'abc',
    signature: 'c2ln',
    serial: 'PUB_KEY_ID_1',
    signatureType: 'WECHATPAY2-SHA256-RSA2048',
  };

  it('reads the Wechatpay-* headers from Fetch Headers', () => {
    const headers = new Headers({
      'Wechatpay-Timestamp': '1767225600',
      'Wechatpay-Nonce': 'abc',
      'Wechatpay-Signature': 'c2ln',
      'Wechatpay-Serial': 'PUB_KEY_ID_1',
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
      'Request-ID': 'x',
    });
    expect(readWechatpayHeaders(headers)).toEqual(expected);
  });

  it('reads them from a plain record case-insensitively, as node:http gives them', () => {
    const record = {
      'wechatpay-timestamp': '1767225600',
      'WECHATPAY-NONCE': 'abc',
      'Wechatpay-Signature': ['c2ln'],
      'wechatpay-serial': 'PUB_KEY_ID_1',
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'content-type': undefined,
    };
    expect(readWechatpayHeaders(record)).toEqual(expected);
  });

  it('leaves absent headers out and joins repeated ones so they cannot verify', () => {
    expect(readWechatpayHeaders({ 'wechatpay-nonce': ['a', 'b'] })).toEqual({ nonce: 'a, b' });
    expect(readWechatpayHeaders(new Headers())).toEqual({});
  });
});

describe('signV3Response', () => {
  it('signs the verify message so that openssl and verifyV3Signature accept it', async () => {
    const signature = await signV3Response(createRsaSigner(wechat.privateKey), timestamp, nonce, body);
    expect(opensslVerifies(wechat.publicPem, `${timestamp}\n${nonce}\n${body}\n`, signature)).toBe(true);
    await expect(verifyV3Signature(options({ headers: headersFor({ signature }) }))).resolves.toBeUndefined();
  });

  it('builds the message as TIMESTAMP\\nNONCE\\nBODY\\n', () => {
    expect(buildV3VerifyMessage('1', 'n', '')).toBe('1\nn\n\n');
  });
});
