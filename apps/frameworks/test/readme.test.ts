// The framework recipes in the @wxpark/core README are copies of the tested set-ups in src/: each block must
// contain its `// #region recipe: <name>` verbatim, every region must have its block, and every block must
// typecheck here, where the frameworks are installed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const app = fileURLToPath(new URL('..', import.meta.url));
const root = join(app, '../..');
const readmePath = join(root, 'packages/core/README.md');
const scratch = join(app, '.readme-check');

/** `// #region recipe: <name>` … `// #endregion` in src/, dedented. */
function regions(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of readdirSync(join(app, 'src'))) {
    const lines = readFileSync(join(app, 'src', file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      const name = /\/\/ #region recipe: ([\w-]+)/.exec(line)?.[1];
      if (!name) return;
      const end = lines.findIndex((l, i) => i > index && l.includes('// #endregion'));
      const body = lines.slice(index + 1, end);
      const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
      found.set(name, body.map((l) => l.slice(indent)).join('\n'));
    });
  }
  return found;
}

/** `<!-- recipe: <name> -->` followed by a ```ts block in the README. */
function blocks(): Map<string, string> {
  const found = new Map<string, string>();
  const text = readFileSync(readmePath, 'utf8');
  for (const match of text.matchAll(/<!-- recipe: ([\w-]+) -->\s*```ts\n([\s\S]*?)\n```/g)) {
    found.set(match[1]!, match[2]!);
  }
  return found;
}

const tested = regions();
const documented = blocks();
let diagnostics: string[] = [];

beforeAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch);
  for (const [name, code] of documented) writeFileSync(join(scratch, `${name}.ts`), `${code}\n`);
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'] }),
  );
  const tsc = spawnSync(
    join(root, 'node_modules/.bin/tsc'),
    ['-p', join(scratch, 'tsconfig.json'), '--pretty', 'false'],
    { encoding: 'utf8' },
  );
  diagnostics = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((line) => line.includes('error TS'));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the framework recipes in the @wxpark/core README', () => {
  it('has a block for every tested set-up, and no block without one', () => {
    expect([...documented.keys()].sort()).toEqual([...tested.keys()].sort());
  });

  it.each([...tested.keys()])('the %s block contains the tested code verbatim', (name) => {
    expect(documented.get(name)).toContain(tested.get(name));
  });

  it.each([...documented.keys()])('the %s block typechecks with the frameworks installed', (name) => {
    expect(diagnostics.filter((line) => line.includes(`${name}.ts(`))).toEqual([]);
  });
});
