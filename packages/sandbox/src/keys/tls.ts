import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SandboxTls } from '../types.ts';
import { issueCertificate } from './x509.ts';

function rsaKeys(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;

/**
 * The HTTPS listener's certificates, made at start: a CA, a server certificate for 127.0.0.1 and localhost
 * signed by it, and one API client certificate per merchant, its common name the merchant ID as on WeChat
 * Pay's own 商户API证书. Valid from an hour ago for a day: the sandbox is a test host.
 */
export function createSandboxTls(mchIds: readonly string[]): SandboxTls {
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(Date.now() + 24 * 60 * 60 * 1000);
  const caKeys = rsaKeys();
  const caName = 'wxpark sandbox CA';
  const ca = issueCertificate(
    caKeys.publicKey,
    { commonName: caName, notBefore, notAfter, ca: true },
    { commonName: caName, privateKey: caKeys.privateKey },
  );
  const issuer = { commonName: caName, privateKey: caKeys.privateKey };
  const serverKeys = rsaKeys();
  const server = issueCertificate(
    serverKeys.publicKey,
    {
      commonName: '127.0.0.1',
      notBefore,
      notAfter,
      altNames: { dns: ['localhost'], ips: ['127.0.0.1'] },
    },
    issuer,
  );
  const clients: Record<string, { cert: string; key: string }> = {};
  for (const mchId of mchIds) {
    const keys = rsaKeys();
    const cert = issueCertificate(keys.publicKey, { commonName: mchId, notBefore, notAfter }, issuer);
    clients[mchId] = { cert: cert.pem, key: pkcs8(keys.privateKey) };
  }
  return { ca: ca.pem, server: { cert: server.pem, key: pkcs8(serverKeys.privateKey) }, clients };
}
