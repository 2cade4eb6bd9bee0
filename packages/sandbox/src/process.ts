import { fork } from 'node:child_process';
import type { SandboxConfig } from './types.ts';

/** A sandbox running in a process of its own, so a benchmark's client does not share a core with it. */
export interface SandboxProcess {
  readonly url: string;
  readonly config: SandboxConfig;
  close(): Promise<void>;
}

// Beside this module: the source in the workspace, the build (dist/process-entry.mjs) once published.
const entry = new URL(
  import.meta.url.endsWith('.ts') ? './process-entry.ts' : './process-entry.mjs',
  import.meta.url,
);

/** Forks a sandbox with generated keys on a free loopback port and resolves once it listens. */
export function startSandboxProcess(): Promise<SandboxProcess> {
  const child = fork(entry, [], {
    execArgv: ['--conditions=@wxpark/source', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the sandbox process exited with ${code}`)));
    child.once('message', (message) => {
      const { url, config } = message as { url: string; config: SandboxConfig };
      resolve({
        url,
        config,
        close: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
