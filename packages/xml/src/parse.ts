import { type X2jOptions, XMLParser } from 'fast-xml-parser';
import { XmlError } from './errors.ts';
import { findInvalidXmlChar, isXmlChar } from './names.ts';
import { scanMarkup } from './scan.ts';

/** A parsed APIv2 body: field name → value, every value a string exactly as sent. */
export type XmlRecord = Record<string, string>;

/** The default {@link ParseXmlOptions.maxBytes}: 1 MiB. */
export const DEFAULT_MAX_XML_BYTES = 1_048_576;

/** Settings for {@link parseXml}. */
export interface ParseXmlOptions {
  /**
   * The largest body accepted, in bytes (UTF-8 bytes for a string). Checked before anything else is done
   * with the input; a larger body is refused with `TOO_LARGE`. `Infinity` turns the check off.
   * @default 1048576 (1 MiB)
   */
  maxBytes?: number;
}

const textKey = '#text';
const cdataKey = '#cdata';
const predefined: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const reference = /&(?:#([0-9]+);|#x([0-9A-Fa-f]+);|(lt|gt|amp|quot|apos);)|&/g;

let parser: XMLParser | undefined;
let decoder: InstanceType<typeof TextDecoder> | undefined;

/**
 * Parses a WeChat Pay APIv2 body `<xml><k>v</k>…</xml>` into a flat record of strings.
 *
 * - Every value stays a string, exactly as sent: `<total_fee>0100</total_fee>` gives `'0100'`, whitespace
 *   is kept (in plain text as in CDATA), and `<a/>`, `<a></a>` and `<a><![CDATA[]]></a>` give `''`.
 * - Text and CDATA are both accepted and joined in order, so `<![CDATA[a]]]]><![CDATA[>b]]>` gives
 *   `'a]]>b'`. In plain text the five predefined entities (`&lt;` `&gt;` `&amp;` `&quot;` `&apos;`) and
 *   character references (`&#13;`, `&#x4E2D;`) are decoded; any other `&` is refused. Line ends are
 *   normalised to LF as XML requires, so a CR survives only as `&#13;`.
 * - Attributes are ignored. A leading `<?xml …?>` declaration and a byte order mark are accepted.
 * - A `Uint8Array` is decoded as UTF-8.
 *
 * Refused before fast-xml-parser runs: any `<!DOCTYPE`, `<!ENTITY`, comment or other `<!` markup except
 * CDATA, every processing instruction but the leading declaration, and anything that is not a single flat
 * `<xml>` element; fast-xml-parser then runs with entity processing off.
 *
 * @throws {XmlError} with `code` `TOO_LARGE`, `FORBIDDEN_DECLARATION`, `MALFORMED`, `NOT_XML_ROOT`,
 *   `NOT_FLAT`, `TOO_DEEP`, `FORBIDDEN_KEY`, `INVALID_KEY` or `DUPLICATE_KEY`; `field` names the field when
 *   there is one. No other error escapes, except a `RangeError` for a negative or NaN `maxBytes`.
 */
export function parseXml(input: string | Uint8Array, options: ParseXmlOptions = {}): XmlRecord {
  const text = decode(input, options.maxBytes ?? DEFAULT_MAX_XML_BYTES);
  const fieldNames = scanMarkup(text);
  const bad = findInvalidXmlChar(text);
  if (bad) {
    throw new XmlError({
      code: 'MALFORMED',
      message: `the XML body holds ${bad.label} at offset ${bad.index}, which XML 1.0 forbids`,
    });
  }
  let tree: unknown;
  try {
    tree = xmlParser().parse(text);
  } catch (error) {
    // fast-xml-parser's messages quote the input around the fault, which may hold signed values.
    throw new XmlError({
      code: 'MALFORMED',
      message: 'fast-xml-parser refused the XML body (see cause)',
      cause: error,
    });
  }
  return toRecord(tree, fieldNames);
}

function decode(input: string | Uint8Array, maxBytes: number): string {
  if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be a non-negative number, received ${maxBytes}`);
  if (typeof input === 'string') {
    // A UTF-16 code unit takes one to three UTF-8 bytes, so the exact count is only needed near the limit.
    if (
      input.length > maxBytes ||
      (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes)
    ) {
      throw tooLarge(maxBytes);
    }
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (!(input instanceof Uint8Array)) {
    throw new XmlError({
      code: 'MALFORMED',
      message: `expected the XML body as a string or Uint8Array, received ${typeof input}`,
    });
  }
  if (input.byteLength > maxBytes) throw tooLarge(maxBytes);
  decoder ??= new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(input);
  } catch (error) {
    throw new XmlError({ code: 'MALFORMED', message: 'the XML body is not valid UTF-8', cause: error });
  }
}

function tooLarge(maxBytes: number): XmlError {
  return new XmlError({
    code: 'TOO_LARGE',
    message: `the XML body is larger than maxBytes (${maxBytes} bytes); nothing was parsed`,
  });
}

/**
 * The fast-xml-parser settings {@link parseXml} uses, after its own checks. Internal: exported for the
 * benchmark, which times fast-xml-parser alone with them.
 */
export const parserOptions: Readonly<X2jOptions> = {
  // Ordered output keeps repeated fields and each text or CDATA piece visible, in document order.
  preserveOrder: true,
  cdataPropName: cdataKey,
  textNodeName: textKey,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Values are signed as sent: no number or boolean coercion, no trimming.
  parseTagValue: false,
  trimValues: false,
  // No DTD reaches the parser (the scan refuses it), and references are decoded below, where only the
  // five predefined entities and XML 1.0 characters are accepted.
  processEntities: false,
  htmlEntities: false,
  // Keep names such as `toString` as sent; our plain record is never reached through them, and the
  // three names that could reach Object.prototype are refused by the scan.
  onDangerousProperty: (name) => name,
  maxNestedTags: 3,
  // No callbacks read the path, so skip building its string for every node (about 10% of parse time).
  jPath: false,
};

function xmlParser(): XMLParser {
  parser ??= new XMLParser(parserOptions);
  return parser;
}

type OrderedNode = Record<string, unknown>;

// The scan has already enforced the shape and checked every name; fast-xml-parser must have seen exactly the
// same fields, so a disagreement between the two readers can never produce a record.
function toRecord(tree: unknown, fieldNames: readonly string[]): XmlRecord {
  const roots = nodes(tree);
  const root = roots[0];
  if (roots.length !== 1 || root === undefined || nameOf(root) !== 'xml') throw unexpected();
  const children = nodes(root.xml);
  const record: XmlRecord = {};
  let seen = 0;
  for (let i = 0; i < children.length; i++) {
    const child = children[i] as OrderedNode;
    const name = nameOf(child);
    if (name === textKey) continue; // whitespace between fields
    if (name !== fieldNames[seen++]) throw unexpected();
    if (Object.hasOwn(record, name)) {
      throw new XmlError({
        code: 'DUPLICATE_KEY',
        field: name,
        message: `field ${name} appears more than once`,
      });
    }
    record[name] = fieldValue(name, nodes(child[name]));
  }
  if (seen !== fieldNames.length) throw unexpected();
  return record;
}

function fieldValue(field: string, parts: OrderedNode[]): string {
  let value = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as OrderedNode;
    const kind = nameOf(part);
    if (kind === cdataKey) {
      value += stringOf(nodes(part[cdataKey])[0]?.[textKey]);
    } else if (kind === textKey) {
      value += decodeReferences(field, stringOf(part[textKey]));
    } else {
      throw new XmlError({
        code: 'NOT_FLAT',
        field,
        message: `field ${field} contains an element; APIv2 fields hold text only`,
      });
    }
  }
  return value;
}

function decodeReferences(field: string, text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(reference, (_match, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) return predefined[name] ?? '';
    if (decimal === undefined && hex === undefined) {
      throw new XmlError({
        code: 'MALFORMED',
        field,
        message: `field ${field} holds an & that starts no character reference or predefined entity (&lt; &gt; &amp; &quot; &apos;)`,
      });
    }
    const code = decimal === undefined ? Number.parseInt(hex ?? '', 16) : Number.parseInt(decimal, 10);
    if (!isXmlChar(code)) {
      throw new XmlError({
        code: 'MALFORMED',
        field,
        message: `field ${field} holds a character reference to a code point XML 1.0 forbids`,
      });
    }
    return String.fromCodePoint(code);
  });
}

function nodes(value: unknown): OrderedNode[] {
  if (!Array.isArray(value)) throw unexpected();
  return value as OrderedNode[];
}

// In ordered output each node is a one-key object `{ name: children }` (plus `:@` for attributes, which
// are ignored here).
function nameOf(node: OrderedNode): string {
  for (const key in node) if (key !== ':@') return key;
  throw unexpected();
}

function stringOf(value: unknown): string {
  if (typeof value !== 'string') throw unexpected();
  return value;
}

function unexpected(): XmlError {
  return new XmlError({
    code: 'MALFORMED',
    message: 'fast-xml-parser returned an unexpected shape for the XML body',
  });
}
