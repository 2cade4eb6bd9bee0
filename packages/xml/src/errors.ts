const wxparkMarker = Symbol.for('wxpark.error');
const xmlMarker = Symbol.for('wxpark.error.XmlError');

/**
 * Why an XML body was refused.
 *
 * - `TOO_LARGE`: the body is larger than `maxBytes`; nothing was parsed.
 * - `FORBIDDEN_DECLARATION`: a `<!DOCTYPE`, `<!ENTITY`, comment or other `<!…>` markup (CDATA excepted), or a
 *   processing instruction other than the leading `<?xml …?>` declaration.
 * - `MALFORMED`: not well-formed XML, invalid UTF-8, a character XML 1.0 forbids, or an unknown entity.
 * - `NOT_XML_ROOT`: the root element is not `<xml>`, there are two roots, or text sits outside the root.
 * - `NOT_FLAT`: a field contains a child element, or text sits directly inside `<xml>`.
 * - `TOO_DEEP`: elements nest more than one level inside a field (refused as soon as seen).
 * - `FORBIDDEN_KEY`: a field named `__proto__`, `constructor` or `prototype`.
 * - `INVALID_KEY`: a field name outside `[A-Za-z_][A-Za-z0-9_.-]*`.
 * - `DUPLICATE_KEY`: the same field twice in one body.
 * - `INVALID_VALUE`: (build) a value that is not a string, finite number or boolean, or holds a character XML
 *   1.0 cannot carry.
 */
export type XmlErrorCode =
  | 'TOO_LARGE'
  | 'FORBIDDEN_DECLARATION'
  | 'MALFORMED'
  | 'NOT_XML_ROOT'
  | 'NOT_FLAT'
  | 'TOO_DEEP'
  | 'FORBIDDEN_KEY'
  | 'INVALID_KEY'
  | 'DUPLICATE_KEY'
  | 'INVALID_VALUE';

/** Fields an {@link XmlError} is built from. */
export interface XmlErrorInit {
  /** What was wrong, where, and what was expected. Never contains field values. */
  message: string;
  /** Why the body or record was refused. */
  code: XmlErrorCode;
  /** The field (element name or record key) concerned, when there is one. */
  field?: string;
  /** The underlying error (a `TextDecoder` or fast-xml-parser error), when there is one. */
  cause?: unknown;
}

/**
 * An XML body could not be parsed or built. Nothing partial is returned.
 *
 * Like every wxpark error it carries the `Symbol.for('wxpark.error')` marker, so `WxparkError.isInstance()`
 * from `@wxpark/core` recognises it; use {@link XmlError.isInstance} rather than `instanceof`, which fails
 * when two copies of this package are installed.
 */
export class XmlError extends Error {
  /** Why the body or record was refused; stable across versions. */
  readonly code: XmlErrorCode;
  /** The field (element name or record key) concerned, when there is one. */
  declare readonly field?: string;

  constructor(init: XmlErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'XmlError';
    this.code = init.code;
    if (init.field !== undefined) this.field = init.field;
    Object.defineProperty(this, wxparkMarker, { value: true });
    Object.defineProperty(this, xmlMarker, { value: true });
  }

  /** True for an `XmlError` from any installed copy of `@wxpark/xml`. */
  static isInstance(value: unknown): value is XmlError {
    return (
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[xmlMarker] === true
    );
  }
}
