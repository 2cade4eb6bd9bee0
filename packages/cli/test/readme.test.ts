import { readFileSync } from 'node:fs';
import type { Sandbox, SandboxConfig } from '@wxpark/sandbox';
import { tempDir } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { runBin, startBin, startReceiver } from './helpers.ts';

/** The commands of the root README's three-minute path, as written. */
function readmeCommands(): string[][] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Three minutes on the command line'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .split('\n')
    .filter((line) => line.startsWith('npx @wxpark/cli '))
    .map((line) =>
      [...line.slice('npx @wxpark/cli '.length).matchAll(/'[^']*'|\S+/g)].map(([word]) =>
        word.replace(/^'|'$/g, ''),
      ),
    );
}

describe('the root README’s three-minute path', () => {
  // Five processes one after another: generous on a loaded machine.
  it('runs as written: sandbox, a verified call, a notice triggered into a server, and listen', {
    timeout: 90_000,
  }, async () => {
    const [sandboxArgs, callArgs, triggerArgs, listenArgs] = readmeCommands();
    expect(sandboxArgs![0]).toBe('sandbox');
    const dir = tempDir();
    // Port 0 instead of 8787, so the test never collides; everything else as the README says.
    const sandbox = startBin([...sandboxArgs!, '--port', '0'], /wrote /, { cwd: dir });
    await sandbox.started;
    const url = /sandbox listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sandbox.output.stdout)![1]!;
    const config = (await (await fetch(`${url}/__sandbox/config`)).json()) as SandboxConfig;
    const receiver = await startReceiver({ config } as Sandbox);
    const swap = (args: string[]) =>
      args.map((arg) =>
        arg.replace('http://127.0.0.1:8787', url).replace('http://127.0.0.1:3000/wxpay/notify', receiver.url),
      );

    const call = await runBin(swap(callArgs!), { cwd: dir });
    expect(call.code).toBe(0);
    expect(call.stderr).toContain('(verified) · Request-ID');

    const trigger = await runBin(swap(triggerArgs!), { cwd: dir });
    expect(trigger.code).toBe(0);
    expect(receiver.received).toHaveLength(1);

    // 4. The inspector shows the call with its verdict and the notice with the receiver's answer.
    expect((await fetch(`${url}/inspector`)).status).toBe(200);
    const entries = JSON.stringify(await (await fetch(`${url}/inspector/entries`)).json());
    expect(entries).toContain('/v3/parking/reminders/parking-lot');
    expect(entries).toContain('TRANSACTION.SUCCESS');
    expect(entries).toContain('"acknowledged"');

    const listen = startBin(swap(listenArgs!), /Ready:/, { cwd: dir });
    await listen.started;
    expect(await listen.stop()).toBe(0);
    expect(await sandbox.stop()).toBe(0);
  });
});
