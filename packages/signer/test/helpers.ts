import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { SignerError, type SignerErrorCode } from '../src/index.ts';

/** A fresh RSA key pair with its PEMs. */
export interface RsaPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
  publicPem: string;
}

export function rsaPair(modulusLength = 2048): RsaPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Runs `fn` in a fresh temporary directory, removed afterwards. */
export function inTmpDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'wxpark-signer-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the openssl CLI; returns its exit status and output rather than throwing. */
export function openssl(
  args: string[],
  cwd: string,
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Verifies a base64 SHA256withRSA signature with `openssl dgst`, independently of node:crypto's API. */
export function opensslVerifies(publicPem: string, message: string, signatureBase64: string): boolean {
  return inTmpDir((dir) => {
    writeFileSync(join(dir, 'pub.pem'), publicPem);
    writeFileSync(join(dir, 'msg.txt'), message, 'utf8');
    writeFileSync(join(dir, 'sig.bin'), Buffer.from(signatureBase64, 'base64'));
    const run = openssl(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.txt'], dir);
    return run.status === 0 && run.stdout.includes('Verified OK');
  });
}

/** A self-signed certificate made by the openssl CLI, with its private key. */
export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** Serial as `openssl x509 -serial` prints it. */
  serial: string;
}

export function selfSignedCertificate(
  options: { days?: number; serial?: string; ec?: boolean } = {},
): TestCertificate {
  return inTmpDir((dir) => {
    const newkey = options.ec
      ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
      : ['-newkey', 'rsa:2048'];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...newkey,
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        String(options.days ?? 30),
        '-subj',
        '/CN=wxpark test platform certificate',
        ...(options.serial ? ['-set_serial', options.serial] : []),
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    const serialLine = execFileSync('openssl', ['x509', '-in', 'cert.pem', '-noout', '-serial'], {
      cwd: dir,
      encoding: 'utf8',
    });
    return {
      certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
      serial: serialLine.trim().replace(/^serial=/, ''),
    };
  });
}

/** Runs `fn` and returns the SignerError it throws, failing the test if it throws anything else or nothing. */
export function catchSignerError(fn: () => unknown): SignerError {
  try {
    fn();
  } catch (error) {
    expect(SignerError.isInstance(error), `expected a SignerError, got ${String(error)}`).toBe(true);
    return error as SignerError;
  }
  throw new Error('expected a SignerError, but nothing was thrown');
}

/** As {@link catchSignerError}, for a promise. */
export async function rejectsWithSignerError(promise: Promise<unknown>): Promise<SignerError> {
  try {
    await promise;
  } catch (error) {
    expect(SignerError.isInstance(error), `expected a SignerError, got ${String(error)}`).toBe(true);
    return error as SignerError;
  }
  throw new Error('expected a SignerError, but the promise resolved');
}

/** Asserts `fn` throws a SignerError with `code`, and returns it for further checks. */
export function expectCode(fn: () => unknown, code: SignerErrorCode): SignerError {
  const error = catchSignerError(fn);
  expect(error.code).toBe(code);
  return error;
}

/** Asserts `promise` rejects with a SignerError with `code`, and returns it. */
export async function expectRejectCode(
  promise: Promise<unknown>,
  code: SignerErrorCode,
): Promise<SignerError> {
  const error = await rejectsWithSignerError(promise);
  expect(error.code, error.message).toBe(code);
  return error;
}
