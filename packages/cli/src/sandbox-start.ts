import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Sandbox, SandboxConfigInput } from '@wxpark/sandbox';
import type { CommandContext } from './context.ts';
import { usageError } from './errors.ts';

/** Settings for a sandbox the CLI starts. */
export interface StartOptions {
  port?: string;
  host?: string;
  sandboxConfig?: string;
  keyMode?: 'public-key' | 'certificate';
}

function readPort(value: string | undefined): number {
  if (value === undefined) return 8787;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw usageError('INVALID_PORT', `--port: expected 0-65535, got ${JSON.stringify(value)}`);
  return port;
}

/** Starts a sandbox in this process, logging its requests and callbacks to stderr. */
export async function startLocalSandbox(ctx: CommandContext, options: StartOptions): Promise<Sandbox> {
  const port = readPort(options.port);
  let config: SandboxConfigInput | undefined;
  if (options.sandboxConfig !== undefined) {
    try {
      config = JSON.parse(
        readFileSync(resolve(ctx.io.cwd, options.sandboxConfig), 'utf8'),
      ) as SandboxConfigInput;
    } catch (error) {
      throw usageError(
        'INVALID_CONFIG',
        `--sandbox-config ${options.sandboxConfig}: ${(error as Error).message}`,
      );
    }
  }
  // Loaded here only: the other commands never pay for the simulator.
  const { startSandbox } = await import('@wxpark/sandbox');
  try {
    return await startSandbox({
      port,
      host: options.host ?? '127.0.0.1',
      ...(config ? { config } : {}),
      keyMode: options.keyMode ?? 'public-key',
      log: (line) => ctx.out.note(ctx.out.style('dim', line, true)),
    });
  } catch (error) {
    const message = (error as Error).message;
    // The sandbox's own errors name the config field; a taken port names the address.
    throw usageError('SANDBOX_START_FAILED', `the sandbox did not start: ${message}`);
  }
}

/** One line per merchant with what a client needs, and where the rest is. */
export function describeSandbox(sandbox: Sandbox): string[] {
  const { config } = sandbox;
  return [
    `sandbox listening on ${sandbox.url} (inspector: ${sandbox.url}/inspector)`,
    ...config.merchants.map(
      (m) =>
        `  ${m.subMerchants?.length ? 'service provider' : 'direct merchant '} mch_id=${m.mchId} appid=${m.appId}` +
        (m.v3 ? ` v3 serial_no=${m.v3.serialNo}` : ''),
    ),
    `  WeChat Pay public key ${config.platform.publicKeyId}; APIv3 answers signed in ${sandbox.keyMode} mode`,
    `  sandbox-only keys (valid nowhere else): GET ${sandbox.url}/__sandbox/config, or --write-config`,
  ];
}
