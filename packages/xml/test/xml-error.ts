import { expect } from 'vitest';
import { XmlError, type XmlErrorCode } from '../src/index.ts';

/** Runs `fn`, asserts it threw an {@link XmlError} with `code` (and `field` when given), and returns it. */
export function expectXmlError(fn: () => unknown, code: XmlErrorCode, field?: string): XmlError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(XmlError.isInstance(thrown), `expected an XmlError ${code}, got ${String(thrown)}`).toBe(true);
  const error = thrown as XmlError;
  expect(error.code, error.message).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
  return error;
}
