import type { ClientOptions, PlatformKeyProvider } from '@wxpark/core';
import { describeMissing, type LoadedSettings, readPem, type SettingName } from './credentials.ts';
import { usageError } from './errors.ts';

/**
 * Builds client options for one protocol from the settings. Anything missing is one usage error (exit 2)
 * naming every variable still needed, before a client exists and so before anything is sent.
 */
export function clientOptionsFor(
  protocol: 'v2' | 'v3',
  settings: LoadedSettings,
  options: { dryRun?: boolean } = {},
): ClientOptions {
  const values = settings.values;
  const base: ClientOptions = {
    ...(values.mchId ? { mchId: values.mchId } : {}),
    // A host given by hand (a sandbox, a proxy) has no backup host.
    ...(values.baseUrl ? { baseUrl: values.baseUrl.replace(/\/+$/, ''), backupBaseUrls: [] } : {}),
  };
  if (protocol === 'v2') {
    if (!values.v2ApiKey)
      throw usageError('MISSING_CREDENTIALS', `APIv2 calls need ${describeMissing(['v2ApiKey'])}`);
    return { ...base, v2: { apiKey: values.v2ApiKey } };
  }
  const missing: SettingName[] = (['mchId', 'v3SerialNo', 'v3PrivateKeyFile'] as const).filter(
    (name) => !values[name],
  );
  const hasPublicKey = Boolean(values.publicKeyId && values.publicKeyFile);
  const platformKnown = hasPublicKey || Boolean(values.platformCertificateFiles) || Boolean(values.v3ApiKey);
  if (!platformKnown && !options.dryRun) missing.push('publicKeyId', 'publicKeyFile');
  if (values.publicKeyId && !values.publicKeyFile) missing.push('publicKeyFile');
  if (missing.length > 0) {
    const alternative = missing.includes('publicKeyId')
      ? ' (or WXPAY_V3_API_KEY to download platform certificates)'
      : '';
    throw usageError('MISSING_CREDENTIALS', `APIv3 calls need ${describeMissing(missing)}${alternative}`);
  }
  const privateKey = readPem(settings, 'v3PrivateKeyFile', values.v3PrivateKeyFile!);
  const publicKey = hasPublicKey
    ? { id: values.publicKeyId!, key: readPem(settings, 'publicKeyFile', values.publicKeyFile!) }
    : undefined;
  const certificates = values.platformCertificateFiles
    ?.split(',')
    .map((path) => readPem(settings, 'platformCertificateFiles', path));
  return {
    ...base,
    v3: {
      serialNo: values.v3SerialNo!,
      privateKey,
      ...(values.v3ApiKey ? { apiV3Key: values.v3ApiKey } : {}),
      ...(publicKey ? { publicKey } : {}),
      ...(certificates ? { certificates } : {}),
      // A dry run in certificate mode must not download certificates: it would send a request.
      ...(options.dryRun && !publicKey ? { platformKeys: offlineKeys } : {}),
    },
  };
}

/** WeChat Pay's keys for a dry run without a public key: no preference, and no encryption without one. */
const offlineKeys: PlatformKeyProvider = {
  async preferredSerial() {
    return undefined;
  },
  async encryptionKey() {
    throw usageError(
      'DRY_RUN_NEEDS_PUBLIC_KEY',
      'this route encrypts sensitive fields: a dry run needs WXPAY_PUBLIC_KEY_ID and WXPAY_PUBLIC_KEY_FILE',
    );
  },
  verify() {
    throw usageError('DRY_RUN', 'a dry run verifies nothing');
  },
};
