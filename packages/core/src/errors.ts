const marker = Symbol.for('wxpark.error');

/** Fields every wxpark error is built from. */
export interface WxparkErrorInit {
  /** What went wrong, where, and what was expected. Never contains key material. */
  message: string;
  /** A stable, machine-readable code (`VALIDATION_FAILED`, `SIGNATURE_MISMATCH`, `PARAM_ERROR`, …). */
  code: string;
  /** A likely cause and fix, when the error matches a common mistake. */
  hint?: string;
  cause?: unknown;
}

/**
 * Base class of every error the wxpark packages throw.
 *
 * Use {@link WxparkError.isInstance} rather than `instanceof`: it also recognises errors from a second
 * installed copy of a package and the errors of `@wxpark/signer` and `@wxpark/xml`.
 */
export class WxparkError extends Error {
  readonly code: string;
  readonly hint?: string;

  constructor(init: WxparkErrorInit) {
    super(init.hint ? `${init.message} (hint: ${init.hint})` : init.message, { cause: init.cause });
    this.name = 'WxparkError';
    this.code = init.code;
    if (init.hint !== undefined) this.hint = init.hint;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any wxpark error, whichever copy of which package created it. */
  static isInstance(value: unknown): value is WxparkError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** One reason a value was refused. */
export interface ValidationIssue {
  /** Where, as a dotted path from the call's data (`scene_info.plate_number`, `discount_template_id[1]`). */
  readonly path: string;
  /** What the field must be. */
  readonly expected: string;
  /** A short description of what was given (type and, for short non-secret values, the value). */
  readonly received: string;
}

/**
 * Input was refused before any network I/O: nothing was sent.
 *
 * `code` is `VALIDATION_FAILED` for call data, `INVALID_OPTIONS` for client options and
 * `UNKNOWN_ROUTE` for a route that no composed package defines.
 */
export class ValidationError extends WxparkError {
  /** The first refused field's path. */
  readonly field: string;
  readonly expected: string;
  readonly received: string;
  /** Every refused field, in the order found. */
  readonly issues: readonly ValidationIssue[];

  constructor(init: { issues: readonly ValidationIssue[]; code?: string; context?: string; hint?: string }) {
    const [first] = init.issues;
    if (!first) throw new TypeError('ValidationError needs at least one issue');
    const where = init.context ? `${init.context}: ` : '';
    const more = init.issues.length > 1 ? ` (and ${init.issues.length - 1} more)` : '';
    super({
      code: init.code ?? 'VALIDATION_FAILED',
      message: `${where}${first.path || 'value'} must be ${first.expected}, received ${first.received}${more}`,
      ...(init.hint === undefined ? {} : { hint: init.hint }),
    });
    this.name = 'ValidationError';
    this.field = first.path;
    this.expected = first.expected;
    this.received = first.received;
    this.issues = init.issues;
  }
}

/**
 * A response or callback did not prove it came from WeChat Pay: a bad or missing signature, an unknown
 * key serial, a signature probe, or a timestamp outside the allowed window. Its data is never returned.
 */
export class SignatureError extends WxparkError {
  /** The API path or callback the signature belonged to. */
  readonly path?: string;
  readonly requestId?: string;

  constructor(init: WxparkErrorInit & { path?: string; requestId?: string }) {
    super(init);
    this.name = 'SignatureError';
    if (init.path !== undefined) this.path = init.path;
    if (init.requestId !== undefined) this.requestId = init.requestId;
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
 * WeChat Pay answered, and the answer was a failure: an APIv2 `return_code`/`result_code` of FAIL, or an
 * APIv3 non-2xx status with `{code, message, detail}`.
 */
export class ApiError extends WxparkError {
  /** HTTP status of the answer. */
  readonly status: number;
  /** `v2` or `v3`. */
  readonly protocol: 'v2' | 'v3';
  readonly method: string;
  readonly path: string;
  /** The `Request-ID` response header, worth quoting to WeChat Pay support. */
  readonly requestId?: string;
  /** APIv3 `detail`. */
  readonly detail?: ApiErrorDetail;
  /** APIv2 `err_code_des`, or `return_msg` when the communication itself failed. */
  readonly description?: string;
  /** False when the failure answer carried no signature to check (APIv2 errors often do not). */
  readonly signatureVerified: boolean;
  /** True when repeating the same call with the same parameters may succeed (system errors, rate limits). */
  readonly isRetryable: boolean;

  constructor(
    init: WxparkErrorInit & {
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
    super(init);
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
  }
}

/** One attempt that did not get an answer. */
export interface TransportAttempt {
  readonly url: string;
  readonly error: string;
}

/**
 * No usable answer arrived: a timeout, a refused or reset connection, a DNS or TLS failure, or a body that
 * could not be read. `code` is `TIMEOUT`, `UNREACHABLE` (no host could be reached; nothing arrived) or
 * `NETWORK` (the request may have arrived, so it was not sent again).
 */
export class TransportError extends WxparkError {
  readonly method: string;
  readonly path: string;
  /** Every attempt, in order, including failovers to backup hosts. */
  readonly attempts: readonly TransportAttempt[];

  constructor(
    init: WxparkErrorInit & { method: string; path: string; attempts: readonly TransportAttempt[] },
  ) {
    super(init);
    this.name = 'TransportError';
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
  }
}
