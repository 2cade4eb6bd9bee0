import { XMLBuilder } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildXml, type XmlFieldValue } from '../src/index.ts';
import { expectXmlError } from './xml-error.ts';

describe('buildXml', () => {
  it('writes the callback reply WeChat expects, byte for byte', () => {
    expect(buildXml({ return_code: 'SUCCESS', return_msg: 'OK' })).toBe(
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    );
  });

  it('keeps insertion order, with no declaration and no whitespace', () => {
    expect(buildXml({ sign: 'S', appid: 'A', mch_id: 'M' })).toBe(
      '<xml><sign><![CDATA[S]]></sign><appid><![CDATA[A]]></appid><mch_id><![CDATA[M]]></mch_id></xml>',
    );
    expect(buildXml({})).toBe('<xml></xml>');
  });

  it('writes numbers and booleans with String()', () => {
    expect(buildXml({ total_fee: 100, zero: 0, rate: -1.5, ok: true, no: false })).toBe(
      '<xml><total_fee><![CDATA[100]]></total_fee><zero><![CDATA[0]]></zero><rate><![CDATA[-1.5]]></rate>' +
        '<ok><![CDATA[true]]></ok><no><![CDATA[false]]></no></xml>',
    );
  });

  it('leaves out undefined and null fields but keeps an empty string', () => {
    expect(buildXml({ a: undefined, b: null, c: '', d: 'x' })).toBe(
      '<xml><c><![CDATA[]]></c><d><![CDATA[x]]></d></xml>',
    );
  });

  it('splits ]]> across CDATA sections', () => {
    expect(buildXml({ a: 'x]]>y' })).toBe('<xml><a><![CDATA[x]]]]><![CDATA[>y]]></a></xml>');
    expect(buildXml({ a: ']]>]]>' })).toBe('<xml><a><![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]></a></xml>');
  });

  it('writes a CR as &#13; between CDATA sections, so no parser turns it into LF', () => {
    expect(buildXml({ a: 'p\r\nq' })).toBe('<xml><a><![CDATA[p]]>&#13;<![CDATA[\nq]]></a></xml>');
  });

  it('writes <, & and other markup characters inside CDATA unescaped', () => {
    expect(buildXml({ a: '<b>&amp;</b> "\'' })).toBe(`<xml><a><![CDATA[<b>&amp;</b> "']]></a></xml>`);
  });

  it('matches fast-xml-parser XMLBuilder (cdataPropName) output for the same record', () => {
    const record = {
      appid: 'wxd930ea5d5a258f4f',
      scene_info: '{"scene_info":{"plate_number":"粤B888888","parking_name":"a]]>b & <c>"}}',
      empty: '',
      spaces: '  \t\n  ',
    };
    const fields: Record<string, { '#cdata': string }> = {};
    for (const [key, value] of Object.entries(record)) fields[key] = { '#cdata': value };
    expect(buildXml(record)).toBe(new XMLBuilder({ cdataPropName: '#cdata' }).build({ xml: fields }));
  });

  it('refuses keys that are not ASCII XML names, naming the key, even when the value is absent', () => {
    for (const key of ['', '1st', 'a b', 'wx:appid', '金额', '<a>', 'a>', 'a/b', '-a', '.a']) {
      expectXmlError(() => buildXml({ [key]: 'x' }), 'INVALID_KEY', key);
    }
    expectXmlError(() => buildXml({ 'bad key': undefined }), 'INVALID_KEY', 'bad key');
  });

  it('refuses __proto__, constructor and prototype as keys', () => {
    const proto = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expectXmlError(() => buildXml(proto), 'FORBIDDEN_KEY', '__proto__');
    expectXmlError(() => buildXml({ constructor: 'x' }), 'FORBIDDEN_KEY', 'constructor');
    expectXmlError(() => buildXml({ prototype: 'x' }), 'FORBIDDEN_KEY', 'prototype');
  });

  it('refuses non-finite numbers and values that are not strings, numbers or booleans', () => {
    const values: unknown[] = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      {},
      [],
      ['a'],
      () => 'x',
      1n,
      Symbol('s'),
      new Date(0),
    ];
    for (const value of values) {
      expectXmlError(() => buildXml({ scene_info: value as XmlFieldValue }), 'INVALID_VALUE', 'scene_info');
    }
  });

  it('refuses strings holding characters XML 1.0 cannot carry, naming the field', () => {
    const bad = [
      '\u0000',
      'a\u0008',
      '\u000B',
      '\u000C',
      '\u001F',
      '\uD800',
      'a\uDFFF',
      '\uDC00x',
      '\uFFFE',
      '\uFFFF',
    ];
    for (const value of bad) {
      const error = expectXmlError(() => buildXml({ ok: 'fine', body: value }), 'INVALID_VALUE', 'body');
      expect(error.message).toMatch(/U\+[0-9A-F]{4}/);
    }
  });

  it('accepts tab, LF, emoji, U+007F, private-use characters and U+FFFD', () => {
    expect(buildXml({ a: '\t\n😀\u007F\uE000\uFFFD' })).toBe(
      '<xml><a><![CDATA[\t\n😀\u007F\uE000\uFFFD]]></a></xml>',
    );
  });

  it('refuses a record that is not an object', () => {
    for (const record of [null, undefined, 'x', 1, ['a']]) {
      expectXmlError(() => buildXml(record as unknown as Record<string, string>), 'INVALID_VALUE');
    }
  });
});
