import { constants, privateDecrypt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptSensitive, encryptSensitive, loadPlatformPublicKey } from '../src/index.ts';
import { expectCode, inTmpDir, openssl, rsaPair } from './helpers.ts';

const wechat = rsaPair();
const stranger = rsaPair();
const platformKey = loadPlatformPublicKey('PUB_KEY_ID_0114232134912410000000000000', wechat.publicPem);
const name = '张三';

describe('encryptSensitive', () => {
  it('encrypts with RSA-OAEP SHA-1 that raw node:crypto decrypts', () => {
    const ciphertext = encryptSensitive(name, platformKey);
    const plain = privateDecrypt(
      { key: wechat.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(ciphertext, 'base64'),
    );
    expect(plain.toString()).toBe(name);
  });

  it('encrypts what the openssl CLI decrypts with OAEP, SHA-1 and MGF1-SHA-1', () => {
    const ciphertext = encryptSensitive(name, wechat.publicKey);
    const output = inTmpDir((dir) => {
      writeFileSync(join(dir, 'key.pem'), wechat.privatePem);
      writeFileSync(join(dir, 'cipher.bin'), Buffer.from(ciphertext, 'base64'));
      return openssl(
        [
          'pkeyutl',
          '-decrypt',
          '-inkey',
          'key.pem',
          '-in',
          'cipher.bin',
          '-pkeyopt',
          'rsa_padding_mode:oaep',
          '-pkeyopt',
          'rsa_oaep_md:sha1',
          '-pkeyopt',
          'rsa_mgf1_md:sha1',
        ],
        dir,
      );
    });
    expect(output.status).toBe(0);
    expect(output.stdout).toBe(name);
  });

  it('gives a different ciphertext each time (OAEP is randomised)', () => {
    expect(encryptSensitive(name, platformKey)).not.toBe(encryptSensitive(name, platformKey));
  });

  it('refuses a plaintext too long for the key without repeating it', () => {
    const long = 'x'.repeat(215);
    const error = expectCode(() => encryptSensitive(long, platformKey), 'INVALID_ARGUMENT');
    expect(error.message).toContain('214 bytes');
    expect(error.message).not.toContain(long.slice(0, 20));
    expect(() => encryptSensitive('x'.repeat(214), platformKey)).not.toThrow();
  });

  it('refuses a private key or something that is not a key', () => {
    expectCode(() => encryptSensitive(name, wechat.privateKey), 'INVALID_ARGUMENT');
    expectCode(() => encryptSensitive(name, {} as never), 'INVALID_ARGUMENT');
  });
});

describe('decryptSensitive', () => {
  it('round-trips with encryptSensitive, from PEM or KeyObject', () => {
    for (const text of [name, '13800138000', '', '粤B888888 · 🚗']) {
      const ciphertext = encryptSensitive(text, platformKey);
      expect(decryptSensitive(ciphertext, wechat.privatePem)).toBe(text);
      expect(decryptSensitive(ciphertext, wechat.privateKey)).toBe(text);
    }
  });

  it('refuses to decrypt with another key, with DECRYPT_FAILED', () => {
    const ciphertext = encryptSensitive(name, platformKey);
    const error = expectCode(() => decryptSensitive(ciphertext, stranger.privateKey), 'DECRYPT_FAILED');
    expect(error.message).not.toContain(name);
  });

  it('refuses a ciphertext that is not base64 or was changed, with DECRYPT_FAILED', () => {
    const bytes = Buffer.from(encryptSensitive(name, platformKey), 'base64');
    bytes[10]! ^= 0x01;
    for (const ciphertext of [
      'not base64!',
      '',
      bytes.toString('base64'),
      bytes.subarray(1).toString('base64'),
    ]) {
      expectCode(() => decryptSensitive(ciphertext, wechat.privateKey), 'DECRYPT_FAILED');
    }
  });

  it('refuses a public key as the private key with INVALID_KEY', () => {
    expectCode(() => decryptSensitive('AAAA', wechat.publicPem), 'INVALID_KEY');
  });
});
