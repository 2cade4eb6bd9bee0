import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Sandbox } from '@wxpark/sandbox';
import type { CommandContext } from '../context.ts';
import { usageError } from '../errors.ts';
import { describeSandbox, type StartOptions, startLocalSandbox } from '../sandbox-start.ts';

/** Options of `wxpark sandbox`. */
export interface SandboxCommandOptions extends StartOptions {
  writeConfig?: string;
}

/** `wxpark sandbox`: runs the sandbox until SIGINT/SIGTERM. */
export async function sandboxCommand(ctx: CommandContext, options: SandboxCommandOptions): Promise<number> {
  const { out, io } = ctx;
  const sandbox = await startLocalSandbox(ctx, options);
  try {
    if (out.json) out.document({ url: sandbox.url, config: sandbox.config });
    else for (const line of describeSandbox(sandbox)) out.line(line);
    if (options.writeConfig) {
      const file = writeCliConfig(sandbox, resolve(io.cwd, options.writeConfig));
      out.note(`wrote ${file}: try \`wxpark --config ${options.writeConfig} call --list\``);
    }
    await new Promise<void>((done) => {
      if (io.signal.aborted) done();
      io.signal.addEventListener('abort', () => done(), { once: true });
    });
    return 0;
  } finally {
    await sandbox.close();
    out.note('sandbox stopped');
  }
}

/**
 * Writes a `--config` file for the sandbox's first merchant, with its private key and WeChat Pay's public key
 * as PEM files beside it (sandbox-only keys, valid nowhere else).
 */
export function writeCliConfig(sandbox: Sandbox, file: string): string {
  const merchant = sandbox.config.merchants[0];
  if (!merchant?.v3) throw usageError('NO_MERCHANT', 'the sandbox has no merchant with APIv3 credentials');
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const stem = file.replace(/\.json$/, '');
  writeFileSync(`${stem}.apiclient_key.pem`, merchant.v3.privateKey, { mode: 0o600 });
  writeFileSync(`${stem}.wechatpay_public_key.pem`, sandbox.config.platform.publicKey);
  const relative = (path: string) => `./${path.slice(dir.length + 1)}`;
  const settings = {
    baseUrl: sandbox.url,
    mchId: merchant.mchId,
    appid: merchant.appId,
    v2ApiKey: merchant.v2ApiKey,
    v3SerialNo: merchant.v3.serialNo,
    v3PrivateKeyFile: relative(`${stem}.apiclient_key.pem`),
    v3ApiKey: merchant.v3.apiV3Key,
    publicKeyId: sandbox.config.platform.publicKeyId,
    publicKeyFile: relative(`${stem}.wechatpay_public_key.pem`),
  };
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return file;
}
