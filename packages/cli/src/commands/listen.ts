import type { Sandbox } from '@wxpark/sandbox';
import type { CommandContext } from '../context.ts';
import { checkHttpUrl } from '../input.ts';
import { startRelay } from '../relay.ts';
import { SandboxAdmin } from '../sandbox-admin.ts';
import { describeSandbox, startLocalSandbox } from '../sandbox-start.ts';
import { printDelivery } from './trigger.ts';

/** Options of `wxpark listen`. */
export interface ListenOptions {
  forwardTo: string;
  sandboxUrl?: string;
  port?: string;
  sandboxConfig?: string;
}

/**
 * `wxpark listen --forward-to <url>`: every notice the sandbox sends, whatever its notify_url, goes through a
 * local relay to the user's server; each delivery and reply is printed. Runs until SIGINT/SIGTERM, then puts
 * the sandbox back to sending to each notify_url.
 */
export async function listenCommand(ctx: CommandContext, options: ListenOptions): Promise<number> {
  const { out, io } = ctx;
  checkHttpUrl(options.forwardTo, '--forward-to');
  let started: Sandbox | undefined;
  if (!options.sandboxUrl) {
    started = await startLocalSandbox(ctx, {
      ...(options.port ? { port: options.port } : {}),
      ...(options.sandboxConfig ? { sandboxConfig: options.sandboxConfig } : {}),
    });
    for (const line of describeSandbox(started)) out.note(line);
  }
  const admin = new SandboxAdmin(started?.url ?? options.sandboxUrl!);
  const relay = await startRelay(options.forwardTo, (delivery) => {
    if (out.json) io.stdout.write(`${JSON.stringify({ target: options.forwardTo, ...delivery })}\n`);
    else printDelivery(ctx, delivery, options.forwardTo);
  });
  try {
    await admin.setNoticeTarget(relay.url);
    out.note(
      out.style('green', `Ready: every notice from ${admin.url} now goes to ${options.forwardTo}`, true) +
        ' (Ctrl-C to stop)',
    );
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return 0;
  } finally {
    // Give the sandbox back its notify_urls; a sandbox that is gone has nothing to give back.
    await admin.setNoticeTarget(null).catch(() => {});
    await relay.close();
    await started?.close();
    out.note('stopped');
  }
}
