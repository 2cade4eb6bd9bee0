// Registered symbols (Symbol.for) are shared by every copy of every wxpark package in a process, so
// `isInstance` keeps working when a dependency tree holds two installs and `instanceof` would fail. Every
// wxpark error carries `wxpark.error`; each class adds `wxpark.error.<Name>` (the same scheme in every package).
const wxparkMarker = Symbol.for('wxpark.error');
const signerMarker = Symbol.for('wxpark.error.SignerError');

/**
 * Stable, machine-readable reasons a signer operation failed.
 *
 * - `INVALID_KEY`: a PEM or KeyObject is not the RSA key or certificate that was expected.
 * - `INVALID_V2_KEY`: the APIv2 密钥 is not 32 characters.
 * - `INVALID_APIV3_KEY`: the APIv3 密钥 is not 32 bytes.
 * - `INVALID_ARGUMENT`: any other argument is out of shape; the message names the field.
 * - `MISSING_HEADER`, `MALFORMED_HEADER`: a `Wechatpay-*` or `Authorization` header is absent or unreadable.
 * - `UNSUPPORTED_ALGORITHM`: a signature type or encryption algorithm other than the ones WeChat Pay uses.
 * - `TIMESTAMP_OUT_OF_WINDOW`: the signed timestamp is too far from the local clock.
 * - `UNKNOWN_SERIAL`: no platform key with the id named by `Wechatpay-Serial` is held.
 * - `EXPIRED_KEY`: the platform certificate named is outside its validity period.
 * - `SIGNATURE_PROBE`: a deliberate `WECHATPAY/SIGNTEST/` probe, which must never verify.
 * - `SIGNATURE_MISMATCH`: the signature does not verify.
 * - `DECRYPT_FAILED`: AES-GCM, AES-ECB (the APIv2 refund notice's req_info) or RSA-OAEP decryption failed
 *   (usually the wrong key).
 */
export type SignerErrorCode =
  | 'INVALID_KEY'
  | 'INVALID_V2_KEY'
  | 'INVALID_APIV3_KEY'
  | 'INVALID_ARGUMENT'
  | 'MISSING_HEADER'
  | 'MALFORMED_HEADER'
  | 'UNSUPPORTED_ALGORITHM'
  | 'TIMESTAMP_OUT_OF_WINDOW'
  | 'UNKNOWN_SERIAL'
  | 'EXPIRED_KEY'
  | 'SIGNATURE_PROBE'
  | 'SIGNATURE_MISMATCH'
  | 'DECRYPT_FAILED';

/** Fields a {@link SignerError} is built from. */
export interface SignerErrorInit {
  /** What was wrong and what was expected. Never contains key material. */
  message: string;
  code: SignerErrorCode;
  /** A likely cause and fix, when the failure matches a common mistake. */
  hint?: string;
  /** The underlying error (e.g. from node:crypto), when there is one. */
  cause?: unknown;
}

/**
 * The one error class of `@wxpark/signer`.
 *
 * The message never repeats the hint (callers such as `@wxpark/core` add it once when they wrap this error),
 * and never contains key material or plaintext.
 */
export class SignerError extends Error {
  /** Why it failed; see {@link SignerErrorCode}. */
  readonly code: SignerErrorCode;
  /** A likely cause and fix, when known. */
  declare readonly hint?: string;

  constructor(init: SignerErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'SignerError';
    this.code = init.code;
    if (init.hint !== undefined) Object.defineProperty(this, 'hint', { value: init.hint, enumerable: true });
    Object.defineProperty(this, wxparkMarker, { value: true });
    Object.defineProperty(this, signerMarker, { value: true });
  }

  /**
   * True for an error thrown by any installed copy of `@wxpark/signer`. It checks the
   * `Symbol.for('wxpark.error.SignerError')` marker, so other wxpark errors (which carry
   * `Symbol.for('wxpark.error')` and their own class's marker) are not mistaken for signer errors.
   */
  static isInstance(value: unknown): value is SignerError {
    return (
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[signerMarker] === true
    );
  }
}

/** Shorthand for the most common failure: an argument out of shape, named by its field. */
export function invalidArgument(
  field: string,
  expected: string,
  received?: string,
  hint?: string,
): SignerError {
  const got = received === undefined ? '' : `, received ${received}`;
  return new SignerError({
    code: 'INVALID_ARGUMENT',
    message: `${field} must be ${expected}${got}`,
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * Describes a value for an error message by its shape, never its content: the one rule of every wxpark
 * package, since any string a caller passes may be a misplaced key. Only values that cannot hold a secret
 * (numbers, booleans, null, undefined, Dates) are shown; strings, bytes and objects are described by type
 * and size.
 *
 * @example
 * ```ts
 * describeValue('a1b2…'); // 'a string of 32 characters'
 * describeValue(12); // 'the number 12'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string of ${[...value].length} characters`;
  if (typeof value === 'number') return Number.isFinite(value) ? `the number ${value}` : String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
