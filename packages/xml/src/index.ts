export { buildXml, type XmlFieldValue } from './build.ts';
export { XmlError, type XmlErrorCode, type XmlErrorInit } from './errors.ts';
export { DEFAULT_MAX_XML_BYTES, type ParseXmlOptions, parseXml, type XmlRecord } from './parse.ts';
