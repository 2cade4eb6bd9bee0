import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { afterAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'wxpark-tree-shaking-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bundles a consumer of the core source as a user's bundler would (ky and node:* left out), unminified, no comments. */
async function bundle(name: string, source: string): Promise<string> {
  const input = join(work, `${name}.mjs`);
  writeFileSync(input, source);
  const build = await rolldown({
    input,
    platform: 'node',
    external: ['ky', /^node:/],
    resolve: {
      alias: { '@wxpark/core': fileURLToPath(new URL('../src/index.ts', import.meta.url)) },
      conditionNames: ['@wxpark/source', 'import', 'default'],
    },
    logLevel: 'silent',
  });
  const { output } = await build.generate({ format: 'esm', comments: false });
  await build.close();
  return output.map((chunk) => (chunk.type === 'chunk' ? chunk.code : '')).join('\n');
}

const route = (protocol: 'v2' | 'v3') => `defineRoute({
  protocol: '${protocol}',
  method: 'POST',
  path: '/${protocol}/tree-shaking',
  title: 'tree shaking',
  request: object({}),
  response: answerOf()({}),
})`;

describe('what a bundle carries', () => {
  it('an APIv3-only bundle leaves out the APIv2 key checks, the client certificate and the APIv2 protocol', async () => {
    const code = await bundle(
      'v3-only',
      `import { answerOf, apiV3, createClient, definePackage, defineRoute, object } from '@wxpark/core';
       const pkg = definePackage({ name: 'v3', v3: apiV3, routes: { 'v3/tree-shaking': ${route('v3')} } });
       const client = createClient({ mchId: '1900000100', v3: JSON.parse(process.env.V3) }, [pkg]);
       console.log(await client['v3/tree-shaking']({}));`,
    );
    expect(code).toMatch(/\bV3Protocol\b/);
    expect(code).not.toContain('options.v2.apiKey');
    expect(code).not.toContain('createSecureContext');
    expect(code).not.toMatch(/\bV2Protocol\b/);
  });

  it('an APIv2-only bundle leaves out the APIv3 key loading, the APIv3 protocol and the certificate route', async () => {
    const code = await bundle(
      'v2-only',
      `import { answerOf, apiV2, createClient, definePackage, defineRoute, object } from '@wxpark/core';
       const codec = { build: (record) => JSON.stringify(record), parse: (text) => JSON.parse(text) };
       const pkg = definePackage({ name: 'v2', v2: apiV2(codec), routes: { 'v2/tree-shaking': ${route('v2')} } });
       const client = createClient({ v2: { apiKey: process.env.V2_KEY } }, [pkg]);
       console.log(await client['v2/tree-shaking']({}));`,
    );
    expect(code).toMatch(/\bV2Protocol\b/);
    expect(code).toContain('createSecureContext');
    expect(code).not.toContain('options.v3.serialNo');
    expect(code).not.toMatch(/\bV3Protocol\b/);
    expect(code).not.toContain('/v3/certificates');
  });
});
