import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from './errors.ts';

/**
 * The settings the CLI reads, with their environment variable (the same names as the example gateway) and
 * their key in a `--config` JSON file. The environment wins over the file.
 */
export const settingNames = {
  mchId: { env: 'WXPAY_MCH_ID', about: '商户号 (direct merchant, or the service provider)' },
  appid: { env: 'WXPAY_APPID', about: '公众账号ID: fills `appid` of APIv2 calls that leave it out' },
  v2ApiKey: { env: 'WXPAY_V2_API_KEY', about: 'APIv2密钥 (32 characters)' },
  v3SerialNo: { env: 'WXPAY_V3_SERIAL_NO', about: '商户API证书序列号' },
  v3PrivateKeyFile: { env: 'WXPAY_V3_PRIVATE_KEY_FILE', about: 'path of apiclient_key.pem' },
  v3CertificateFile: {
    env: 'WXPAY_V3_CERTIFICATE_FILE',
    about: 'path of apiclient_cert.pem (for `keys check`)',
  },
  v3ApiKey: { env: 'WXPAY_V3_API_KEY', about: 'APIv3密钥 (32 bytes): decrypts notices and certificates' },
  publicKeyId: { env: 'WXPAY_PUBLIC_KEY_ID', about: '微信支付公钥ID (PUB_KEY_ID_…)' },
  publicKeyFile: { env: 'WXPAY_PUBLIC_KEY_FILE', about: 'path of the 微信支付公钥 PEM' },
  platformCertificateFiles: {
    env: 'WXPAY_PLATFORM_CERTIFICATE_FILES',
    about: 'platform certificate PEM paths, comma-separated (certificate mode without downloading)',
  },
  baseUrl: {
    env: 'WXPAY_BASE_URL',
    about: 'API host (default https://api.mch.weixin.qq.com), e.g. a sandbox URL',
  },
} as const;

export type SettingName = keyof typeof settingNames;

/** Settings as read, with file paths made absolute and PEM files not yet read. */
export type Settings = Partial<Record<SettingName, string>>;

/** Where each setting came from, so a message can name the right variable or key. */
export interface LoadedSettings {
  values: Settings;
  /** `WXPAY_MCH_ID` or `mchId in ./wxpark.json`. */
  sourceOf(name: SettingName): string;
}

const pathSettings = new Set<SettingName>([
  'v3PrivateKeyFile',
  'v3CertificateFile',
  'publicKeyFile',
  'platformCertificateFiles',
]);

/** Reads the settings from a `--config` file (optional) and the environment. Throws usage errors (exit 2). */
export function loadSettings(
  env: NodeJS.ProcessEnv,
  configPath: string | undefined,
  cwd: string,
): LoadedSettings {
  const values: Settings = {};
  const from = new Map<SettingName, string>();
  if (configPath !== undefined) {
    const file = resolve(cwd, configPath);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      const reason =
        error instanceof SyntaxError
          ? `not JSON (${error.message})`
          : ((error as NodeJS.ErrnoException).code ?? 'unreadable');
      throw usageError('INVALID_CONFIG', `--config ${configPath}: ${reason}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw usageError('INVALID_CONFIG', `--config ${configPath}: expected a JSON object of settings`);
    for (const [key, value] of Object.entries(parsed)) {
      if (!(key in settingNames))
        throw usageError(
          'INVALID_CONFIG',
          `--config ${configPath}: unknown key ${JSON.stringify(key)} (known: ${Object.keys(settingNames).join(', ')})`,
        );
      const name = key as SettingName;
      const text = Array.isArray(value) && name === 'platformCertificateFiles' ? value.join(',') : value;
      if (typeof text !== 'string' || text === '')
        throw usageError('INVALID_CONFIG', `--config ${configPath}: ${key} must be a non-empty string`);
      // Paths in the file are relative to the file, as a user reading it would expect.
      values[name] = pathSettings.has(name)
        ? text
            .split(',')
            .map((part) => resolve(dirname(file), part.trim()))
            .join(',')
        : text;
      from.set(name, `${key} in ${configPath}`);
    }
  }
  for (const [name, { env: variable }] of Object.entries(settingNames) as [SettingName, { env: string }][]) {
    const value = env[variable]?.trim();
    if (!value) continue;
    values[name] = pathSettings.has(name)
      ? value
          .split(',')
          .map((part) => resolve(cwd, part.trim()))
          .join(',')
      : value;
    from.set(name, variable);
  }
  return {
    values,
    sourceOf: (name) => from.get(name) ?? settingNames[name].env,
  };
}

/** Reads a PEM file named by a setting; a missing or non-PEM file is a usage error naming the setting. */
export function readPem(settings: LoadedSettings, name: SettingName, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(
      'UNREADABLE_FILE',
      `${settings.sourceOf(name)}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (!text.includes('-----BEGIN'))
    throw usageError('NOT_PEM', `${settings.sourceOf(name)}: ${path} is not a PEM file`);
  return text;
}

/** Names the settings still missing, as `WXPAY_A, WXPAY_B (or --config)`, for one clear line. */
export function describeMissing(names: readonly SettingName[]): string {
  return `${names.map((name) => settingNames[name].env).join(', ')} (environment, or --config)`;
}
