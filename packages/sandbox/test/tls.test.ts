import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ https: true });
});
afterAll(() => sandbox.close());

describe('the HTTPS listener’s certificates', () => {
  it('makes a CA that signs a server certificate for 127.0.0.1 and one client certificate per merchant', () => {
    const tls = sandbox.tls!;
    const ca = new X509Certificate(tls.ca);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    const server = new X509Certificate(tls.server.cert);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    for (const merchant of sandbox.config.merchants) {
      const client = new X509Certificate(tls.clients[merchant.mchId]!.cert);
      expect(client.subject).toContain(`CN=${merchant.mchId}`);
      expect(client.verify(ca.publicKey)).toBe(true);
      expect(client.checkPrivateKey(createPrivateKey(tls.clients[merchant.mchId]!.key))).toBe(true);
    }
  });

  it('serves the same routes and state on httpsUrl, and only there with https: true', async () => {
    expect(sandbox.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const plain = await startSandbox();
    try {
      expect(plain.httpsUrl).toBeUndefined();
      expect(plain.tls).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
