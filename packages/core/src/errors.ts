import type { SignerErrorCode } from '@wxpark/signer';

// Registered symbols (Symbol.for) are shared by every copy of every wxpark package in a process, so
// `isInstance` keeps working when a dependency tree holds two installs and `instanceof` would fail. Every
// wxpark error (core, signer, xml) carries `wxpark.error`; each class adds `wxpark.error.<Name>`, so a class
// recognises itself and its subclasses and never a sibling.
const anyMarker = Symbol.for('wxpark.error');
const validationMarker = Symbol.for('wxpark.error.ValidationError');
const signatureMarker = Symbol.for('wxpark.error.SignatureError');
const apiMarker = Symbol.for('wxpark.error.ApiError');
const transportMarker = Symbol.for('wxpark.error.TransportError');

function mark(error: Error, marker: symbol): void {
  Object.defineProperty(error, marker, { value: true });
}

function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

/**
 * Codes of failures that belong to no more specific class.
 *
 * - `MALFORMED_RESPONSE`: a signed response whose body is not the JSON or XML its protocol uses.
 * - `MALFORMED_NOTICE`: a notice (callback) body that is not what WeChat Pay sends.
 * - `NO_PLATFORM_CERTIFICATES`: `/v3/certificates` answered 404; the merchant uses the WeChat Pay public key.
 * - `PLATFORM_KEYS_UNAVAILABLE`: a response or notice named an unknown key and downloading the platform
 *   certificates to find it failed (see `cause`).
 * - `VERIFY_FAILED`: verification failed for a reason other than a signer error (see `cause`).
 * - `BODY_ALREADY_READ`: a framework consumed a notice's body before the handler could read it.
 * - `BODY_TOO_LARGE`: a notice's body exceeded the handler's cap.
 * - `UNDECLARED_NOTICE`: a genuine notice of an event type or kind the handler does not declare.
 */
export type WxparkErrorCode =
  | 'MALFORMED_RESPONSE'
  | 'MALFORMED_NOTICE'
  | 'NO_PLATFORM_CERTIFICATES'
  | 'PLATFORM_KEYS_UNAVAILABLE'
  | 'VERIFY_FAILED'
  | 'BODY_ALREADY_READ'
  | 'BODY_TOO_LARGE'
  | 'UNDECLARED_NOTICE';

/** Fields every wxpark error is built from. */
export interface WxparkErrorInit<Code extends string = WxparkErrorCode> {
  /** What went wrong, where, and what was expected. Never contains key material. */
  message: string;
  /** A stable, machine-readable code; each class documents its own. */
  code: Code;
  /** A likely cause and fix, when the error matches a common mistake. */
  hint?: string;
  cause?: unknown;
}

/**
 * Base class of every error the wxpark packages throw.
 *
 * Use the classes' static `isInstance` rather than `instanceof`: it also recognises errors from a second
 * installed copy of a package. `WxparkError.isInstance` is true for every wxpark error, including those of
 * `@wxpark/signer` and `@wxpark/xml`; `ApiError.isInstance` only for an `ApiError` (or a subclass).
 */
export class WxparkError extends Error {
  /**
   * A stable, machine-readable code. Each class narrows it: {@link WxparkErrorCode},
   * {@link ValidationErrorCode}, {@link SignatureErrorCode}, {@link TransportErrorCode}, {@link ApiErrorCode}.
   */
  readonly code: string;
  declare readonly hint?: string;

  constructor(init: WxparkErrorInit) {
    super(
      init.hint ? `${init.message} (hint: ${init.hint})` : init.message,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = 'WxparkError';
    this.code = init.code;
    if (init.hint !== undefined) this.hint = init.hint;
    mark(this, anyMarker);
  }

  /** True for any wxpark error, whichever copy of which package created it. */
  static isInstance(value: unknown): value is WxparkError {
    return hasMarker(value, anyMarker);
  }
}

/** Subclasses pass codes of their own unions through the base constructor. */
function baseInit<Code extends string>(init: WxparkErrorInit<Code>): WxparkErrorInit {
  return init as WxparkErrorInit<string> as WxparkErrorInit;
}

/** One reason a value was refused. */
export interface ValidationIssue {
  /** Where, as a dotted path from the call's data (`scene_info.plate_number`, `discount_template_id[1]`). */
  readonly path: string;
  /** What the field must be. */
  readonly expected: string;
  /** What was given, described by its shape (type, length) unless the value is known to be safe to show. */
  readonly received: string;
}

/**
 * Why input was refused.
 *
 * - `VALIDATION_FAILED`: call data (or a value the data disagrees with, such as `mch_id` against the
 *   client's `mchId`).
 * - `INVALID_OPTIONS`: client or handler options.
 * - `UNKNOWN_ROUTE`: a route that no composed package defines.
 * - `INVALID_NOTICE_REPLY`: what `onNotice` returned for a notice whose reply carries data (停车费查询).
 */
export type ValidationErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_OPTIONS'
  | 'UNKNOWN_ROUTE'
  | 'INVALID_NOTICE_REPLY';

/** Input was refused before any network I/O: nothing was sent. */
export class ValidationError extends WxparkError {
  declare readonly code: ValidationErrorCode;
  /** The first refused field's path. */
  readonly field: string;
  readonly expected: string;
  readonly received: string;
  /** Every refused field, in the order found. */
  readonly issues: readonly ValidationIssue[];

  constructor(init: {
    issues: readonly ValidationIssue[];
    code?: ValidationErrorCode;
    context?: string;
    hint?: string;
  }) {
    const [first] = init.issues;
    if (!first) throw new TypeError('ValidationError needs at least one issue');
    const where = init.context ? `${init.context}: ` : '';
    const more = init.issues.length > 1 ? ` (and ${init.issues.length - 1} more)` : '';
    super(
      baseInit({
        code: init.code ?? 'VALIDATION_FAILED',
        message: `${where}${first.path || 'value'} must be ${first.expected}, received ${first.received}${more}`,
        ...(init.hint === undefined ? {} : { hint: init.hint }),
      }),
    );
    this.name = 'ValidationError';
    this.field = first.path;
    this.expected = first.expected;
    this.received = first.received;
    this.issues = init.issues;
    mark(this, validationMarker);
  }

  /** True for a `ValidationError` (or a subclass) from any installed copy of `@wxpark/core`. */
  static override isInstance(value: unknown): value is ValidationError {
    return hasMarker(value, validationMarker);
  }
}

/**
 * Why a signature was refused: every {@link SignerErrorCode} of `@wxpark/signer` (`SIGNATURE_MISMATCH`,
 * `UNKNOWN_SERIAL`, `TIMESTAMP_OUT_OF_WINDOW`, `SIGNATURE_PROBE`, `DECRYPT_FAILED`, …), and
 *
 * - `MISSING_SIGN`: an APIv2 response or notice without the `sign` WeChat Pay puts on it.
 * - `SIGN_TYPE_MISMATCH`: an APIv2 notice signed with another `sign_type` than the merchant's.
 * - `SERIAL_MISMATCH`: `/v3/certificates` listed a serial that is not its certificate's.
 */
export type SignatureErrorCode = SignerErrorCode | 'MISSING_SIGN' | 'SIGN_TYPE_MISMATCH' | 'SERIAL_MISMATCH';

/**
 * A response or notice did not prove it came from WeChat Pay: a bad or missing signature, an unknown
 * key serial, a signature probe, or a timestamp outside the allowed window. Its data is never returned.
 */
export class SignatureError extends WxparkError {
  declare readonly code: SignatureErrorCode;
  /** The API path or notice the signature belonged to. */
  declare readonly path?: string;
  declare readonly requestId?: string;

  constructor(init: WxparkErrorInit<SignatureErrorCode> & { path?: string; requestId?: string }) {
    super(baseInit(init));
    this.name = 'SignatureError';
    if (init.path !== undefined) this.path = init.path;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    mark(this, signatureMarker);
  }

  /** True for a `SignatureError` (or a subclass) from any installed copy of `@wxpark/core`. */
  static override isInstance(value: unknown): value is SignatureError {
    return hasMarker(value, signatureMarker);
  }
}

/** The v3 error body's optional `detail`. */
export interface ApiErrorDetail {
  readonly field?: string;
  readonly value?: unknown;
  readonly issue?: string;
  readonly location?: string;
  readonly [key: string]: unknown;
}

/**
 * An `ApiError`'s code: WeChat Pay's own code when the response carried one (APIv3 `code` such as
 * `PARAM_ERROR`, APIv2 `err_code` such as `SYSTEMERROR`), kept as WeChat spells it; otherwise one of the
 * SDK's:
 *
 * - `HTTP_STATUS`: a non-2xx response without a WeChat Pay code in its body (a gateway's 502, say): see
 *   `status`.
 * - `RETURN_CODE_FAIL`: an APIv2 `return_code` of FAIL without an `err_code`.
 * - `RESULT_CODE_FAIL`: an APIv2 `result_code` of FAIL without an `err_code`.
 * - `UNEXPECTED_RESPONSE`: a verified response without the documented shape (its route's response schema).
 */
export type ApiErrorCode =
  | 'HTTP_STATUS'
  | 'RETURN_CODE_FAIL'
  | 'RESULT_CODE_FAIL'
  | 'UNEXPECTED_RESPONSE'
  | (string & {});

/**
 * WeChat Pay answered, and the response was a failure: an APIv2 `return_code`/`result_code` of FAIL, or an
 * APIv3 non-2xx status with `{code, message, detail}`.
 */
export class ApiError extends WxparkError {
  declare readonly code: ApiErrorCode;
  /** HTTP status of the response. */
  readonly status: number;
  /** `v2` or `v3`. */
  readonly protocol: 'v2' | 'v3';
  readonly method: string;
  readonly path: string;
  /** The `Request-ID` response header, worth quoting to WeChat Pay support. */
  declare readonly requestId?: string;
  /** APIv3 `detail`. */
  declare readonly detail?: ApiErrorDetail;
  /** APIv2 `err_code_des`, or `return_msg` when the communication itself failed. */
  declare readonly description?: string;
  /**
   * False when the response carried no signature to check (APIv2 errors and gateway responses often do not):
   * its body may not come from WeChat Pay.
   */
  readonly signatureVerified: boolean;
  /**
   * True when repeating the same call with the same parameters may succeed (rate limits, system errors).
   * Decided by one rule for every protocol (see `retry` on the client options); an unverified body's codes
   * are never consulted, only the HTTP status.
   */
  readonly isRetryable: boolean;

  constructor(
    init: WxparkErrorInit<ApiErrorCode> & {
      status: number;
      protocol: 'v2' | 'v3';
      method: string;
      path: string;
      requestId?: string;
      detail?: ApiErrorDetail;
      description?: string;
      signatureVerified: boolean;
      isRetryable: boolean;
    },
  ) {
    super(baseInit(init));
    this.name = 'ApiError';
    this.status = init.status;
    this.protocol = init.protocol;
    this.method = init.method;
    this.path = init.path;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.detail !== undefined) this.detail = init.detail;
    if (init.description !== undefined) this.description = init.description;
    this.signatureVerified = init.signatureVerified;
    this.isRetryable = init.isRetryable;
    mark(this, apiMarker);
  }

  /** True for an `ApiError` (or a subclass) from any installed copy of `@wxpark/core`. */
  static override isInstance(value: unknown): value is ApiError {
    return hasMarker(value, apiMarker);
  }
}

/** One attempt that did not get a usable response. */
export interface TransportAttempt {
  readonly url: string;
  readonly error: string;
}

/**
 * Why no usable response arrived.
 *
 * - `UNREACHABLE`: no host could be reached at all (DNS, connect or TLS failure): nothing arrived.
 * - `TIMEOUT`: the attempt, body included, did not finish within `timeout`. A POST may have arrived.
 * - `NETWORK`: the connection failed after the request may have been sent. A POST may have arrived.
 * - `RESPONSE_TOO_LARGE`: the response body passed `maxResponseBytes` and the connection was cut. The call
 *   reached a server and may have been processed.
 */
export type TransportErrorCode = 'UNREACHABLE' | 'TIMEOUT' | 'NETWORK' | 'RESPONSE_TOO_LARGE';

/**
 * No usable response arrived. A call that may have arrived is never sent again (its `hint` says so): query
 * its state before repeating it.
 */
export class TransportError extends WxparkError {
  declare readonly code: TransportErrorCode;
  readonly method: string;
  readonly path: string;
  /** Every attempt, in order, including retries and failovers to backup hosts. */
  readonly attempts: readonly TransportAttempt[];

  constructor(
    init: WxparkErrorInit<TransportErrorCode> & {
      method: string;
      path: string;
      attempts: readonly TransportAttempt[];
    },
  ) {
    super(baseInit(init));
    this.name = 'TransportError';
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
    mark(this, transportMarker);
  }

  /** True for a `TransportError` (or a subclass) from any installed copy of `@wxpark/core`. */
  static override isInstance(value: unknown): value is TransportError {
    return hasMarker(value, transportMarker);
  }
}
