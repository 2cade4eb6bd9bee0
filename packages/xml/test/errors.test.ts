import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { XmlError } from '../src/index.ts';

describe('XmlError across two installed copies', () => {
  it('is recognised by isInstance of a second, separately loaded copy, which instanceof does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxpark-xml-copy-'));
    try {
      copyFileSync(fileURLToPath(new URL('../src/errors.ts', import.meta.url)), join(dir, 'errors.ts'));
      const copy = (await import(pathToFileURL(join(dir, 'errors.ts')).href)) as {
        XmlError: typeof XmlError;
      };
      expect(copy.XmlError).not.toBe(XmlError);
      const fromCopy = new copy.XmlError({ code: 'MALFORMED', message: 'x' });
      const fromHere = new XmlError({ code: 'MALFORMED', message: 'x' });
      expect(fromCopy).not.toBeInstanceOf(XmlError);
      expect(XmlError.isInstance(fromCopy)).toBe(true);
      expect(copy.XmlError.isInstance(fromHere)).toBe(true);
      class BodyError extends copy.XmlError {}
      expect(XmlError.isInstance(new BodyError({ code: 'TOO_LARGE', message: 'x' }))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses its sibling wxpark errors, which carry the shared marker but not its own', () => {
    const signerLike = Object.defineProperty(
      Object.defineProperty(new Error('signer'), Symbol.for('wxpark.error'), { value: true }),
      Symbol.for('wxpark.error.SignerError'),
      { value: true },
    );
    expect(XmlError.isInstance(signerLike)).toBe(false);
  });
});
