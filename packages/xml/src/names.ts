import { XmlError } from './errors.ts';

// Fast check first: C0 controls other than tab/LF/CR, U+FFFE and U+FFFF by class, lone surrogates with the
// native isWellFormed (ES2024, Node 20+; the repository's lib is ES2023, hence the cast). The exact scan
// below only runs to name the offending character.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding forbidden control characters is the point.
const forbiddenBmpChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const invalidXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Finds the first character outside the XML 1.0 `Char` production (C0 controls other than tab, LF and CR,
 * lone surrogates, U+FFFE, U+FFFF): its `U+XXXX` label and index, or `undefined` when there is none.
 */
export function findInvalidXmlChar(text: string): { label: string; index: number } | undefined {
  if (!forbiddenBmpChar.test(text) && (text as unknown as { isWellFormed(): boolean }).isWellFormed())
    return undefined;
  const match = invalidXmlChar.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0) ?? 0;
  return { label: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`, index: match.index };
}

// Every WeChat Pay APIv2 field is ASCII snake_case. One rule for both directions means whatever parses can
// be built again, and no namespace prefix (`a:b`) or look-alike Unicode name passes as a known field.
const fieldName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Throws `FORBIDDEN_KEY` or `INVALID_KEY` unless `name` can be a field of an APIv2 body:
 * `[A-Za-z_][A-Za-z0-9_.-]*`, and not `__proto__`, `constructor` or `prototype`.
 */
export function checkFieldName(name: string): void {
  if (!fieldName.test(name)) {
    throw new XmlError({
      code: 'INVALID_KEY',
      field: name,
      message: `field name ${quoteName(name)} is not an ASCII XML name ([A-Za-z_][A-Za-z0-9_.-]*)`,
    });
  }
  // These would reach Object.prototype (or shadow the constructor) on the plain object we return.
  if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
    throw new XmlError({
      code: 'FORBIDDEN_KEY',
      field: name,
      message: `field name ${quoteName(name)} is refused: as an object key it could reach or shadow Object.prototype`,
    });
  }
}

/** Quotes a name from untrusted input for a message: JSON-escaped so it cannot forge log lines, and short. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

/** Whether a code point is a `Char` of XML 1.0 (what a `&#…;` reference may name). */
export function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
