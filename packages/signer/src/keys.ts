import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { describeValue, invalidArgument, SignerError } from './errors.ts';

/** An RSA key as PEM text, PEM bytes (e.g. from `readFileSync`), or a `KeyObject` already made. */
export type KeyInput = string | Buffer | KeyObject;

/**
 * One of WeChat Pay's keys, which verify its answers and callbacks and encrypt sensitive request fields:
 * a 平台证书 (platform certificate) or the 微信支付公钥 (WeChat Pay public key).
 */
export interface PlatformKey {
  /** What `Wechatpay-Serial` names it by: the certificate serial (uppercase hex) or `PUB_KEY_ID_…`. */
  readonly id: string;
  /** `certificate` for a 平台证书, `public-key` for the 微信支付公钥. */
  readonly kind: 'certificate' | 'public-key';
  /** The RSA public key. */
  readonly publicKey: KeyObject;
  /** Start of the certificate's validity; absent for a public key. */
  readonly notBefore?: Date;
  /** End of the certificate's validity; absent for a public key. */
  readonly notAfter?: Date;
}

const minimumBits = 2048;
const publicKeyId = /^PUB_KEY_ID_[0-9A-Za-z_]+$/;

/**
 * Parses the merchant's API private key (商户API私钥, `apiclient_key.pem`).
 *
 * Accepts PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) PEM, or an
 * RSA private `KeyObject`. The input is never repeated in errors.
 *
 * @throws {@link SignerError} `INVALID_KEY` for anything else: a certificate, a public key, an encrypted or
 * non-RSA key, or a key shorter than 2048 bits.
 */
export function loadPrivateKey(input: KeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private')
      throw invalidKey(`a private key is expected, received a ${input.type} KeyObject`);
    return checkRsa(input, 'private key');
  }
  const pem = pemText(input, 'the private key');
  if (pem.includes('CERTIFICATE-----')) {
    throw invalidKey(
      'a private key is expected, received a certificate',
      'apiclient_cert.pem is the certificate; the private key is apiclient_key.pem',
    );
  }
  if (pem.includes('PUBLIC KEY-----')) throw invalidKey('a private key is expected, received a public key');
  if (pem.includes('ENCRYPTED PRIVATE KEY-----')) {
    throw invalidKey(
      'an unencrypted private key is expected, received a password-protected one',
      'decrypt it once with `openssl pkcs8 -in key.pem -out apiclient_key.pem` and keep that file protected',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw invalidKey('the private key is not a readable PEM private key', pemHint(pem), error);
  }
  return checkRsa(key, 'private key');
}

/**
 * Reads a WeChat Pay platform certificate (平台证书, PEM), e.g. one decrypted from `GET /v3/certificates`.
 *
 * Its id is the certificate serial as Node reports it, uppercased, which is what `Wechatpay-Serial` carries.
 *
 * @throws {@link SignerError} `INVALID_KEY` for anything but an X.509 certificate with an RSA key of 2048
 * bits or more.
 */
export function loadPlatformCertificate(pem: string | Buffer): PlatformKey {
  const certificate = readCertificate(pem, 'the platform certificate');
  const publicKey = checkRsa(certificate.publicKey, 'platform certificate key');
  return Object.freeze({
    id: certificate.serialNumber.toUpperCase(),
    kind: 'certificate' as const,
    publicKey,
    notBefore: certificate.validFromDate,
    notAfter: certificate.validToDate,
  });
}

/**
 * Reads the 微信支付公钥 (WeChat Pay public key) and its id, both from 商户平台 → API安全.
 *
 * @param id - `PUB_KEY_ID_` followed by letters, digits or `_`.
 * @param pem - SPKI PEM (`-----BEGIN PUBLIC KEY-----`), PKCS#1 `RSA PUBLIC KEY` PEM, or a public `KeyObject`.
 * @throws {@link SignerError} `INVALID_ARGUMENT` for a malformed id, `INVALID_KEY` for anything but an RSA
 * public key of 2048 bits or more.
 */
export function loadPlatformPublicKey(id: string, pem: KeyInput): PlatformKey {
  if (typeof id !== 'string' || !publicKeyId.test(id)) {
    throw invalidArgument(
      'id',
      'a WeChat Pay public key id like PUB_KEY_ID_0112345678901234567890123456789012',
      describeValue(id),
      'a certificate serial is not a public key id: load platform certificates with loadPlatformCertificate()',
    );
  }
  let publicKey: KeyObject;
  if (pem instanceof KeyObject) {
    if (pem.type !== 'public') throw invalidKey(`a public key is expected, received a ${pem.type} KeyObject`);
    publicKey = pem;
  } else {
    const text = pemText(pem, 'the WeChat Pay public key');
    if (text.includes('CERTIFICATE-----')) {
      throw invalidKey(
        'the WeChat Pay public key is expected (-----BEGIN PUBLIC KEY-----), received a certificate',
        'load platform certificates with loadPlatformCertificate()',
      );
    }
    if (text.includes('PRIVATE KEY-----'))
      throw invalidKey('a public key is expected, received a private key');
    try {
      publicKey = createPublicKey({ key: text, format: 'pem' });
    } catch (error) {
      throw invalidKey('the WeChat Pay public key is not a readable PEM public key', pemHint(text), error);
    }
  }
  return Object.freeze({ id, kind: 'public-key' as const, publicKey: checkRsa(publicKey, 'public key') });
}

/**
 * The serial number (证书序列号) of the merchant API certificate (`apiclient_cert.pem`), uppercase hex: the
 * `serial_no` of the APIv3 `Authorization` header.
 *
 * @throws {@link SignerError} `INVALID_KEY` when `pem` is not an X.509 certificate.
 */
export function readCertificateSerial(pem: string | Buffer): string {
  return readCertificate(pem, 'the merchant API certificate').serialNumber.toUpperCase();
}

function readCertificate(pem: string | Buffer, what: string): X509Certificate {
  const text = pemText(pem, what);
  if (text.includes('PRIVATE KEY-----')) {
    throw invalidKey(
      `${what} is expected (-----BEGIN CERTIFICATE-----), received a private key`,
      'the certificate is apiclient_cert.pem; apiclient_key.pem is the private key',
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw invalidKey(`${what} is expected as PEM (-----BEGIN CERTIFICATE-----)`, pemHint(text));
  }
  try {
    return new X509Certificate(text);
  } catch (error) {
    throw invalidKey(`${what} is not a readable X.509 certificate`, undefined, error);
  }
}

function pemText(input: unknown, what: string): string {
  if (typeof input === 'string') return input;
  if (Buffer.isBuffer(input)) return input.toString('utf8');
  throw invalidKey(
    `${what} must be PEM text, a Buffer of PEM or a KeyObject, received ${describeValue(input)}`,
  );
}

function checkRsa(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw invalidKey(
      `an RSA ${what} is expected, received a ${key.asymmetricKeyType ?? 'non-asymmetric'} key`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < minimumBits)
    throw invalidKey(`an RSA ${what} of at least ${minimumBits} bits is expected, received ${bits} bits`);
  return key;
}

// Common ways a PEM gets damaged on its way into configuration; none of them needs the content echoed.
function pemHint(text: string): string | undefined {
  if (!text.includes('-----BEGIN')) {
    return text.length < 260 && !/\s/.test(text.trim())
      ? 'pass the PEM file contents (e.g. readFileSync(path)), not its path'
      : 'expected PEM text starting with -----BEGIN';
  }
  if (text.includes('\\n') && !text.includes('\n')) {
    return 'the PEM contains literal \\n sequences: replace them with real newlines';
  }
  return undefined;
}

function invalidKey(message: string, hint?: string, cause?: unknown): SignerError {
  return new SignerError({
    code: 'INVALID_KEY',
    message,
    ...(hint === undefined ? {} : { hint }),
    ...(cause === undefined ? {} : { cause }),
  });
}
