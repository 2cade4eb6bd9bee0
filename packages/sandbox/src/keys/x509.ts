import { type KeyObject, randomBytes, sign } from 'node:crypto';

// node:crypto reads certificates but cannot make them, and shelling out to openssl would make the sandbox
// depend on a binary. A self-signed X.509 v3 certificate is small enough to write in DER by hand: the fields
// below are the ones RFC 5280 requires, nothing more (no extensions).

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const printable = (text: string) => tlv(0x13, Buffer.from(text, 'ascii'));

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A positive INTEGER from big-endian bytes (a leading 0x00 keeps the sign bit clear). */
function unsignedInteger(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** UTCTime up to 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(digits, 'ascii'));
}

const sha256WithRsa = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

function name(parts: { country: string; organization: string; commonName: string }): Buffer {
  const attribute = (type: string, value: Buffer) => set(sequence(oid(type), value));
  return sequence(
    attribute('2.5.4.6', printable(parts.country)),
    attribute('2.5.4.10', utf8(parts.organization)),
    attribute('2.5.4.3', utf8(parts.commonName)),
  );
}

/** What {@link createSelfSignedCertificate} puts in the certificate. */
export interface CertificateFields {
  /** Subject (and issuer) common name. */
  commonName: string;
  /** Start of validity. */
  notBefore: Date;
  /** End of validity. */
  notAfter: Date;
}

/** A generated certificate: its PEM and its serial, uppercase hex as `Wechatpay-Serial` carries it. */
export interface GeneratedCertificate {
  serialNo: string;
  pem: string;
}

/**
 * A self-signed X.509 v3 certificate for an RSA key pair, signed with SHA256withRSA. The serial is 20 random
 * bytes (40 hex digits, like WeChat Pay's platform certificate serials), its top bit clear so it stays
 * positive and its first byte non-zero so its hex form has no leading zero to strip.
 */
export function createSelfSignedCertificate(
  keys: { publicKey: KeyObject; privateKey: KeyObject },
  fields: CertificateFields,
): GeneratedCertificate {
  return issueCertificate(keys.publicKey, fields, {
    commonName: fields.commonName,
    privateKey: keys.privateKey,
  });
}

/** Extensions a TLS certificate needs (RFC 5280 §4.2): a CA marks itself, a server names its host. */
export interface CertificateExtensions {
  /** basicConstraints cA TRUE (critical): the certificate may sign others. */
  ca?: boolean;
  /** subjectAltName: DNS names and IPv4 addresses the server answers on. */
  altNames?: { dns?: readonly string[]; ips?: readonly string[] };
}

function extensions(wanted: CertificateExtensions): Buffer[] {
  const list: Buffer[] = [];
  if (wanted.ca) {
    const value = sequence(Buffer.from([0x01, 0x01, 0xff])); // BOOLEAN TRUE
    list.push(sequence(oid('2.5.29.19'), Buffer.from([0x01, 0x01, 0xff]), tlv(0x04, value)));
  }
  if (wanted.altNames) {
    const names = [
      ...(wanted.altNames.dns ?? []).map((dns) => tlv(0x82, Buffer.from(dns, 'ascii'))),
      ...(wanted.altNames.ips ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
    ];
    list.push(sequence(oid('2.5.29.17'), tlv(0x04, sequence(...names))));
  }
  return list.length === 0 ? [] : [tlv(0xa3, sequence(...list))]; // [3] EXPLICIT Extensions
}

/**
 * An X.509 v3 certificate for `subjectKey`, signed by `issuer` (itself for a self-signed one) with
 * SHA256withRSA: how the sandbox makes the CA, server and client certificates of its HTTPS listener.
 */
export function issueCertificate(
  subjectKey: KeyObject,
  fields: CertificateFields & CertificateExtensions,
  issuer: { commonName: string; privateKey: KeyObject },
): GeneratedCertificate {
  const serial = randomBytes(20);
  serial[0] = (serial[0]! % 0x7f) + 1;
  const organization = 'wxpark sandbox';
  const subject = name({ country: 'CN', organization, commonName: fields.commonName });
  const issuerName = name({ country: 'CN', organization, commonName: issuer.commonName });
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // [0] EXPLICIT version: v3
    unsignedInteger(serial),
    sha256WithRsa,
    issuerName,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    subject,
    subjectKey.export({ type: 'spki', format: 'der' }),
    ...extensions(fields),
  );
  const signature = sign('sha256', tbs, issuer.privateKey);
  const der = sequence(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    serialNo: serial.toString('hex').toUpperCase(),
    pem: `-----BEGIN CERTIFICATE-----\n${base64}${base64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`,
  };
}
