import { verify } from 'node:crypto';
import { describeValue, invalidArgument, SignerError } from './errors.ts';
import type { PlatformKey } from './keys.ts';
import { checkSigner, type RequestSigner } from './v3-sign.ts';

/** The `Wechatpay-*` headers of an APIv3 answer or callback, as received. */
export interface WechatpayHeaders {
  /** `Wechatpay-Timestamp`: Unix seconds. */
  timestamp?: string;
  /** `Wechatpay-Nonce`. */
  nonce?: string;
  /** `Wechatpay-Signature`: base64. */
  signature?: string;
  /** `Wechatpay-Serial`: the id of the key that signed (certificate serial or `PUB_KEY_ID_…`). */
  serial?: string;
  /** `Wechatpay-Signature-Type`, when sent: `WECHATPAY2-SHA256-RSA2048`. */
  signatureType?: string;
}

/** Extra facts a verifier may use. */
export interface VerifyContext {
  /** The instant being verified at, in milliseconds: certificate validity is checked against it. */
  readonly now: number;
}

/** Something that holds WeChat Pay's keys and checks signatures with them. */
export interface SignatureVerifier {
  /**
   * True iff `signature` (base64) verifies `message` with the key named by `serial`.
   *
   * @param context - given by {@link verifyV3Signature}, so a certificate's validity is judged at the same
   * instant as the timestamp; a verifier may ignore it.
   * @throws {@link SignerError} `UNKNOWN_SERIAL` if it has no key of that id, `EXPIRED_KEY` if that
   * certificate is outside its validity.
   */
  verify(
    serial: string,
    message: string,
    signature: string,
    context?: VerifyContext,
  ): boolean | Promise<boolean>;
}

const headerNames = {
  timestamp: 'wechatpay-timestamp',
  nonce: 'wechatpay-nonce',
  signature: 'wechatpay-signature',
  serial: 'wechatpay-serial',
  signatureType: 'wechatpay-signature-type',
} as const;

/**
 * Picks the `Wechatpay-*` headers out of a Fetch `Headers` or a plain record (such as node:http's
 * `IncomingMessage.headers`), matching names case-insensitively. Repeated headers are joined with `, `, as
 * `Headers.get` does, so they fail verification rather than pick one copy silently.
 */
export function readWechatpayHeaders(
  headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>,
): WechatpayHeaders {
  const get = headerReader(headers);
  const result: WechatpayHeaders = {};
  for (const [field, name] of Object.entries(headerNames) as [keyof WechatpayHeaders, string][]) {
    const value = get(name);
    if (value !== undefined) result[field] = value;
  }
  return result;
}

function headerReader(
  headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>,
): (name: string) => string | undefined {
  if (typeof headers !== 'object' || headers === null) {
    throw invalidArgument('headers', 'a Headers object or a record of header values', describeValue(headers));
  }
  if (typeof (headers as Headers).get === 'function') {
    return (name) => (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  return (name) => {
    const values: string[] = [];
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() !== name) continue;
      const value = record[key];
      if (typeof value === 'string') values.push(value);
      else if (Array.isArray(value))
        values.push(...(value as readonly unknown[]).filter((v) => typeof v === 'string'));
    }
    return values.length === 0 ? undefined : values.join(', ');
  };
}

/** The APIv3 answer/callback string to verify: `TIMESTAMP\nNONCE\nBODY\n`, `body` exactly as received. */
export function buildV3VerifyMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

const base64Shape = /^[A-Za-z0-9+/]+={0,2}$/;

/** Settings for {@link PlatformKeySet}. */
export interface PlatformKeySetOptions {
  /**
   * The clock certificate validity is checked against when {@link PlatformKeySet.verify} is called without
   * a context. {@link verifyV3Signature} always passes its own `now`, so pass the same clock to both.
   * @default Date.now
   */
  now?: () => number;
}

/**
 * WeChat Pay's keys by id (certificate serial or `PUB_KEY_ID_…`): the platform certificates in use (keep
 * the old and new one during a rotation), the public key, or both during a switch-over.
 */
export class PlatformKeySet implements SignatureVerifier {
  readonly #keys = new Map<string, PlatformKey>();
  readonly #now: () => number;

  constructor(keys: Iterable<PlatformKey> = [], options: PlatformKeySetOptions = {}) {
    this.#now = options.now ?? Date.now;
    for (const key of keys) this.add(key);
  }

  /** Adds a key, replacing any with the same id. */
  add(key: PlatformKey): void {
    if (
      typeof key !== 'object' ||
      key === null ||
      typeof key.id !== 'string' ||
      key.id === '' ||
      key.publicKey?.type !== 'public'
    ) {
      throw invalidArgument(
        'key',
        'a PlatformKey from loadPlatformCertificate() or loadPlatformPublicKey()',
        describeValue(key),
      );
    }
    this.#keys.set(key.id, key);
  }

  /** Removes the key with this id; true if there was one. */
  delete(id: string): boolean {
    return this.#keys.delete(id);
  }

  /** The key with this id. */
  get(id: string): PlatformKey | undefined {
    return this.#keys.get(id);
  }

  /** Whether a key with this id is held. */
  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** The ids held, in the order they were first added. */
  ids(): string[] {
    return [...this.#keys.keys()];
  }

  /** How many keys are held. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Checks a SHA256withRSA signature with the key named by `serial`. A signature that is not base64 gives
   * false. A certificate's validity is checked against `context.now`, else the `now` option.
   *
   * @throws {@link SignerError} `UNKNOWN_SERIAL` when no key has that id; `EXPIRED_KEY` when it is a
   * certificate not valid at that instant.
   */
  verify(serial: string, message: string, signature: string, context?: VerifyContext): boolean {
    const key = this.#find(serial);
    const now = context?.now ?? this.#now();
    if ((key.notBefore && now < key.notBefore.getTime()) || (key.notAfter && now > key.notAfter.getTime())) {
      throw new SignerError({
        code: 'EXPIRED_KEY',
        message:
          `platform certificate ${key.id} is valid from ${key.notBefore?.toISOString() ?? '(unknown)'} to ` +
          `${key.notAfter?.toISOString() ?? '(unknown)'}, not at ${new Date(now).toISOString()}`,
        hint: 'download the current platform certificates (GET /v3/certificates), or check this machine’s clock',
      });
    }
    if (typeof signature !== 'string' || signature.length % 4 !== 0 || !base64Shape.test(signature))
      return false;
    try {
      return verify('sha256', Buffer.from(message, 'utf8'), key.publicKey, Buffer.from(signature, 'base64'));
    } catch {
      // OpenSSL refuses some malformed signatures with an error instead of false; either way it did not verify.
      return false;
    }
  }

  #find(serial: string): PlatformKey {
    const key =
      this.#keys.get(serial) ??
      (/^[0-9a-fA-F]+$/.test(serial) ? this.#keys.get(serial.toUpperCase()) : undefined);
    if (key) return key;
    const held = this.#keys.size === 0 ? 'none' : this.ids().join(', ');
    throw new SignerError({
      code: 'UNKNOWN_SERIAL',
      message: `no platform key has the id ${JSON.stringify(String(serial).slice(0, 80))} (held: ${held})`,
      hint: String(serial).startsWith('PUB_KEY_ID_')
        ? 'configure the WeChat Pay public key (微信支付公钥) with this id from the merchant console'
        : 'download the current platform certificates (GET /v3/certificates); they rotate',
    });
  }
}

/** What {@link verifyV3Signature} checks. */
export interface VerifyV3Options {
  /** The `Wechatpay-*` headers; see {@link readWechatpayHeaders}. */
  headers: WechatpayHeaders;
  /**
   * The body exactly as received: raw bytes or their UTF-8 text; `''` for 204. Bytes are decoded strictly
   * (invalid UTF-8 fails as `SIGNATURE_MISMATCH`), with a byte order mark kept as received.
   */
  body: string | Uint8Array;
  /** WeChat Pay's keys: a {@link PlatformKeySet} or a verifier of your own. */
  verifier: SignatureVerifier;
  /**
   * The clock, in milliseconds; also handed to the verifier for certificate validity.
   * @default Date.now
   */
  now?: () => number;
  /**
   * How far `Wechatpay-Timestamp` may be from `now`, in seconds, in either direction.
   * @default 300
   */
  windowSeconds?: number;
}

const requiredHeaders = [
  ['timestamp', 'Wechatpay-Timestamp'],
  ['nonce', 'Wechatpay-Nonce'],
  ['signature', 'Wechatpay-Signature'],
  ['serial', 'Wechatpay-Serial'],
] as const;

const supportedType = 'WECHATPAY2-SHA256-RSA2048';
const probePrefix = 'WECHATPAY/SIGNTEST/';
const mismatchHint =
  'verify the raw body exactly as received; a parsed and re-serialised JSON body will not verify';

/**
 * Verifies an APIv3 answer or callback, resolving when it is authentic and throwing otherwise.
 *
 * Checks, in order: the four `Wechatpay-*` headers are present (`MISSING_HEADER`); the signature type, if
 * sent, is `WECHATPAY2-SHA256-RSA2048` (`UNSUPPORTED_ALGORITHM`); the signature is not one of WeChat's
 * deliberate `WECHATPAY/SIGNTEST/` probes (`SIGNATURE_PROBE`); the timestamp is 1 to 12 digits
 * (`MALFORMED_HEADER`) and within `windowSeconds` of `now` (`TIMESTAMP_OUT_OF_WINDOW`); the verifier knows the
 * key (`UNKNOWN_SERIAL`, `EXPIRED_KEY`, propagated) and the signature verifies (`SIGNATURE_MISMATCH`).
 *
 * @throws {@link SignerError} with one of the codes above; `INVALID_ARGUMENT` for options out of shape.
 * Errors thrown by a custom verifier pass through unchanged.
 */
export async function verifyV3Signature(options: VerifyV3Options): Promise<void> {
  const { headers, body, verifier } = options;
  const windowSeconds = options.windowSeconds ?? 300;
  if (typeof headers !== 'object' || headers === null) {
    throw invalidArgument(
      'headers',
      'the Wechatpay-* headers (see readWechatpayHeaders)',
      describeValue(headers),
    );
  }
  if (typeof verifier !== 'object' || verifier === null || typeof verifier.verify !== 'function') {
    throw invalidArgument(
      'verifier',
      'a SignatureVerifier such as a PlatformKeySet',
      describeValue(verifier),
    );
  }
  if (typeof windowSeconds !== 'number' || !(windowSeconds >= 0) || !Number.isFinite(windowSeconds)) {
    throw invalidArgument('windowSeconds', 'a non-negative number of seconds', String(windowSeconds));
  }

  const missing = requiredHeaders.filter(([field]) => !headers[field]).map(([, name]) => name);
  if (missing.length > 0) {
    throw new SignerError({
      code: 'MISSING_HEADER',
      message: `the answer or callback lacks the ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}`,
      hint: 'every 2xx answer and callback from WeChat Pay is signed; a proxy may have stripped the headers',
    });
  }
  const timestamp = headers.timestamp as string;
  const nonce = headers.nonce as string;
  const signature = headers.signature as string;
  const serial = headers.serial as string;

  if (headers.signatureType !== undefined && headers.signatureType !== supportedType) {
    throw new SignerError({
      code: 'UNSUPPORTED_ALGORITHM',
      message: `Wechatpay-Signature-Type must be ${supportedType}, received ${JSON.stringify(headers.signatureType.slice(0, 64))}`,
    });
  }
  if (signature.startsWith(probePrefix)) {
    throw new SignerError({
      code: 'SIGNATURE_PROBE',
      message:
        'the answer or callback carries a WECHATPAY/SIGNTEST/ probe signature, which must never verify',
      hint: 'WeChat Pay sends such probes on purpose to check that signatures are verified; refusing it is correct',
    });
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new SignerError({
      code: 'MALFORMED_HEADER',
      message: 'Wechatpay-Timestamp must be 1 to 12 digits of Unix seconds',
    });
  }
  const now = (options.now ?? Date.now)();
  const skewSeconds = (now - Number(timestamp) * 1000) / 1000;
  if (Math.abs(skewSeconds) > windowSeconds) {
    throw new SignerError({
      code: 'TIMESTAMP_OUT_OF_WINDOW',
      message:
        `Wechatpay-Timestamp ${timestamp} is ${Math.round(Math.abs(skewSeconds))} s ` +
        `${skewSeconds > 0 ? 'behind' : 'ahead of'} the local clock; at most ${windowSeconds} s is allowed`,
      hint: 'check the server clock (NTP); a replayed answer or callback is refused the same way',
    });
  }

  const text = decodeBody(body);
  if (text === undefined) {
    throw new SignerError({
      code: 'SIGNATURE_MISMATCH',
      message: 'the body is not valid UTF-8, so no WeChat Pay signature can cover it',
      hint: mismatchHint,
    });
  }
  const ok = await verifier.verify(serial, buildV3VerifyMessage(timestamp, nonce, text), signature, { now });
  if (ok !== true) {
    throw new SignerError({
      code: 'SIGNATURE_MISMATCH',
      message: `the signature does not verify with key ${JSON.stringify(serial.slice(0, 80))}`,
      hint: mismatchHint,
    });
  }
}

/**
 * Signs an answer or callback as WeChat Pay does (for the sandbox and tests): the base64 signature of
 * {@link buildV3VerifyMessage}, to send as `Wechatpay-Signature`.
 */
export async function signV3Response(
  signer: RequestSigner,
  timestamp: string,
  nonce: string,
  body: string,
): Promise<string> {
  checkSigner(signer);
  return signer.sign(buildV3VerifyMessage(timestamp, nonce, body));
}

// Strict and keeping a byte order mark; one decoder serves every call (decode without `stream` keeps no state).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeBody(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) {
    if (body.byteLength === 0) return '';
    try {
      return strictUtf8.decode(body);
    } catch {
      return undefined;
    }
  }
  throw invalidArgument('body', 'the raw body as a string or Uint8Array', describeValue(body));
}
