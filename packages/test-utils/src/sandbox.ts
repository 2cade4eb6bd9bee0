import type { Sandbox, SandboxOptions } from '@wxpark/sandbox';
import { afterAll } from 'vitest';

/**
 * Starts a sandbox for the test file that awaits this at its top level, and closes it when the file's
 * tests are done.
 *
 * @example
 * ```ts
 * const sandbox = await useSandbox({ https: true });
 * ```
 */
export async function useSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // Loaded on the first call, not with this package: files that only need listen() skip the simulator.
  const { startSandbox } = await import('@wxpark/sandbox');
  const sandbox = await startSandbox(options);
  afterAll(() => sandbox.close());
  return sandbox;
}
