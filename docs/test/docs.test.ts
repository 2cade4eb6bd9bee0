// Keeps the documents true: every ```ts block typechecks against the packages as they are, the error
// reference lists exactly the codes of every exported code union, and every relative link resolves.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const docs = fileURLToPath(new URL('..', import.meta.url));
const root = resolve(docs, '..');
const scratch = join(docs, '.check');
const documents = readdirSync(docs)
  .filter((name) => name.endsWith('.md'))
  .sort();
const read = (file: string) => readFileSync(file, 'utf8');

interface Block {
  /** The document, relative to the repository. */
  document: string;
  /** 1-based line of the block's first code line in the document. */
  line: number;
  code: string;
  file: string;
}

/** Every fenced block whose info string is exactly `ts`: other languages are shown, not checked. */
function tsBlocks(document: string): Block[] {
  const lines = read(join(docs, document)).split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    const name = `${document.replace(/\.md$/, '')}-${blocks.length + 1}.ts`;
    blocks.push({
      document: `docs/${document}`,
      line: start + 1,
      code: lines.slice(start, end).join('\n'),
      file: name,
    });
    i = end;
  }
  return blocks;
}

/** A `<!-- codes: <package> <Union> [except <package> <Union>] -->` marker and the codes of its table. */
interface CodeTable {
  line: number;
  from: string;
  union: string;
  except?: { from: string; union: string };
  codes: string[];
}

function codeTables(document: string): CodeTable[] {
  const lines = read(join(docs, document)).split('\n');
  const tables: CodeTable[] = [];
  lines.forEach((text, index) => {
    const marker = /<!-- codes: (\S+) (\w+)(?: except (\S+) (\w+))? -->/.exec(text);
    if (!marker) return;
    const codes: string[] = [];
    let row = index + 1;
    while (row < lines.length && !lines[row]!.startsWith('|')) row++;
    for (; row < lines.length && lines[row]!.startsWith('|'); row++) {
      const cell = /^\|\s*`([A-Z0-9_]+)`/.exec(lines[row]!);
      if (cell) codes.push(cell[1]!);
    }
    tables.push({
      line: index + 1,
      from: marker[1]!,
      union: marker[2]!,
      ...(marker[3] ? { except: { from: marker[3], union: marker[4]! } } : {}),
      codes,
    });
  });
  return tables;
}

/**
 * The SDK's own `…ErrorCode` unions each published package exports from its entry. `RouteErrorCode<Route>`
 * is not one: it names the WeChat Pay codes a route's documents list, which stay WeChat's.
 */
function exportedCodeUnions(): { from: string; union: string }[] {
  const unions: { from: string; union: string }[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, private: isPrivate } = JSON.parse(read(manifest)) as { name: string; private?: boolean };
    if (isPrivate) continue;
    const entry = read(join(root, 'packages', dir, 'src/index.ts'));
    for (const match of entry.matchAll(/\btype (\w+ErrorCode)\b/g))
      if (match[1] !== 'RouteErrorCode') unions.push({ from: name, union: match[1]! });
  }
  return unions;
}

const blocks = documents.flatMap(tsBlocks);
const tables = codeTables('errors.md');
let diagnostics: string[] = [];

beforeAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  for (const block of blocks) writeFileSync(join(scratch, block.file), `${block.code}\n`);
  // One check per code table, written so that a missing or an extra code is a compile error naming it.
  const checks = [
    'type Literal<T> = T extends string ? (string extends T ? never : T) : never;',
    ...tables.flatMap((table, index) => {
      const base = `Literal<import('${table.from}').${table.union}>`;
      const codes = table.except
        ? `Exclude<${base}, Literal<import('${table.except.from}').${table.except.union}>>`
        : base;
      const documented = table.codes.map((code) => `'${code}'`).join(' | ') || 'never';
      return [
        `type Codes${index} = ${codes};`,
        `type Documented${index} = ${documented};`,
        `export const undocumented${index}: [Exclude<Codes${index}, Documented${index}>] extends [never] ? true : ['errors.md line ${table.line}: add', Exclude<Codes${index}, Documented${index}>] = true;`,
        `export const unknown${index}: [Exclude<Documented${index}, Codes${index}>] extends [never] ? true : ['errors.md line ${table.line}: no such code', Exclude<Documented${index}, Codes${index}>] = true;`,
      ];
    }),
  ];
  writeFileSync(join(scratch, 'error-codes.ts'), `${checks.join('\n')}\n`);
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.base.json',
      compilerOptions: { noUnusedLocals: false, allowUnusedLabels: false },
      include: ['*.ts'],
    }),
  );
  const tsc = spawnSync(
    join(root, 'node_modules/.bin/tsc'),
    ['-p', join(scratch, 'tsconfig.json'), '--pretty', 'false'],
    {
      encoding: 'utf8',
    },
  );
  diagnostics = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((line) => line.includes('error TS'));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Diagnostics of one generated file, pointed back at the document's lines. */
function errorsIn(block: Block): string[] {
  return diagnostics
    .filter((line) => line.startsWith(`${block.file}(`) || line.includes(`.check/${block.file}(`))
    .map((line) =>
      line.replace(/^.*?\.ts\((\d+),(\d+)\)/, (_all, row: string, column: string) => {
        return `${block.document}:${block.line + Number(row) - 1}:${column}`;
      }),
    );
}

describe('code blocks', () => {
  it('finds the ts blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(blocks.map((block) => [`${block.document}:${block.line}`, block] as const))(
    '%s typechecks against the packages',
    (_where, block) => {
      expect(errorsIn(block)).toEqual([]);
    },
  );
});

describe('error reference', () => {
  it('has a code table for every …ErrorCode union the packages export', () => {
    const documented = tables.map((t) => `${t.from} ${t.union}`).sort();
    const exported = exportedCodeUnions().map((u) => `${u.from} ${u.union}`);
    expect(documented).toEqual(expect.arrayContaining(exported));
    expect(exported).toEqual(expect.arrayContaining(documented));
  });

  it('lists exactly the codes of each union (checked by the compiler against the exported types)', () => {
    expect(diagnostics.filter((line) => line.includes('error-codes.ts'))).toEqual([]);
  });

  it('describes each code with a cause and what to do', () => {
    const rows = read(join(docs, 'errors.md'))
      .split('\n')
      .filter((line) => /^\|\s*`[A-Z0-9_]+`/.test(line));
    for (const row of rows) {
      const cells = row.split('|').slice(1, -1);
      expect(cells, row).toHaveLength(3);
      expect(
        cells.every((cell) => cell.trim().length > 0),
        row,
      ).toBe(true);
    }
  });
});

describe('links', () => {
  const linked = (file: string) =>
    [...read(file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/.test(target));

  it.each(
    [...documents.map((d) => join(docs, d)), join(root, 'README.md')].map((f) => [relative(root, f), f]),
  )('every relative link in %s resolves', (_name, file) => {
    for (const target of linked(file)) expect(existsSync(resolve(dirname(file), target)), target).toBe(true);
  });

  it('the root README links to every document, and the docs index too', () => {
    const readme = read(join(root, 'README.md'));
    const index = read(join(docs, 'README.md'));
    for (const document of documents.filter((d) => d !== 'README.md')) {
      expect(readme, document).toContain(`docs/${document}`);
      expect(index, document).toContain(`(${document})`);
    }
  });
});
