// Import time of `@wxpark/core` plus one API package, over a bare `node -e 0`, from the built dist: many
// interleaved process starts, medians. Besides wall time it prints each process's own CPU time
// (`process.cpuUsage()` once the imports are done), which a loaded machine disturbs far less than wall time.
//
// Usage (packages built): node src/import-time.ts
//   IMPORT_ROUNDS   process starts per case (41)
//   IMPORT_BASELINE the root of another checkout, built: its cases run in the same rounds, for a before/after
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spread } from './measure.ts';

const rounds = Number(process.env.IMPORT_ROUNDS ?? 41);
const here = fileURLToPath(new URL('..', import.meta.url));
const baseline = process.env.IMPORT_BASELINE;
// Printed by the child once its imports are done (static imports run first): its CPU time in ms.
const report = ';{const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))}';

interface Case {
  readonly name: string;
  readonly cwd: string;
  readonly source: string | undefined;
}

const imports: [string, string][] = [
  ['core + businesscircle', "import '@wxpark/core'; import '@wxpark/businesscircle';"],
  ['core + vehicle-v2', "import '@wxpark/core'; import '@wxpark/vehicle-v2';"],
  ['core + parking-v3', "import '@wxpark/core'; import '@wxpark/parking-v3';"],
];
const cases: Case[] = [
  { name: 'node -e 0', cwd: here, source: undefined },
  ...imports.map(([name, source]) => ({ name, cwd: here, source })),
];
if (baseline) {
  const cwd = join(baseline, 'apps/bench');
  for (const [name, source] of imports) {
    const pkg = source.match(/'(@wxpark\/[^']+)';$/)![1]!;
    if (existsSync(join(cwd, 'node_modules', pkg))) cases.push({ name: `${name} (baseline)`, cwd, source });
  }
}

function start(item: Case): { wall: number; cpu: number } {
  const args =
    item.source === undefined ? ['-e', report.slice(1)] : ['--input-type=module', '-e', item.source + report];
  const begin = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: item.cwd, encoding: 'utf8' });
  const wall = performance.now() - begin;
  if (run.status !== 0) throw new Error(`${item.name} failed: ${run.stderr}`);
  return { wall, cpu: Number(run.stdout) };
}

const results = new Map(cases.map((item) => [item.name, { wall: [] as number[], cpu: [] as number[] }]));
for (let round = 0; round < rounds; round++) {
  // The order rotates each round, so no case always runs right after another.
  for (let i = 0; i < cases.length; i++) {
    const item = cases[(i + round) % cases.length]!;
    const { wall, cpu } = start(item);
    results.get(item.name)!.wall.push(wall);
    results.get(item.name)!.cpu.push(cpu);
  }
}

const bare = results.get('node -e 0')!;
const bareWall = spread(bare.wall).median;
const bareCpu = spread(bare.cpu).median;
console.log(`import time, ${rounds} interleaved process starts per case, Node ${process.versions.node}:`);
console.log(`  ${''.padEnd(36)}  wall median (min–max)        over bare   CPU median  over bare`);
for (const [name, { wall, cpu }] of results) {
  const w = spread(wall);
  const c = spread(cpu).median;
  const over = (value: number, base: number) =>
    name === 'node -e 0' ? '' : `+${(value - base).toFixed(1)} ms`;
  console.log(
    `  ${name.padEnd(36)}  ${w.median.toFixed(1).padStart(6)} ms (${w.min.toFixed(1)}–${w.max.toFixed(1)})`.padEnd(
      70,
    ) +
      over(w.median, bareWall).padStart(10) +
      `${c.toFixed(1).padStart(9)} ms` +
      over(c, bareCpu).padStart(11),
  );
}
