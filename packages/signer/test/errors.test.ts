import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createApiV3Key, createNonce, parseAuthorization, SignerError } from '../src/index.ts';
import { catchSignerError } from './helpers.ts';

describe('SignerError', () => {
  it('carries name, code, hint and cause, and keeps the hint out of the message', () => {
    const cause = new Error('inner');
    const error = new SignerError({ code: 'DECRYPT_FAILED', message: 'it failed', hint: 'try this', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SignerError');
    expect(error.code).toBe('DECRYPT_FAILED');
    expect(error.hint).toBe('try this');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('it failed');
  });

  it('has no hint or cause property when none was given', () => {
    const error = new SignerError({ code: 'INVALID_ARGUMENT', message: 'x' });
    expect('hint' in error).toBe(false);
    expect('cause' in error).toBe(false);
  });

  it('carries the wxpark error marker that other packages check', () => {
    const error = new SignerError({ code: 'INVALID_KEY', message: 'x' });
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('wxpark.error')]).toBe(true);
  });

  it('is recognised by isInstance when thrown by this package', () => {
    for (const error of [
      catchSignerError(() => createApiV3Key('short')),
      catchSignerError(() => createNonce(0)),
      catchSignerError(() => parseAuthorization('Basic abc')),
    ]) {
      expect(SignerError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(SignerError);
    }
  });

  it('is recognised by isInstance from its marker alone, as one from a second installed copy would be', () => {
    const copy = Object.defineProperty(
      new Error('from another copy'),
      Symbol.for('wxpark.error.SignerError'),
      {
        value: true,
      },
    );
    expect(SignerError.isInstance(copy)).toBe(true);
  });

  it('is not claimed by isInstance for other errors, including other wxpark errors', () => {
    const otherWxpark = Object.defineProperty(new Error('core'), Symbol.for('wxpark.error'), { value: true });
    const lookalike = Object.assign(new Error('x'), { name: 'SignerError', code: 'INVALID_KEY' });
    for (const value of [
      new Error('x'),
      new TypeError('x'),
      otherWxpark,
      lookalike,
      null,
      undefined,
      'SignerError',
      {},
    ]) {
      expect(SignerError.isInstance(value)).toBe(false);
    }
  });
});

describe('SignerError across two installed copies', () => {
  it('is recognised by isInstance of a second, separately loaded copy, which instanceof does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxpark-signer-copy-'));
    try {
      copyFileSync(fileURLToPath(new URL('../src/errors.ts', import.meta.url)), join(dir, 'errors.ts'));
      const copy = (await import(pathToFileURL(join(dir, 'errors.ts')).href)) as {
        SignerError: typeof SignerError;
      };
      expect(copy.SignerError).not.toBe(SignerError);
      const fromCopy = new copy.SignerError({ code: 'INVALID_KEY', message: 'x' });
      const fromHere = new SignerError({ code: 'INVALID_KEY', message: 'x' });
      expect(fromCopy).not.toBeInstanceOf(SignerError);
      expect(SignerError.isInstance(fromCopy)).toBe(true);
      expect(copy.SignerError.isInstance(fromHere)).toBe(true);
      class KeyError extends copy.SignerError {}
      expect(SignerError.isInstance(new KeyError({ code: 'INVALID_KEY', message: 'x' }))).toBe(true);
      const sibling = Object.defineProperty(new Error('xml'), Symbol.for('wxpark.error.XmlError'), {
        value: true,
      });
      expect(copy.SignerError.isInstance(sibling)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
