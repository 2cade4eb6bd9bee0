import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiV3, certificatesRoute, createClient, definePackage } from '@wxpark/core';
import { createApiV3Key, decryptResource, loadPlatformCertificate, type PlatformKey } from '@wxpark/signer';
import { clientOptionsFor } from '../client-options.ts';
import type { CommandContext } from '../context.ts';
import { describeMissing } from '../credentials.ts';
import { CliError, usageError } from '../errors.ts';

/** Options of `wxpark certificates download`. */
export interface CertificatesDownloadOptions {
  outDir: string;
}

/** 下载平台证书, as a route of its own so the client signs the call and verifies the answer. */
const certificates = definePackage({
  name: '@wxpark/cli',
  v3: apiV3,
  routes: { 'v3/certificates': certificatesRoute },
});

/** A platform certificate as downloaded: verified, decrypted, its serial checked. */
export interface DownloadedCertificate {
  key: PlatformKey;
  pem: string;
  effective_time: string;
  expire_time: string;
}

/**
 * Fetches `/v3/certificates` with the merchant's credentials (the client verifies the answer), decrypts every
 * certificate with the APIv3 key and checks that each is the serial it is listed under.
 */
export async function downloadCertificates(
  ctx: CommandContext,
): Promise<{ certificates: DownloadedCertificate[]; requestId?: string }> {
  const settings = ctx.settings();
  if (!settings.values.v3ApiKey)
    throw usageError(
      'MISSING_CREDENTIALS',
      `platform certificates need ${describeMissing(['v3ApiKey'])} to decrypt them`,
    );
  const client = createClient(clientOptionsFor('v3', settings), [certificates]);
  const answer = await ctx.out
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
  const downloaded = answer.data.data.map((entry) => {
    const pem = decryptResource(entry.encrypt_certificate, apiV3Key);
    const key = loadPlatformCertificate(pem);
    if (key.id !== String(entry.serial_no).toUpperCase())
      throw new CliError(
        'SERIAL_MISMATCH',
        `/v3/certificates listed ${entry.serial_no} for a certificate whose serial is ${key.id}`,
      );
    return { key, pem, effective_time: entry.effective_time, expire_time: entry.expire_time };
  });
  return { certificates: downloaded, ...(answer.requestId ? { requestId: answer.requestId } : {}) };
}

/** `wxpark certificates download`: writes each downloaded certificate as `wechatpay_<serial>.pem`. */
export async function certificatesDownloadCommand(
  ctx: CommandContext,
  options: CertificatesDownloadOptions,
): Promise<number> {
  const { out } = ctx;
  const { certificates: downloaded, requestId } = await downloadCertificates(ctx);
  const dir = resolve(ctx.io.cwd, options.outDir);
  mkdirSync(dir, { recursive: true });
  const written = downloaded.map(({ key, pem, effective_time, expire_time }) => {
    const file = join(dir, `wechatpay_${key.id}.pem`);
    writeFileSync(file, pem);
    return { serial_no: key.id, effective_time, expire_time, file };
  });
  if (out.json) out.document({ ok: true, ...(requestId ? { requestId } : {}), certificates: written });
  else {
    for (const cert of written)
      out.line(`${cert.serial_no}  ${cert.effective_time} → ${cert.expire_time}  ${cert.file}`);
    out.note(
      out.style('green', `✔ ${written.length} platform certificate(s) verified and written`, true) +
        (requestId ? ` · Request-ID ${requestId}` : ''),
    );
  }
  return 0;
}
