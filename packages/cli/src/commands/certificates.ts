import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiV3, createClient, definePackage, defineRoute, object, typeOnly } from '@wxpark/core';
import {
  createApiV3Key,
  decryptResource,
  type EncryptedResource,
  loadPlatformCertificate,
} from '@wxpark/signer';
import { clientOptionsFor } from '../client-options.ts';
import type { CommandContext } from '../context.ts';
import { describeMissing } from '../credentials.ts';
import { CliError, usageError } from '../errors.ts';

/** Options of `wxpark certificates download`. */
export interface CertificatesDownloadOptions {
  outDir: string;
}

interface CertificateEntry {
  serial_no: string;
  effective_time: string;
  expire_time: string;
  encrypt_certificate: EncryptedResource;
}

/** 下载平台证书, as a route of its own so the client signs the call and verifies the answer. */
const certificates = definePackage({
  name: '@wxpark/cli',
  v3: apiV3,
  routes: {
    'v3/certificates': defineRoute({
      protocol: 'v3',
      method: 'GET',
      path: '/v3/certificates',
      title: '下载平台证书',
      request: object({}),
      response: typeOnly<{ data: CertificateEntry[] }>(),
    }),
  },
});

/**
 * `wxpark certificates download`: fetches `/v3/certificates` (the answer verified by the client), decrypts
 * every certificate with the APIv3 key, checks each serial, and writes `wechatpay_<serial>.pem`.
 */
export async function certificatesDownloadCommand(
  ctx: CommandContext,
  options: CertificatesDownloadOptions,
): Promise<number> {
  const { out } = ctx;
  const settings = ctx.settings();
  if (!settings.values.v3ApiKey)
    throw usageError(
      'MISSING_CREDENTIALS',
      `certificates download needs ${describeMissing(['v3ApiKey'])} to decrypt them`,
    );
  const client = createClient(clientOptionsFor('v3', settings), [certificates]);
  const answer = await out
    .wait('GET /v3/certificates', () => client.v3.certificates({}))
    .catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== 'RESOURCE_NOT_EXISTS') throw error;
      throw new CliError(
        'NO_PLATFORM_CERTIFICATES',
        'WeChat Pay has no platform certificates for this merchant (404 RESOURCE_NOT_EXISTS): it uses the WeChat Pay public key; set WXPAY_PUBLIC_KEY_ID and WXPAY_PUBLIC_KEY_FILE instead',
        { cause: error },
      );
    });
  const apiV3Key = createApiV3Key(settings.values.v3ApiKey);
  const dir = resolve(ctx.io.cwd, options.outDir);
  mkdirSync(dir, { recursive: true });
  const written = answer.data.data.map((entry) => {
    const pem = decryptResource(entry.encrypt_certificate, apiV3Key);
    const key = loadPlatformCertificate(pem);
    if (key.id !== String(entry.serial_no).toUpperCase())
      throw new CliError(
        'SERIAL_MISMATCH',
        `/v3/certificates listed ${entry.serial_no} for a certificate whose serial is ${key.id}`,
      );
    const file = join(dir, `wechatpay_${key.id}.pem`);
    writeFileSync(file, pem);
    return { serial_no: key.id, effective_time: entry.effective_time, expire_time: entry.expire_time, file };
  });
  if (out.json)
    out.document({
      ok: true,
      ...(answer.requestId ? { requestId: answer.requestId } : {}),
      certificates: written,
    });
  else {
    for (const cert of written)
      out.line(`${cert.serial_no}  ${cert.effective_time} → ${cert.expire_time}  ${cert.file}`);
    out.note(
      out.style('green', `✔ ${written.length} platform certificate(s) verified and written`, true) +
        (answer.requestId ? ` · Request-ID ${answer.requestId}` : ''),
    );
  }
  return 0;
}
