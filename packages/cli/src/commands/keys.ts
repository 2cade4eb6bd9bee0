import { createPublicKey, X509Certificate } from 'node:crypto';
import { createClient } from '@wxpark/core';
import {
  createApiV3Key,
  createV2ApiKey,
  loadPlatformPublicKey,
  loadPrivateKey,
  readCertificateSerial,
} from '@wxpark/signer';
import { vehicleV2 } from '@wxpark/vehicle-v2';
import { clientOptionsFor } from '../client-options.ts';
import type { CommandContext } from '../context.ts';
import { type LoadedSettings, readPem, settingNames } from '../credentials.ts';
import { usageError } from '../errors.ts';
import { reportOf } from '../report.ts';

/** Options of `wxpark keys check`. */
export interface KeysCheckOptions {
  call?: boolean;
}

/** One check and its verdict. */
interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

/** Runs a check; a thrown error is its failure, described without echoing any key. */
function attempt(check: string, run: () => string): Check {
  try {
    return { check, ok: true, detail: run() };
  } catch (error) {
    return { check, ok: false, detail: reportOf(error).message };
  }
}

function spki(key: ReturnType<typeof createPublicKey>): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The offline checks: every configured key parses, belongs together and has the right shape. */
function offlineChecks(settings: LoadedSettings): Check[] {
  const values = settings.values;
  const checks: Check[] = [];
  if (values.mchId)
    checks.push(
      attempt('mch_id', () => {
        if (!/^\d{1,32}$/.test(values.mchId!))
          throw usageError('INVALID', `${settings.sourceOf('mchId')}: expected digits`);
        return values.mchId!;
      }),
    );
  if (values.v2ApiKey)
    checks.push(
      attempt('APIv2 key', () => {
        createV2ApiKey(values.v2ApiKey!);
        return '32 characters';
      }),
    );
  if (values.v3ApiKey)
    checks.push(
      attempt('APIv3 key', () => {
        const bytes = Buffer.byteLength(values.v3ApiKey!);
        if (bytes !== 32)
          throw usageError(
            'INVALID',
            `${settings.sourceOf('v3ApiKey')}: ${bytes} bytes, expected 32 (the APIv3 key, not the APIv2 key)`,
          );
        createApiV3Key(values.v3ApiKey!);
        return '32 bytes';
      }),
    );
  let privateKey: ReturnType<typeof loadPrivateKey> | undefined;
  if (values.v3PrivateKeyFile)
    checks.push(
      attempt('private key', () => {
        privateKey = loadPrivateKey(readPem(settings, 'v3PrivateKeyFile', values.v3PrivateKeyFile!));
        return `RSA ${privateKey.asymmetricKeyDetails?.modulusLength ?? '?'} bits (${values.v3PrivateKeyFile})`;
      }),
    );
  if (values.v3SerialNo)
    checks.push(
      attempt('certificate serial', () => {
        if (!/^[0-9A-Fa-f]{1,64}$/.test(values.v3SerialNo!))
          throw usageError(
            'INVALID',
            `${settings.sourceOf('v3SerialNo')}: expected hex, got ${values.v3SerialNo!.length} other characters`,
          );
        return values.v3SerialNo!.toUpperCase();
      }),
    );
  if (values.v3CertificateFile)
    checks.push(
      attempt('certificate matches', () => {
        const pem = readPem(settings, 'v3CertificateFile', values.v3CertificateFile!);
        const serial = readCertificateSerial(pem);
        if (values.v3SerialNo && serial !== values.v3SerialNo.toUpperCase())
          throw usageError(
            'SERIAL_MISMATCH',
            `the certificate's serial is ${serial}, but ${settings.sourceOf('v3SerialNo')} is ${values.v3SerialNo.toUpperCase()}`,
          );
        if (privateKey && spki(createPublicKey(privateKey)) !== spki(new X509Certificate(pem).publicKey))
          throw usageError(
            'KEY_MISMATCH',
            `the private key does not belong to the certificate ${serial} (apiclient_key.pem and apiclient_cert.pem of different certificates)`,
          );
        return `serial ${serial}${privateKey ? ', private key belongs to it' : ''}`;
      }),
    );
  if (values.publicKeyId || values.publicKeyFile)
    checks.push(
      attempt('WeChat Pay public key', () => {
        if (!values.publicKeyId)
          throw usageError('MISSING', `${settingNames.publicKeyId.env} is missing (PUB_KEY_ID_…)`);
        if (!/^PUB_KEY_ID_\d{1,40}$/.test(values.publicKeyId))
          throw usageError(
            'INVALID',
            `${settings.sourceOf('publicKeyId')}: expected PUB_KEY_ID_ and digits (a certificate serial is not a public key id)`,
          );
        if (!values.publicKeyFile)
          throw usageError('MISSING', `${settingNames.publicKeyFile.env} is missing`);
        loadPlatformPublicKey(values.publicKeyId, readPem(settings, 'publicKeyFile', values.publicKeyFile));
        return values.publicKeyId;
      }),
    );
  return checks;
}

/** Proves the APIv2 key with one harmless call (查询订单 of an order that does not exist). */
async function v2CallCheck(settings: LoadedSettings): Promise<Check> {
  const values = settings.values;
  if (!values.appid || !values.mchId)
    throw usageError(
      'MISSING_CREDENTIALS',
      `--call needs ${settingNames.appid.env} and ${settingNames.mchId.env}`,
    );
  const client = createClient(clientOptionsFor('v2', settings), [vehicleV2]);
  try {
    await client.v2.transit.queryorder({
      appid: values.appid,
      mch_id: values.mchId,
      out_trade_no: `WXPARKKEYCHECK${Date.now()}`,
    });
    return { check: 'APIv2 key (call)', ok: true, detail: 'accepted by WeChat Pay' };
  } catch (error) {
    const report = reportOf(error);
    // WeChat Pay checked the sign and answered about the order: the key was accepted.
    const signFailed = /SIGN/.test(report.code) || report.code === 'SIGNATURE_MISMATCH';
    if (report.exitCode === 1 && !signFailed && (error as { name?: string }).name === 'ApiError')
      return { check: 'APIv2 key (call)', ok: true, detail: `accepted (the call answered ${report.code})` };
    return { check: 'APIv2 key (call)', ok: false, detail: `${report.code}: ${report.message}` };
  }
}

/** `wxpark keys check`. Exit 1 when a check failed, 2 when nothing was configured to check. */
export async function keysCheckCommand(ctx: CommandContext, options: KeysCheckOptions): Promise<number> {
  const { out } = ctx;
  const settings = ctx.settings();
  const checks = offlineChecks(settings);
  if (options.call) {
    if (!settings.values.v2ApiKey)
      throw usageError('MISSING_CREDENTIALS', `--call needs ${settingNames.v2ApiKey.env}`);
    checks.push(await out.wait('calling WeChat Pay', () => v2CallCheck(settings)));
  }
  if (checks.length === 0)
    throw usageError(
      'NOTHING_TO_CHECK',
      'keys check: no keys configured (see `wxpark --help` for the variables)',
    );
  const ok = checks.every((check) => check.ok);
  if (out.json) out.document({ ok, checks });
  else
    for (const check of checks)
      out.line(
        `${check.ok ? out.style('green', '✔') : out.style('red', '✖')} ${check.check.padEnd(22)} ${check.detail}`,
      );
  return ok ? 0 : 1;
}
