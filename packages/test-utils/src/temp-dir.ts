import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// One file-level hook removes them all: an `afterAll` registered inside a running test is never called,
// and these directories hold private keys and databases. This module is loaded once per test file.
const forTheFile: string[] = [];
afterAll(() => {
  for (const dir of forTheFile.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Makes a temporary directory (named `<prefix>XXXXXX` in the system's temp folder) and removes it, with
 * what it holds, when the test file's tests are done, also when made inside a test.
 *
 * @example
 * ```ts
 * const dir = tempDir('wxpark-gateway-');
 * const store = new SqliteGateStore(join(dir, 'gate.sqlite'));
 * ```
 */
export function tempDir(prefix = 'wxpark-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  forTheFile.push(dir);
  return dir;
}
