import { type V3NoticeKeys, verifyV3Notice } from '@wxpark/core';
import {
  loadPlatformCertificate,
  loadPlatformPublicKey,
  type PlatformKey,
  type V2SignType,
} from '@wxpark/signer';
import { verifyV2Notice } from '@wxpark/vehicle-v2';
import type { CommandContext } from '../context.ts';
import { describeMissing, readPem } from '../credentials.ts';
import { CliError, usageError } from '../errors.ts';
import { readInputFile, readStdin } from '../input.ts';
import { downloadCertificates } from './certificates.ts';

/** Options of `wxpark notice verify`. */
export interface NoticeVerifyOptions {
  file?: string;
  header?: string[];
  v2?: boolean;
  signType?: string;
  window?: string;
}

/** Reads `Name: value` pairs; a header without a colon is a usage error. */
export function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      // Only the leading name: what follows it may be a signature, which never goes into an error.
      const name = /^[A-Za-z0-9-]{1,64}/.exec(line)?.[0] ?? `(${line.length} characters)`;
      throw usageError('INVALID_HEADER', `--header ${name}: expected "Name: value"`);
    }
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** `wxpark notice verify`: verifies (and for APIv3 decrypts) a captured notice; exit 1 says exactly why not. */
export async function noticeVerifyCommand(
  ctx: CommandContext,
  options: NoticeVerifyOptions,
): Promise<number> {
  const { out } = ctx;
  if (options.file === undefined)
    throw usageError(
      'MISSING_BODY',
      'notice verify: give the raw body with --file <file> or --file - (stdin)',
    );
  const body =
    options.file === '-' ? await readStdin(ctx.io.stdin) : readInputFile(options.file, ctx.io.cwd, '--file');
  const settings = ctx.settings();
  if (options.v2) {
    if (!settings.values.v2ApiKey)
      throw usageError('MISSING_CREDENTIALS', `APIv2 notices need ${describeMissing(['v2ApiKey'])}`);
    const signType = (options.signType ?? 'HMAC-SHA256') as V2SignType;
    if (signType !== 'HMAC-SHA256' && signType !== 'MD5')
      throw usageError(
        'INVALID_SIGN_TYPE',
        `--sign-type: expected HMAC-SHA256 or MD5, got ${JSON.stringify(options.signType)}`,
      );
    const notice = verifyV2Notice(body, { apiKey: settings.values.v2ApiKey, signType });
    if (out.json) out.document({ ok: true, protocol: 'v2', kind: notice.kind, fields: notice.fields });
    else {
      out.line(JSON.stringify(notice.fields, null, 2));
      // A 退款结果通知 carries no sign: decrypting its req_info with the APIv2 key is the whole proof.
      const how =
        notice.kind === 'refund'
          ? '✔ decrypted APIv2 refund notice (req_info, AES-256-ECB under the APIv2 key; WeChat does not sign it)'
          : `✔ verified APIv2 ${notice.kind} notice (${signType})`;
      out.note(out.style('green', how, true));
    }
    return 0;
  }
  const headers = parseHeaders(options.header ?? []);
  const windowSeconds = Number(options.window ?? 300);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1)
    throw usageError(
      'INVALID_WINDOW',
      `--window: expected whole seconds, got ${JSON.stringify(options.window)}`,
    );
  const keys = await v3Keys(ctx, windowSeconds);
  const notice = await out
    .wait('verifying', () => verifyV3Notice(body, headers, keys))
    .catch((error: unknown) => {
      // A failed tag almost always means another key: most often the APIv2 key given as the APIv3 key.
      if ((error as { code?: unknown }).code === 'DECRYPT_FAILED')
        throw new CliError(
          'DECRYPT_FAILED',
          `the signature verified, but the resource did not decrypt: ${(error as Error).message}; ${settings.sourceOf('v3ApiKey')} is not this merchant's APIv3 key (is it the APIv2 key?)`,
          { cause: error },
        );
      throw error;
    });
  if (out.json) out.document({ ok: true, protocol: 'v3', notice });
  else {
    out.line(JSON.stringify(notice.resource, null, 2));
    out.note(
      out.style(
        'green',
        `✔ verified and decrypted ${notice.event_type} (id ${notice.id}, signed by ${headers['wechatpay-serial']})`,
        true,
      ),
    );
  }
  return 0;
}

/**
 * WeChat Pay's keys for APIv3 notices: the public key and any platform certificate files given; with
 * neither, the certificates are downloaded with the merchant's credentials (certificate mode).
 */
async function v3Keys(ctx: CommandContext, windowSeconds: number): Promise<V3NoticeKeys> {
  const settings = ctx.settings();
  const values = settings.values;
  if (!values.v3ApiKey)
    throw usageError(
      'MISSING_CREDENTIALS',
      `APIv3 notices need ${describeMissing(['v3ApiKey'])} to decrypt the resource`,
    );
  const keys: PlatformKey[] = [];
  if (values.publicKeyId && values.publicKeyFile)
    keys.push(
      loadPlatformPublicKey(values.publicKeyId, readPem(settings, 'publicKeyFile', values.publicKeyFile)),
    );
  for (const path of values.platformCertificateFiles?.split(',') ?? [])
    keys.push(loadPlatformCertificate(readPem(settings, 'platformCertificateFiles', path)));
  if (keys.length > 0) return { verifier: keys, apiV3Key: values.v3ApiKey, windowSeconds };
  if (!values.mchId || !values.v3SerialNo || !values.v3PrivateKeyFile)
    throw usageError(
      'MISSING_CREDENTIALS',
      `APIv3 notices need WeChat Pay's key: ${describeMissing(['publicKeyId', 'publicKeyFile'])}, or WXPAY_PLATFORM_CERTIFICATE_FILES, or the merchant credentials to download certificates`,
    );
  const { certificates } = await downloadCertificates(ctx);
  return {
    verifier: certificates.map((certificate) => certificate.key),
    apiV3Key: values.v3ApiKey,
    windowSeconds,
  };
}
