import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What a fresh process has loaded after `import '@wxpark/core'` (the source, through the workspace
 * condition): Node's built-in modules by name, and every package module resolved on the way.
 */
function loadedByImport(): { builtins: string[]; urls: string[] } {
  const probe = `
    import { registerHooks } from 'node:module';
    const urls = [];
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); urls.push(r.url); return r; } });
    await import('@wxpark/core');
    const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    process.stdout.write(JSON.stringify({ builtins, urls }));
  `;
  const output = execFileSync(
    process.execPath,
    ['--conditions=@wxpark/source', '--input-type=module', '-e', probe],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' },
  );
  return JSON.parse(output) as { builtins: string[]; urls: string[] };
}

describe('import cost', () => {
  it('importing @wxpark/core loads neither TLS, HTTP nor ky: they load with the first call that needs them', () => {
    const { builtins, urls } = loadedByImport();
    expect(builtins).toContain('crypto');
    for (const name of ['tls', 'https', 'http', '_http_client']) expect(builtins).not.toContain(name);
    expect(urls.some((url) => url.includes('/packages/core/src/'))).toBe(true);
    expect(urls.filter((url) => /node_modules\/(\.pnpm\/)?ky[@/]/.test(url))).toEqual([]);
  });
});
