import { startSandbox } from '@wxpark/sandbox';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index.ts';
import { testClient } from './helpers.ts';

function optionsError(clientCertificate: unknown): ValidationError {
  try {
    testClient('http://127.0.0.1:9', { clientCertificate } as never);
  } catch (error) {
    if (ValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('createClient accepted the options');
}

describe('clientCertificate options', () => {
  it('refuses what is neither a PEM pair nor a PKCS#12, naming the option', () => {
    for (const bad of [null, 'apiclient_cert.p12', {}, { cert: 'x' }, { pfx: 'not bytes' }]) {
      const error = optionsError(bad);
      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.issues[0]!.path).toMatch(/^options\.clientCertificate/);
    }
  });

  it('refuses a key that does not match its certificate, without echoing either', async () => {
    const sandbox = await startSandbox({ https: true });
    try {
      const [first, second] = Object.values(sandbox.tls!.clients) as [
        { cert: string; key: string },
        { cert: string; key: string },
      ];
      const error = optionsError({ cert: first.cert, key: second.key });
      expect(error.issues[0]!.received).toMatch(/does not match/);
      const keyLine = second.key.split('\n')[1]!;
      expect(JSON.stringify(error.issues)).not.toContain(keyLine);
      expect(error.message).not.toContain(keyLine);
      expect(() => testClient('http://127.0.0.1:9', { clientCertificate: first })).not.toThrow();
    } finally {
      await sandbox.close();
    }
  });

  it('refuses bytes that are not a PKCS#12 it can open', () => {
    const error = optionsError({ pfx: Buffer.from('not a pkcs12 file') });
    expect(error.issues[0]!.received).toMatch(/PKCS#12/);
  });
});
