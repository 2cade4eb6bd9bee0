import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_XML_BYTES, parseXml, XmlError } from '../src/index.ts';
import { expectXmlError } from './xml-error.ts';

const utf8 = new TextEncoder();

describe('parseXml: WeChat Pay bodies', () => {
  it('parses a vehicle notification response with mixed CDATA and plain text exactly', () => {
    const body = [
      '<xml>',
      '<return_code><![CDATA[SUCCESS]]></return_code>',
      '<return_msg><![CDATA[OK]]></return_msg>',
      '<appid><![CDATA[wxd930ea5d5a258f4f]]></appid>',
      '<mch_id><![CDATA[10000100]]></mch_id>',
      '<nonce_str><![CDATA[ibuaiVcKdpRxkhJA]]></nonce_str>',
      '<sign><![CDATA[6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6]]></sign>',
      '<result_code><![CDATA[SUCCESS]]></result_code>',
      '<user_state><![CDATA[NORMAL]]></user_state>',
      '<deduct_mode>PROACTIVE</deduct_mode>',
      '</xml>',
    ].join('\n');
    const fields = parseXml(body);
    expect(fields).toEqual({
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: 'wxd930ea5d5a258f4f',
      mch_id: '10000100',
      nonce_str: 'ibuaiVcKdpRxkhJA',
      sign: '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
      result_code: 'SUCCESS',
      user_state: 'NORMAL',
      deduct_mode: 'PROACTIVE',
    });
    expect(Object.keys(fields)).toEqual([
      'return_code',
      'return_msg',
      'appid',
      'mch_id',
      'nonce_str',
      'sign',
      'result_code',
      'user_state',
      'deduct_mode',
    ]);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  });

  it('parses a UTF-8 Buffer or Uint8Array body with Chinese text, with or without a BOM', () => {
    const body =
      '<xml><plate_number>粤B888888</plate_number><parking_name><![CDATA[欢乐海岸]]></parking_name></xml>';
    const expected = { plate_number: '粤B888888', parking_name: '欢乐海岸' };
    expect(parseXml(utf8.encode(body))).toEqual(expected);
    expect(parseXml(Buffer.from(body))).toEqual(expected);
    expect(parseXml(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8.encode(body)]))).toEqual(expected);
    expect(parseXml(`\uFEFF${body}`)).toEqual(expected);
  });

  it('keeps every value a string: leading zeros, decimals, exponents and booleans are not coerced', () => {
    const fields = parseXml(
      '<xml><total_fee>0100</total_fee><version>3.0</version><free_time>1e3</free_time>' +
        '<flag>true</flag><hex>0x1F</hex><big>12345678901234567890</big><neg><![CDATA[-0]]></neg></xml>',
    );
    expect(fields).toEqual({
      total_fee: '0100',
      version: '3.0',
      free_time: '1e3',
      flag: 'true',
      hex: '0x1F',
      big: '12345678901234567890',
      neg: '-0',
    });
  });

  it('gives an empty string for <a/>, <a></a> and an empty CDATA section', () => {
    expect(parseXml('<xml><a/><b></b><c><![CDATA[]]></c><d /></xml>')).toEqual({
      a: '',
      b: '',
      c: '',
      d: '',
    });
    expect(parseXml('<xml/>')).toEqual({});
    expect(parseXml('<xml></xml>')).toEqual({});
  });

  it('keeps whitespace exactly, inside CDATA and in plain text', () => {
    expect(parseXml('<xml><a><![CDATA[  \t two  spaces \n ]]></a><b>  x  </b><c> </c></xml>')).toEqual({
      a: '  \t two  spaces \n ',
      b: '  x  ',
      c: ' ',
    });
  });

  it('joins a value split across CDATA sections back into one string', () => {
    expect(parseXml('<xml><a><![CDATA[a]]]]><![CDATA[>b]]></a></xml>')).toEqual({ a: 'a]]>b' });
    expect(parseXml('<xml><a>x<![CDATA[<y>]]>z<![CDATA[]]>!</a></xml>')).toEqual({ a: 'x<y>z!' });
  });

  it('decodes the five predefined entities and character references in plain text, once', () => {
    const fields = parseXml(
      '<xml><a>&lt;&gt;&amp;&quot;&apos;&#20013;&#x6587;&#x1F600;&#0065;</a><b>&amp;lt;</b></xml>',
    );
    expect(fields).toEqual({ a: `<>&"'中文😀A`, b: '&lt;' });
  });

  it('leaves entity-like text inside CDATA as written', () => {
    expect(parseXml('<xml><a><![CDATA[&lt;&amp;&#65;&nbsp;& <!DOCTYPE x> <?pi?>]]></a></xml>')).toEqual({
      a: '&lt;&amp;&#65;&nbsp;& <!DOCTYPE x> <?pi?>',
    });
  });

  it('normalises a literal CR LF to LF as XML requires, while &#13; keeps a CR', () => {
    expect(parseXml('<xml><a><![CDATA[x\r\ny\rz]]></a><b>p&#13;&#10;q</b></xml>')).toEqual({
      a: 'x\ny\nz',
      b: 'p\r\nq',
    });
  });

  it('ignores attributes, a leading XML declaration and whitespace around fields', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xml version="2">\n  <a id="1" note=\'x > y\'>v</a>\n  <b\n/>\n</xml>\n';
    expect(parseXml(body)).toEqual({ a: 'v', b: '' });
  });

  it('returns names such as toString and hasOwnProperty as ordinary fields', () => {
    const fields = parseXml('<xml><toString>1</toString><hasOwnProperty>2</hasOwnProperty><valueOf/></xml>');
    expect(Object.entries(fields)).toEqual([
      ['toString', '1'],
      ['hasOwnProperty', '2'],
      ['valueOf', ''],
    ]);
  });
});

describe('parseXml: hostile and malformed bodies', () => {
  it('refuses a body over 1 MiB (by default) before looking at it, and accepts one at the limit', () => {
    expect(DEFAULT_MAX_XML_BYTES).toBe(1_048_576);
    const bomb = `<!DOCTYPE x [<!ENTITY a "b">]><xml><a>${'x'.repeat(DEFAULT_MAX_XML_BYTES)}</a></xml>`;
    expectXmlError(() => parseXml(bomb), 'TOO_LARGE');
    expectXmlError(() => parseXml(new Uint8Array(DEFAULT_MAX_XML_BYTES + 1)), 'TOO_LARGE');
    const atLimit = `<xml><a>${'x'.repeat(DEFAULT_MAX_XML_BYTES - 18)}</a></xml>`;
    const justOver = `<xml><a>${'x'.repeat(DEFAULT_MAX_XML_BYTES + 1 - 18)}</a></xml>`;
    expect(Buffer.byteLength(atLimit)).toBe(DEFAULT_MAX_XML_BYTES);
    expect(parseXml(atLimit).a).toHaveLength(DEFAULT_MAX_XML_BYTES - 18);
    expectXmlError(() => parseXml(justOver), 'TOO_LARGE');
    expect(parseXml(justOver, { maxBytes: Number.POSITIVE_INFINITY }).a).toHaveLength(
      DEFAULT_MAX_XML_BYTES + 1 - 18,
    );
  });

  it('counts UTF-8 bytes, not string length, against maxBytes', () => {
    const body = '<xml><a>中</a></xml>'; // 19 characters, 21 bytes
    expect(parseXml(body, { maxBytes: 21 })).toEqual({ a: '中' });
    expectXmlError(() => parseXml(body, { maxBytes: 20 }), 'TOO_LARGE');
    expectXmlError(() => parseXml(`<xml><a>${'中'.repeat(349_526)}</a></xml>`), 'TOO_LARGE');
    expect(parseXml(utf8.encode(body), { maxBytes: 21 })).toEqual({ a: '中' });
    expectXmlError(() => parseXml(utf8.encode(body), { maxBytes: 20 }), 'TOO_LARGE');
  });

  it('refuses a negative or NaN maxBytes with a RangeError', () => {
    expect(() => parseXml('<xml/>', { maxBytes: -1 })).toThrow(RangeError);
    expect(() => parseXml('<xml/>', { maxBytes: Number.NaN })).toThrow(RangeError);
  });

  it('refuses a billion-laughs DOCTYPE before any entity is expanded', () => {
    const levels = Array.from({ length: 9 }, (_, n) => `<!ENTITY lol${n + 1} "${`&lol${n};`.repeat(10)}">`);
    const body = `<?xml version="1.0"?>\n<!DOCTYPE xml [\n<!ENTITY lol0 "lol">\n${levels.join('\n')}\n]>\n<xml><a>&lol9;</a></xml>`;
    const error = expectXmlError(() => parseXml(body), 'FORBIDDEN_DECLARATION');
    expect(error.message).toContain('DOCTYPE');
  });

  it('refuses an external entity (XXE) reading file:///etc/passwd', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      '<xml><return_code>&xxe;</return_code></xml>';
    expectXmlError(() => parseXml(body), 'FORBIDDEN_DECLARATION');
  });

  it('refuses every spelling and placement of <! markup other than CDATA', () => {
    const bodies = [
      '<!doctype xml><xml/>',
      '<!DocType xml SYSTEM "http://evil.example/x.dtd"><xml/>',
      '<! DOCTYPE xml><xml/>',
      '<!ENTITY % p SYSTEM "http://evil.example/p.dtd"><xml/>',
      '<xml><!DOCTYPE xml><a>1</a></xml>',
      '<xml><a><!ENTITY x "y"></a></xml>',
      '<xml><!-- a comment --><a>1</a></xml>',
      '<xml><a>1</a></xml><!-- trailing -->',
      '<xml><a><![cdata[lowercase]]></a></xml>',
      '<xml><a><![INCLUDE[x]]></a></xml>',
    ];
    for (const body of bodies) expectXmlError(() => parseXml(body), 'FORBIDDEN_DECLARATION');
  });

  it('refuses processing instructions and an XML declaration that is not at offset 0', () => {
    const bodies = [
      '<?xml-stylesheet type="text/xsl" href="http://evil.example/x.xsl"?><xml/>',
      '<xml><?php system("id"); ?><a>1</a></xml>',
      '<xml><a>1<?pi?></a></xml>',
      '\n<?xml version="1.0"?><xml/>',
      '<xml/><?xml version="1.0"?>',
      '<?XML version="1.0"?><xml/>',
    ];
    for (const body of bodies) expectXmlError(() => parseXml(body), 'FORBIDDEN_DECLARATION');
  });

  it('refuses fields named __proto__, constructor or prototype and leaves Object.prototype alone', () => {
    const bodies = [
      '<xml><__proto__><polluted>yes</polluted></__proto__></xml>',
      '<xml><__proto__>yes</__proto__></xml>',
      '<xml><a>1</a><constructor><prototype><polluted>yes</polluted></prototype></constructor></xml>',
      '<xml><prototype>yes</prototype></xml>',
    ];
    const fields = ['__proto__', '__proto__', 'constructor', 'prototype'];
    bodies.forEach((body, n) => {
      expectXmlError(() => parseXml(body), 'FORBIDDEN_KEY', fields[n]);
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('refuses a field that contains an element, naming the field', () => {
    expectXmlError(
      () => parseXml('<xml><scene_info><start_time>1</start_time></scene_info></xml>'),
      'NOT_FLAT',
      'scene_info',
    );
    expectXmlError(() => parseXml('<xml><a>x<b/>y</a><c>1</c></xml>'), 'NOT_FLAT', 'a');
  });

  it('refuses text or CDATA directly inside <xml>', () => {
    expectXmlError(() => parseXml('<xml>hello<a>1</a></xml>'), 'NOT_FLAT');
    expectXmlError(() => parseXml('<xml><a>1</a><![CDATA[x]]></xml>'), 'NOT_FLAT');
  });

  it('refuses nesting deeper than one level inside a field, without recursing into it', () => {
    expectXmlError(() => parseXml('<xml><a><b><c>1</c></b></a></xml>'), 'TOO_DEEP', 'a');
    const deep = `<xml><a>${'<b>'.repeat(200_000)}`;
    expectXmlError(() => parseXml(deep), 'TOO_DEEP', 'a');
  });

  it('refuses the same field twice, even with the same value', () => {
    expectXmlError(() => parseXml('<xml><sign>A</sign><sign>B</sign></xml>'), 'DUPLICATE_KEY', 'sign');
    expectXmlError(() => parseXml('<xml><a/><b>1</b><a></a></xml>'), 'DUPLICATE_KEY', 'a');
  });

  it('refuses a root element other than <xml>, a second root and text outside the root', () => {
    const bodies = [
      '<root><a>1</a></root>',
      '<XML><a>1</a></XML>',
      '<xml><a>1</a></xml><xml><a>2</a></xml>',
      '<xml/><other/>',
      'hello<xml/>',
      '<xml/>trailing',
      '<![CDATA[x]]><xml/>',
      '{"return_code":"SUCCESS"}',
    ];
    for (const body of bodies) expectXmlError(() => parseXml(body), 'NOT_XML_ROOT');
  });

  it('refuses field names outside [A-Za-z_][A-Za-z0-9_.-]*', () => {
    expectXmlError(() => parseXml('<xml><wx:appid>1</wx:appid></xml>'), 'INVALID_KEY', 'wx:appid');
    expectXmlError(() => parseXml('<xml><金额>1</金额></xml>'), 'INVALID_KEY', '金额');
    expectXmlError(() => parseXml('<xml><1st>1</1st></xml>'), 'INVALID_KEY', '1st');
    expectXmlError(() => parseXml('<xml><#text>1</#text></xml>'), 'INVALID_KEY', '#text');
    expect(parseXml('<xml><a.b-c_1>1</a.b-c_1><_x/></xml>')).toEqual({ 'a.b-c_1': '1', _x: '' });
  });

  it('refuses bytes that are not valid UTF-8, keeping the decoder error as cause', () => {
    const prefix = [...utf8.encode('<xml><a>')];
    const suffix = [...utf8.encode('</a></xml>')];
    const invalid = [
      [0xc3, 0x28],
      [0xc0, 0xaf],
      [0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe4, 0xb8],
    ];
    for (const bytes of invalid) {
      const error = expectXmlError(
        () => parseXml(new Uint8Array([...prefix, ...bytes, ...suffix])),
        'MALFORMED',
      );
      expect(error.cause).toBeInstanceOf(TypeError);
    }
  });

  it('refuses malformed markup', () => {
    const bodies = [
      '',
      '   \n',
      '<xml><a>1</b></xml>',
      '<xml><a>1</a>',
      '<xml><a>1</a></xml></xml>',
      '</xml>',
      '<xml><a><![CDATA[x</a></xml>',
      '<xml><a>1</a><',
      '<xml><a x>1</a></xml>',
      '<xml><a x="1"y="2">1</a></xml>',
      '<xml><a x="1>1</a></xml>',
      '<xml>< a>1</a></xml>',
      '<xml><a>1</ a></xml>',
      '<xml><a>1</a b></xml>',
      '<?xml version="2.0"?><xml/>',
      '<?xml encoding="UTF-8"?><xml/>',
      '<?xml version="1.0"<xml/>',
    ];
    for (const body of bodies) expectXmlError(() => parseXml(body), 'MALFORMED');
  });

  it('refuses characters XML 1.0 forbids, literal or as references', () => {
    for (const char of ['\u0000', '\u0001', '\u000B', '\u001F', '\uD800', '\uDC00', '\uFFFE', '\uFFFF']) {
      expectXmlError(() => parseXml(`<xml><a><![CDATA[${char}]]></a></xml>`), 'MALFORMED');
    }
    for (const reference of [
      '&#0;',
      '&#x1;',
      '&#xD800;',
      '&#xFFFE;',
      '&#x110000;',
      '&#99999999999999999999;',
    ]) {
      expectXmlError(() => parseXml(`<xml><a>${reference}</a></xml>`), 'MALFORMED', 'a');
    }
  });

  it('refuses an & that starts no predefined entity or character reference', () => {
    for (const text of ['a & b', '&nbsp;', '&xxe;', '&#65', '&#x;', '&;', '&LT;']) {
      expectXmlError(() => parseXml(`<xml><a>${text}</a></xml>`), 'MALFORMED', 'a');
    }
  });

  it('refuses input that is neither a string nor bytes with an XmlError', () => {
    expectXmlError(() => parseXml(undefined as unknown as string), 'MALFORMED');
    expectXmlError(() => parseXml({ toString: () => '<xml/>' } as unknown as string), 'MALFORMED');
  });

  it('throws only XmlError, and returns only flat string records, for arbitrary XML-like input', () => {
    const token = fc.constantFrom(
      '<xml>',
      '</xml>',
      '<xml/>',
      '<a>',
      '</a>',
      '<b/>',
      '<a x="1>">',
      '<![CDATA[',
      ']]>',
      '<!DOCTYPE x>',
      '<!--',
      '-->',
      '<?xml version="1.0"?>',
      '<?pi?>',
      '&amp;',
      '&',
      '&#65;',
      '&#0;',
      '<__proto__>',
      '</__proto__>',
      'text',
      ' ',
      '\r\n',
      '<',
      '>',
      '"',
      '\u0000',
      '\uD800',
      '中',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), (tokens) => {
        const body = tokens.join('');
        let fields: Record<string, string>;
        try {
          fields = parseXml(body);
        } catch (error) {
          if (!XmlError.isInstance(error)) throw error;
          return;
        }
        for (const [key, value] of Object.entries(fields)) {
          expect(key).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
          expect(typeof value).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('XmlError', () => {
  it('is an Error named XmlError, carries the wxpark marker and is recognised by isInstance', () => {
    const error = expectXmlError(() => parseXml('<xml><a>1</a><a>2</a></xml>'), 'DUPLICATE_KEY', 'a');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('XmlError');
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('wxpark.error')]).toBe(true);
    expect(Object.getOwnPropertySymbols(error)).toContain(Symbol.for('wxpark.error'));
    expect(XmlError.isInstance(error)).toBe(true);
    expect(XmlError.isInstance(new Error('x'))).toBe(false);
    expect(XmlError.isInstance({ code: 'MALFORMED', name: 'XmlError' })).toBe(false);
    expect(XmlError.isInstance(null)).toBe(false);
  });

  it('keeps an optional cause and field', () => {
    const cause = new Error('inner');
    const error = new XmlError({ code: 'MALFORMED', message: 'outer', cause });
    expect(error.cause).toBe(cause);
    expect(error.field).toBeUndefined();
    expect('cause' in new XmlError({ code: 'MALFORMED', message: 'no cause' })).toBe(false);
  });

  it('never echoes field values in messages', () => {
    const secret = 'SECRET-VALUE-123';
    const bodies = [
      `<xml><a>${secret}</a><a>${secret}</a></xml>`,
      `<xml><a>${secret}<b/></a></xml>`,
      `<xml><a>${secret} &</a></xml>`,
      `<xml><a>${secret}\u0001</a></xml>`,
    ];
    for (const body of bodies) {
      let message = '';
      try {
        parseXml(body);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(secret);
    }
  });
});
