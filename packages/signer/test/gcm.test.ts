import { createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createApiV3Key,
  decryptAeadAes256Gcm,
  decryptResource,
  type EncryptedResource,
  encryptAeadAes256Gcm,
} from '../src/index.ts';
import { expectCode } from './helpers.ts';

const rawKey = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
const key = createApiV3Key(rawKey);
const vector = {
  nonce: 'uluk4a9R25RW',
  associatedData: 'associatedData',
  plaintext: 'message',
  ciphertext: 'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=',
};
const hint =
  'check that the APIv3 key (not the APIv2 key) is configured, and that ciphertext/nonce/associated_data are passed unchanged';

describe('AEAD_AES_256_GCM', () => {
  it('decrypts the known vector', () => {
    expect(decryptAeadAes256Gcm({ key, ...vector })).toBe('message');
  });

  it('encrypts to the known vector', () => {
    expect(encryptAeadAes256Gcm({ key, ...vector })).toBe(vector.ciphertext);
  });

  it('produces what raw node:crypto decrypts: encrypted bytes followed by the 16-byte tag', () => {
    const plaintext = '{"plate_number":"粤B888888"}';
    const bytes = Buffer.from(
      encryptAeadAes256Gcm({ key, nonce: vector.nonce, associatedData: 'certificate', plaintext }),
      'base64',
    );
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(rawKey), Buffer.from(vector.nonce));
    decipher.setAAD(Buffer.from('certificate'));
    decipher.setAuthTag(bytes.subarray(-16));
    expect(Buffer.concat([decipher.update(bytes.subarray(0, -16)), decipher.final()]).toString()).toBe(
      plaintext,
    );
  });

  it('refuses the wrong key (e.g. the APIv2 key) with DECRYPT_FAILED and a hint naming the APIv3 key', () => {
    const wrong = createApiV3Key('192006250b4c09247ec02edce69f6a2d');
    const error = expectCode(() => decryptAeadAes256Gcm({ ...vector, key: wrong }), 'DECRYPT_FAILED');
    expect(error.hint).toBe(hint);
  });

  it('refuses tampered associated data, nonce or ciphertext with DECRYPT_FAILED and the hint', () => {
    const bytes = Buffer.from(vector.ciphertext, 'base64');
    const tampered = (index: number) => {
      const copy = Buffer.from(bytes);
      copy[index]! ^= 0x01;
      return copy.toString('base64');
    };
    const cases = [
      { associatedData: 'associatedDatb' },
      { associatedData: '' },
      { associatedData: undefined },
      { nonce: 'uluk4a9R25RX' },
      { ciphertext: tampered(0) },
      { ciphertext: tampered(bytes.length - 1) },
      { ciphertext: bytes.subarray(1).toString('base64') },
    ];
    for (const change of cases) {
      expect(
        expectCode(() => decryptAeadAes256Gcm({ key, ...vector, ...change }), 'DECRYPT_FAILED').hint,
      ).toBe(hint);
    }
  });

  it('refuses a ciphertext shorter than the tag or not base64 with DECRYPT_FAILED', () => {
    for (const ciphertext of [
      '',
      'AAAA',
      Buffer.alloc(15).toString('base64'),
      'not base64!',
      'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI',
    ]) {
      expectCode(() => decryptAeadAes256Gcm({ key, ...vector, ciphertext }), 'DECRYPT_FAILED');
    }
  });

  it('refuses a raw string key', () => {
    expectCode(() => decryptAeadAes256Gcm({ ...vector, key: rawKey as never }), 'INVALID_ARGUMENT');
  });

  it('round-trips any text, associated data and nonce', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'grapheme' }),
        fc.stringMatching(/^[0-9A-Za-z]{12}$/),
        (plaintext, associatedData, nonce) => {
          const ciphertext = encryptAeadAes256Gcm({ key, nonce, associatedData, plaintext });
          return decryptAeadAes256Gcm({ key, nonce, associatedData, ciphertext }) === plaintext;
        },
      ),
    );
  });
});

describe('decryptResource', () => {
  const resource: EncryptedResource = {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: vector.ciphertext,
    nonce: vector.nonce,
    associated_data: vector.associatedData,
    original_type: 'transaction',
  };

  it('decrypts a callback resource', () => {
    expect(decryptResource(resource, key)).toBe('message');
  });

  it('treats absent associated_data as empty', () => {
    const ciphertext = encryptAeadAes256Gcm({ key, nonce: vector.nonce, plaintext: 'certificate' });
    const { associated_data: _, ...withoutAad } = resource;
    expect(decryptResource({ ...withoutAad, ciphertext }, key)).toBe('certificate');
    expect(decryptResource({ ...resource, ciphertext, associated_data: '' }, key)).toBe('certificate');
  });

  it('refuses any algorithm but AEAD_AES_256_GCM with UNSUPPORTED_ALGORITHM', () => {
    for (const algorithm of ['AEAD_SM4_GCM', 'aead_aes_256_gcm', '']) {
      expectCode(() => decryptResource({ ...resource, algorithm }, key), 'UNSUPPORTED_ALGORITHM');
    }
  });

  it('refuses a resource whose fields are not strings, naming the field', () => {
    expect(
      expectCode(() => decryptResource({ ...resource, nonce: 12 as never }, key), 'INVALID_ARGUMENT').message,
    ).toContain('resource.nonce');
    expectCode(() => decryptResource(null as never, key), 'INVALID_ARGUMENT');
  });
});
