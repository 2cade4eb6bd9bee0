import { XmlError } from './errors.ts';
import { checkFieldName, quoteName } from './names.ts';

const lessThan = 0x3c;
const greaterThan = 0x3e;
const bang = 0x21;
const question = 0x3f;
const slash = 0x2f;
const doubleQuote = 0x22;
const singleQuote = 0x27;

// Attributes are ignored, but a tag must still be well-formed for the scan and the parser to agree on where
// it ends. Names and `=` cannot hold whitespace or quotes, so this cannot backtrack badly.
const attributeList =
  /^(?:[\t\n\r ]+[A-Za-z_:][-A-Za-z0-9_:.]*[\t\n\r ]*=[\t\n\r ]*(?:"[^"<]*"|'[^'<]*'))*[\t\n\r ]*$/;
const declarationBody =
  /^[\t\n\r ]+version[\t\n\r ]*=[\t\n\r ]*(["'])1\.[0-9]+\1(?:[\t\n\r ]+encoding[\t\n\r ]*=[\t\n\r ]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[\t\n\r ]+standalone[\t\n\r ]*=[\t\n\r ]*(["'])(?:yes|no)\3)?[\t\n\r ]*$/;

/**
 * Checks a whole body before any parser sees it, so that hostile markup never reaches fast-xml-parser and
 * the shape is enforced by one strict reader rather than inferred from a lenient parser's output
 * (fast-xml-parser 5 does not check that a closing tag matches its opening tag, and drops text after the
 * root). Linear in the input; throws an {@link XmlError} at the first problem.
 *
 * Accepted: an optional `<?xml …?>` declaration at offset 0, then exactly one `<xml>` element whose
 * children are leaf fields holding text and CDATA, with whitespace between them.
 *
 * @returns the field names in document order, each checked by `checkFieldName`.
 */
export function scanMarkup(xml: string): string[] {
  const length = xml.length;
  const open: string[] = [];
  const fields: string[] = [];
  let rootClosed = false;
  // A field holding an element is reported when it closes, unless deeper nesting is found first.
  let nestedIn: string | undefined;
  let i = declarationEnd(xml);

  while (i < length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? length : lt;
    if (textEnd > i && open.length < 2 && !isBlank(xml, i, textEnd)) throw textOutsideFields(open.length);
    if (lt === -1) break;

    const next = xml.charCodeAt(lt + 1);
    if (next === bang) {
      i = cdataEnd(xml, lt, open.length);
      continue;
    }
    if (next === question) {
      throw new XmlError({
        code: 'FORBIDDEN_DECLARATION',
        message: `processing instruction at offset ${lt} is refused; only an <?xml …?> declaration at offset 0 is allowed`,
      });
    }

    if (next === slash) {
      const top = open.pop();
      // A closing tag ends at the first `>`, quotes or not: that is where fast-xml-parser ends it too.
      const gt = xml.indexOf('>', lt);
      if (gt === -1) throw malformed(`closing tag at offset ${lt} is not terminated by >`);
      const nameEnd = lt + 2 + (top?.length ?? 0);
      if (
        top === undefined ||
        !xml.startsWith(top, lt + 2) ||
        (gt !== nameEnd && !isBlank(xml, nameEnd, gt))
      ) {
        const name = closingName(xml.slice(lt + 2, gt), lt);
        if (top === undefined) throw malformed(`</${quote(name)}> at offset ${lt} closes no open element`);
        throw malformed(`</${quote(name)}> at offset ${lt} closes <${quote(top)}>`);
      }
      if (open.length === 1 && nestedIn !== undefined) throw notFlat(nestedIn);
      if (open.length === 0) rootClosed = true;
      i = gt + 1;
      continue;
    }

    // Most tags are a bare name (`<appid>`, `<err_code/>`); anything else takes the careful path.
    let j = lt + 1;
    while (isNameChar(xml.charCodeAt(j))) j++; // NaN past the end stops it
    let gt = j;
    let selfClosing = xml.charCodeAt(j) === slash;
    if (selfClosing) gt++;
    let name: string;
    if (j > lt + 1 && xml.charCodeAt(gt) === greaterThan) {
      name = xml.slice(lt + 1, j);
    } else {
      gt = tagEnd(xml, lt + 1);
      let body = xml.slice(lt + 1, gt);
      selfClosing = body.charCodeAt(body.length - 1) === slash;
      if (selfClosing) body = body.slice(0, -1);
      name = openingName(body, lt);
    }
    const depth = open.length;
    if (depth === 0) {
      if (rootClosed) {
        throw new XmlError({
          code: 'NOT_XML_ROOT',
          message: `a second root element <${quote(name)}> follows </xml>`,
        });
      }
      if (name !== 'xml') {
        throw new XmlError({
          code: 'NOT_XML_ROOT',
          message: `the root element is <${quote(name)}>; expected <xml>`,
        });
      }
    } else if (depth === 1) {
      checkFieldName(name);
      fields.push(name);
    } else if (depth === 2) {
      nestedIn ??= open[1];
    } else {
      throw new XmlError({
        code: 'TOO_DEEP',
        field: open[1],
        message: `field ${open[1]} nests elements ${depth - 1} levels deep; APIv2 fields hold text only`,
      });
    }
    if (!selfClosing) open.push(name);
    else if (depth === 0) rootClosed = true;
    i = gt + 1;
  }

  if (nestedIn !== undefined) throw notFlat(nestedIn);
  const unclosed = open.at(-1);
  if (unclosed !== undefined) throw malformed(`<${quote(unclosed)}> is not closed`);
  if (!rootClosed) throw malformed('the body holds no element; expected <xml>…</xml>');
  return fields;
}

/** Where the body proper starts: after a leading XML declaration, else 0. */
function declarationEnd(xml: string): number {
  if (!xml.startsWith('<?xml') || !isSpace(xml.charCodeAt(5))) return 0;
  const end = xml.indexOf('?>', 5);
  if (end === -1) throw malformed('the XML declaration is not terminated by ?>');
  if (!declarationBody.test(xml.slice(5, end))) throw malformed('the XML declaration is not well-formed');
  return end + 2;
}

/** Skips a CDATA section starting at `lt`; any other `<!` markup is refused. */
function cdataEnd(xml: string, lt: number, depth: number): number {
  if (!xml.startsWith('<![CDATA[', lt)) {
    const word = /^[^\s<>]{0,12}/.exec(xml.slice(lt + 2, lt + 14))?.[0] ?? '';
    throw new XmlError({
      code: 'FORBIDDEN_DECLARATION',
      message:
        `markup ${quote(`<!${word}`)} at offset ${lt} is refused: DOCTYPE, ENTITY, comments and every other ` +
        '<! form except <![CDATA[ are refused before parsing',
    });
  }
  if (depth < 2) throw textOutsideFields(depth);
  const end = xml.indexOf(']]>', lt + 9);
  if (end === -1) throw malformed(`the CDATA section at offset ${lt} is not terminated by ]]>`);
  return end + 3;
}

/** Index of the `>` ending the opening tag that starts after `from`, skipping quoted attribute values. */
function tagEnd(xml: string, from: number): number {
  for (let j = from; j < xml.length; j++) {
    const code = xml.charCodeAt(j);
    if (code === greaterThan) return j;
    if (code === lessThan) break;
    if (code === doubleQuote || code === singleQuote) {
      j = xml.indexOf(xml.charAt(j), j + 1);
      if (j === -1) break;
    }
  }
  throw malformed(`the tag at offset ${from - 1} is not terminated by >`);
}

function openingName(body: string, offset: number): string {
  let end = 0;
  while (end < body.length && !isSpace(body.charCodeAt(end))) end++;
  const name = body.slice(0, end);
  if (name === '') throw malformed(`the tag at offset ${offset} has no name`);
  if (end < body.length && !attributeList.test(body.slice(end))) {
    throw malformed(`the attributes of <${quote(name)}> at offset ${offset} are not well-formed`);
  }
  return name;
}

function closingName(body: string, offset: number): string {
  let end = body.length;
  while (end > 0 && isSpace(body.charCodeAt(end - 1))) end--;
  const name = body.slice(0, end);
  for (let j = 0; j < name.length; j++) {
    if (isSpace(name.charCodeAt(j))) {
      throw malformed(`the closing tag at offset ${offset} is not well-formed`);
    }
  }
  if (name === '') throw malformed(`the closing tag at offset ${offset} has no name`);
  return name;
}

function textOutsideFields(depth: number): XmlError {
  return depth === 0
    ? new XmlError({ code: 'NOT_XML_ROOT', message: 'text or CDATA sits outside the <xml> root element' })
    : new XmlError({
        code: 'NOT_FLAT',
        message: 'text or CDATA sits directly inside <xml>, outside any field',
      });
}

function notFlat(field: string): XmlError {
  return new XmlError({
    code: 'NOT_FLAT',
    field,
    message: `field ${field} contains an element; APIv2 fields hold text only`,
  });
}

function malformed(message: string): XmlError {
  return new XmlError({ code: 'MALFORMED', message: `the XML body is malformed: ${message}` });
}

function quote(name: string): string {
  return quoteName(name).slice(1, -1);
}

// Only decides whether a tag can take the fast path; which names are acceptable is checkFieldName's call.
function isNameChar(code: number): boolean {
  const lower = code | 0x20;
  return (
    (lower >= 0x61 && lower <= 0x7a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x2e ||
    code === 0x2d
  );
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isBlank(xml: string, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (!isSpace(xml.charCodeAt(j))) return false;
  return true;
}
