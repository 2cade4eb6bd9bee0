import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  loadPlatformCertificate,
  loadPlatformPublicKey,
  loadPrivateKey,
  readCertificateSerial,
} from '../src/index.ts';
import { expectCode, rsaPair, selfSignedCertificate } from './helpers.ts';

const pair = rsaPair();
const pkcs1Pem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const certificate = selfSignedCertificate({ days: 30, serial: '0x5C2A9D03F1E7B4A6C8D0E2F41357968ACEBDF024' });
const bodyFragment = pair.privatePem.split('\n')[3]!;

describe('loadPrivateKey', () => {
  it('reads a PKCS#8 PEM, a PKCS#1 PEM, PEM bytes and a KeyObject', () => {
    for (const input of [pair.privatePem, pkcs1Pem, Buffer.from(pair.privatePem), pair.privateKey]) {
      const key = loadPrivateKey(input);
      expect(key.type).toBe('private');
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });

  it('refuses a public key, saying a private key is expected', () => {
    for (const input of [pair.publicPem, pair.publicKey]) {
      expect(expectCode(() => loadPrivateKey(input), 'INVALID_KEY').message).toContain(
        'private key is expected',
      );
    }
  });

  it('refuses a certificate, pointing at apiclient_key.pem', () => {
    const error = expectCode(() => loadPrivateKey(certificate.certPem), 'INVALID_KEY');
    expect(error.message).toContain('private key is expected');
    expect(error.hint).toContain('apiclient_key.pem');
  });

  it('refuses RSA keys shorter than 2048 bits and keys of other types', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(expectCode(() => loadPrivateKey(small), 'INVALID_KEY').message).toContain('2048');
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(
      expectCode(() => loadPrivateKey(ec.export({ type: 'pkcs8', format: 'pem' }).toString()), 'INVALID_KEY')
        .message,
    ).toContain('RSA');
  });

  it('refuses a password-protected key with a way to decrypt it', () => {
    const encrypted = pair.privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    expect(expectCode(() => loadPrivateKey(encrypted), 'INVALID_KEY').hint).toContain('openssl pkcs8');
  });

  it('explains a file path given instead of its contents, and literal \\n sequences', () => {
    expect(expectCode(() => loadPrivateKey('./certs/apiclient_key.pem'), 'INVALID_KEY').hint).toContain(
      'contents',
    );
    expect(
      expectCode(() => loadPrivateKey(pair.privatePem.replaceAll('\n', '\\n')), 'INVALID_KEY').hint,
    ).toContain('\\n');
  });

  it('never repeats a damaged key in its error', () => {
    const damaged = pair.privatePem.replace(bodyFragment, bodyFragment.replace(/[A-Z]/, '!'));
    const error = expectCode(() => loadPrivateKey(damaged), 'INVALID_KEY');
    expect(`${error.message} ${error.hint ?? ''} ${String(error.cause)}`).not.toContain(
      bodyFragment.slice(10, 50),
    );
  });

  it('refuses values that are not PEM or a KeyObject', () => {
    for (const input of [undefined, 42, {}]) expectCode(() => loadPrivateKey(input as never), 'INVALID_KEY');
  });
});

describe('loadPlatformCertificate', () => {
  it('names the key by the certificate serial in uppercase hex, as openssl prints it', () => {
    const key = loadPlatformCertificate(certificate.certPem);
    expect(key.id).toBe('5C2A9D03F1E7B4A6C8D0E2F41357968ACEBDF024');
    expect(key.id).toBe(certificate.serial.toUpperCase());
    expect(key.kind).toBe('certificate');
    expect(key.publicKey.type).toBe('public');
  });

  it('records the validity period', () => {
    const key = loadPlatformCertificate(Buffer.from(certificate.certPem));
    const days = (key.notAfter!.getTime() - key.notBefore!.getTime()) / 86_400_000;
    expect(days).toBe(30);
    expect(Math.abs(key.notBefore!.getTime() - Date.now())).toBeLessThan(120_000);
  });

  it('keeps leading zero digits that openssl prints', () => {
    const cert = selfSignedCertificate({ serial: '0x0ABC0123' });
    expect(loadPlatformCertificate(cert.certPem).id).toBe(cert.serial);
    expect(cert.serial).toBe('0ABC0123');
  });

  it('refuses a private key, a public key, garbage and a non-RSA certificate', () => {
    expectCode(() => loadPlatformCertificate(pair.privatePem), 'INVALID_KEY');
    expectCode(() => loadPlatformCertificate(pair.publicPem), 'INVALID_KEY');
    expectCode(
      () => loadPlatformCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      'INVALID_KEY',
    );
    const ec = selfSignedCertificate({ ec: true });
    expect(expectCode(() => loadPlatformCertificate(ec.certPem), 'INVALID_KEY').message).toContain('RSA');
  });
});

describe('loadPlatformPublicKey', () => {
  const id = 'PUB_KEY_ID_0114232134912410000000000000';

  it('reads an SPKI PEM, a PKCS#1 public PEM or a public KeyObject under its PUB_KEY_ID_ id', () => {
    const pkcs1 = pair.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    for (const input of [pair.publicPem, Buffer.from(pair.publicPem), pkcs1, pair.publicKey]) {
      const key = loadPlatformPublicKey(id, input);
      expect(key).toMatchObject({ id, kind: 'public-key' });
      expect(key.notAfter).toBeUndefined();
      expect(key.publicKey.equals(pair.publicKey)).toBe(true);
    }
  });

  it('refuses an id that is not PUB_KEY_ID_…', () => {
    for (const bad of ['', 'PUB_KEY_ID_', '5C2A9D03F1E7B4A6', 'pub_key_id_123', 'PUB_KEY_ID_12 3']) {
      expect(
        expectCode(() => loadPlatformPublicKey(bad, pair.publicPem), 'INVALID_ARGUMENT').message,
      ).toContain('id');
    }
  });

  it('refuses a certificate, a private key and a non-RSA key', () => {
    expect(expectCode(() => loadPlatformPublicKey(id, certificate.certPem), 'INVALID_KEY').hint).toContain(
      'loadPlatformCertificate',
    );
    expectCode(() => loadPlatformPublicKey(id, pair.privatePem), 'INVALID_KEY');
    expectCode(() => loadPlatformPublicKey(id, pair.privateKey), 'INVALID_KEY');
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    expectCode(() => loadPlatformPublicKey(id, ec), 'INVALID_KEY');
  });
});

describe('readCertificateSerial', () => {
  it('reads the merchant certificate serial in uppercase hex', () => {
    const cert = selfSignedCertificate({ serial: '0x7a3c9e01bd' });
    expect(readCertificateSerial(cert.certPem)).toBe('7A3C9E01BD');
  });

  it('refuses the private key file, pointing at apiclient_cert.pem', () => {
    expect(expectCode(() => readCertificateSerial(pair.privatePem), 'INVALID_KEY').hint).toContain(
      'apiclient_cert.pem',
    );
  });
});
