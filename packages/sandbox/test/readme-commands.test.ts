import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxConfig } from '../src/index.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '../..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

/** The `pnpm --filter @wxpark/sandbox start …` lines of the README's shell blocks, exactly as written. */
function startCommands(): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('pnpm --filter @wxpark/sandbox start'));
}

/** pnpm as the machine has it, else the pinned version through npx (how CI runs it). */
function pnpmPrefix(): string {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir && existsSync(join(dir, 'pnpm')));
  if (onPath) return 'pnpm';
  const { packageManager } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return `npx -y ${packageManager}`;
}

const running: number[] = [];
afterEach(() => {
  // pnpm runs the sandbox in a child of its own: end the whole process group.
  for (const pid of running.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
});

function runFromRoot(command: string) {
  const child = spawn('sh', ['-c', command.replace(/^pnpm /, `${pnpmPrefix()} `)], {
    cwd: repoRoot,
    // As typed in a fresh shell: no INIT_CWD inherited from the pnpm running these tests.
    env: { ...process.env, INIT_CWD: '', PORT: '0', FORCE_COLOR: '0' },
    detached: true,
  });
  running.push(child.pid!);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`"${command}" exited (${code}) before listening:\n${output}`)),
    );
  });
  url.catch(() => {});
  return { url, output: () => output };
}

describe("the README's commands", () => {
  const commands = startCommands();

  it('lists the plain start, a --config file and a --key-mode', () => {
    expect(commands).toContain('pnpm --filter @wxpark/sandbox start');
    expect(commands.some((c) => c.includes('-- --config '))).toBe(true);
    expect(commands.some((c) => c.includes('-- --key-mode certificate'))).toBe(true);
  });

  it.each(commands)(
    '`%s` starts the sandbox as written (from the repository root)',
    async (command) => {
      const run = runFromRoot(command);
      const url = await run.url;
      const config = (await (await fetch(`${url}/__sandbox/config`)).json()) as SandboxConfig;
      expect(config.merchants.length).toBeGreaterThan(0);
      if (command.includes('--config ')) {
        // The file named in the command, read relative to where the command was typed.
        const file = /--config (\S+)/.exec(command)![1]!;
        const given = JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as SandboxConfig;
        expect(config.merchants.map((m) => m.mchId)).toEqual(given.merchants.map((m) => m.mchId));
      }
      if (command.includes('--key-mode certificate')) {
        expect(((await (await fetch(`${url}/__sandbox/v3/key-mode`)).json()) as { mode: string }).mode).toBe(
          'certificate',
        );
      }
    },
    60_000,
  );
});
