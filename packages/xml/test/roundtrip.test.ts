import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildXml, parseXml } from '../src/index.ts';

const fieldName = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,15}$/)
  .filter((name) => name !== '__proto__' && name !== 'constructor' && name !== 'prototype');

// Pieces that stress the codec (CDATA delimiters, markup, references, line ends) mixed with any code point
// XML 1.0 can carry.
const tricky = fc.constantFrom(
  ']]>',
  ']]',
  ']',
  '>',
  '<',
  '&',
  '&amp;',
  '&#13;',
  '<![CDATA[',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '"',
  "'",
  '中文',
  '😀',
);
const xmlChar = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 1 })
  .filter((char) => /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]$/u.test(char));
const value = fc.string({ unit: fc.oneof(tricky, xmlChar), maxLength: 40 });

describe('parseXml(buildXml(record))', () => {
  it('gives back any record of valid names and XML-legal strings, empty strings and key order included', () => {
    fc.assert(
      fc.property(fc.dictionary(fieldName, value, { maxKeys: 12, noNullPrototype: true }), (record) => {
        const parsed = parseXml(buildXml(record));
        expect(parsed).toEqual(record);
        expect(Object.keys(parsed)).toEqual(Object.keys(record));
      }),
      { numRuns: 500 },
    );
  });

  it('gives back values containing ]]>, CR LF and a lone CR', () => {
    const record = { a: 'a]]>b', b: ']]>', c: 'line1\r\nline2', d: '\r', e: ']]>\r]]>', f: '' };
    expect(parseXml(buildXml(record))).toEqual(record);
  });

  it('gives back numbers and booleans as their strings and drops absent fields', () => {
    expect(
      parseXml(buildXml({ total_fee: 100, ok: true, skipped: undefined, gone: null, empty: '' })),
    ).toEqual({
      total_fee: '100',
      ok: 'true',
      empty: '',
    });
  });
});
