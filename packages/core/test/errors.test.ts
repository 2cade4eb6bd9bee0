import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { SignerError } from '@wxpark/signer';
import { XmlError } from '@wxpark/xml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as errors from '../src/errors.ts';

const { ApiError, SignatureError, TransportError, ValidationError, WxparkError } = errors;
type Errors = typeof errors;
const classes = { WxparkError, ValidationError, SignatureError, ApiError, TransportError };

/** One error of every class, built by the given copy of the module. */
function samples(module: Errors) {
  return {
    WxparkError: new module.WxparkError({ code: 'MALFORMED_RESPONSE', message: 'm' }),
    ValidationError: new module.ValidationError({
      issues: [{ path: 'plate_number', expected: 'a string', received: 'a number' }],
    }),
    SignatureError: new module.SignatureError({ code: 'SIGNATURE_MISMATCH', message: 'm' }),
    ApiError: new module.ApiError({
      code: 'PARAM_ERROR',
      message: 'm',
      status: 400,
      protocol: 'v3',
      method: 'POST',
      path: '/v3/x',
      signatureVerified: true,
      isRetryable: false,
    }),
    TransportError: new module.TransportError({
      code: 'TIMEOUT',
      message: 'm',
      method: 'GET',
      path: '/v3/x',
      attempts: [],
    }),
  };
}

type ClassName = keyof ReturnType<typeof samples>;
const subclassNames: Exclude<ClassName, 'WxparkError'>[] = [
  'ValidationError',
  'SignatureError',
  'ApiError',
  'TransportError',
];

// A second copy of errors.ts, loaded from its own directory: its classes are not this copy's classes, as
// happens when a dependency tree installs @wxpark/core twice.
let copyDir: string;
let copy: Errors;
beforeAll(async () => {
  copyDir = mkdtempSync(join(tmpdir(), 'wxpark-core-copy-'));
  copyFileSync(fileURLToPath(new URL('../src/errors.ts', import.meta.url)), join(copyDir, 'errors.ts'));
  copy = (await import(pathToFileURL(join(copyDir, 'errors.ts')).href)) as Errors;
});
afterAll(() => rmSync(copyDir, { recursive: true, force: true }));

describe('error identity', () => {
  it('loads a real second copy whose classes instanceof does not recognise', () => {
    expect(copy.ApiError).not.toBe(ApiError);
    expect(samples(copy).ApiError).not.toBeInstanceOf(ApiError);
  });

  for (const name of subclassNames) {
    it(`${name}.isInstance recognises its own errors from either copy and refuses its siblings`, () => {
      for (const module of [errors, copy]) {
        const made = samples(module);
        for (const other of [errors, copy]) {
          expect(other[name].isInstance(made[name])).toBe(true);
          for (const sibling of subclassNames.filter((n) => n !== name))
            expect(other[name].isInstance(made[sibling])).toBe(false);
          expect(other[name].isInstance(made.WxparkError)).toBe(false);
        }
      }
    });
  }

  it('ApiError.isInstance recognises a subclass of ApiError, and SignatureError.isInstance does not', () => {
    class GatewayError extends ApiError {}
    const error = new GatewayError({
      code: 'HTTP_STATUS',
      message: 'm',
      status: 502,
      protocol: 'v2',
      method: 'POST',
      path: '/x',
      signatureVerified: false,
      isRetryable: true,
    });
    expect(ApiError.isInstance(error)).toBe(true);
    expect(copy.ApiError.isInstance(error)).toBe(true);
    expect(WxparkError.isInstance(error)).toBe(true);
    expect(SignatureError.isInstance(error)).toBe(false);
    expect(TransportError.isInstance(error)).toBe(false);
  });

  it('each subclass recognises a subclass of itself from the other copy', () => {
    const made = samples(copy);
    class LocalValidation extends copy.ValidationError {}
    class LocalSignature extends copy.SignatureError {}
    class LocalTransport extends copy.TransportError {}
    expect(
      ValidationError.isInstance(new LocalValidation({ issues: [made.ValidationError.issues[0]!] })),
    ).toBe(true);
    expect(SignatureError.isInstance(new LocalSignature({ code: 'MISSING_SIGN', message: 'm' }))).toBe(true);
    expect(
      TransportError.isInstance(
        new LocalTransport({ code: 'NETWORK', message: 'm', method: 'GET', path: '/', attempts: [] }),
      ),
    ).toBe(true);
  });

  it('WxparkError.isInstance recognises every wxpark error, the signer and XML ones included, from either copy', () => {
    const foreign = [
      new SignerError({ code: 'INVALID_KEY', message: 'm' }),
      new XmlError({ code: 'MALFORMED', message: 'm' }),
    ];
    for (const module of [errors, copy]) {
      for (const error of [...Object.values(samples(errors)), ...Object.values(samples(copy)), ...foreign])
        expect(module.WxparkError.isInstance(error)).toBe(true);
    }
  });

  it('no core class claims a signer or XML error, and neither of those claims a core error', () => {
    const signerError = new SignerError({ code: 'INVALID_KEY', message: 'm' });
    const xmlError = new XmlError({ code: 'MALFORMED', message: 'm' });
    for (const name of subclassNames) {
      expect(classes[name].isInstance(signerError)).toBe(false);
      expect(classes[name].isInstance(xmlError)).toBe(false);
    }
    for (const error of Object.values(samples(errors))) {
      expect(SignerError.isInstance(error)).toBe(false);
      expect(XmlError.isInstance(error)).toBe(false);
    }
  });

  it('refuses look-alikes that only copy the name and code', () => {
    for (const name of ['WxparkError', ...subclassNames] as const) {
      const lookalike = Object.assign(new Error('m'), { name, code: 'TIMEOUT' });
      expect(classes[name].isInstance(lookalike)).toBe(false);
      expect(classes[name].isInstance(null)).toBe(false);
      expect(classes[name].isInstance(name)).toBe(false);
    }
  });

  it('sets each class name and keeps the markers out of JSON and enumeration', () => {
    for (const [name, error] of Object.entries(samples(errors))) {
      expect(error.name).toBe(name);
      expect(Object.keys(error)).not.toContain('Symbol(wxpark.error)');
      expect(JSON.stringify(error)).not.toContain('wxpark.error');
    }
  });
});

describe('what an error shows', () => {
  it('holds only the fields it was given: no hint, cause, requestId or description shown as undefined', () => {
    const shown = [
      new WxparkError({ code: 'MALFORMED_RESPONSE', message: 'm' }),
      new ValidationError({
        code: 'VALIDATION_FAILED',
        issues: [{ path: 'out_serial_number', expected: 'present', received: 'nothing' }],
      }),
      new SignatureError({ code: 'SIGNATURE_MISMATCH', message: 'm' }),
      new ApiError({
        protocol: 'v3',
        method: 'POST',
        path: '/v3/x',
        status: 400,
        code: 'PARAM_ERROR',
        message: 'm',
        signatureVerified: true,
        isRetryable: false,
      }),
      new XmlError({ code: 'MALFORMED', message: 'm' }),
    ].map((error) => inspect(error));
    for (const text of shown) expect(text).not.toMatch(/: undefined/);
  });
});
