// What a consumer's bundle pays for wxpark: bundles two tiny consumers from the built dist with rolldown
// (the one tsdown uses), minified, ky left external (a consumer has it anyway), and prints min and min+gzip
// bytes, plus what each package contributes. Not part of CI: a figure for READMEs and reviews.
//
// Usage: node scripts/bundle-size.mjs [--no-build] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

if (!process.argv.includes('--no-build')) {
  const build = spawnSync(
    join(root, 'node_modules/.bin/turbo'),
    ['run', 'build', '--filter=./packages/*', '--output-logs=errors-only', '--continue'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
  );
  if (build.status !== 0) {
    console.error(`${build.stdout}${build.stderr}\nthe build failed`);
    process.exit(1);
  }
}

// rolldown is tsdown's own dependency (not a root one): resolve it from there, so both always agree.
const fromTsdown = createRequire(join(realpathSync(join(root, 'node_modules/tsdown')), 'package.json'));
const rolldownPath = fromTsdown.resolve('rolldown');
const { rolldown } = await import(pathToFileURL(rolldownPath).href);
const rolldownVersion = fromTsdown('rolldown/package.json').version;

// The built packages, by name. @wxpark/xml comes from its source instead: its dist has fast-xml-parser built
// in, which would hide that package's share below; bundled from source it gives the same bytes.
const alias = Object.fromEntries(
  readdirSync(join(root, 'packages')).map((dir) => [
    `@wxpark/${dir}`,
    join(root, 'packages', dir, dir === 'xml' ? 'src/index.ts' : 'dist/index.mjs'),
  ]),
);

const consumers = {
  'v3 business circle (core + businesscircle)': `
import { createClient } from '@wxpark/core';
import { businesscircle } from '@wxpark/businesscircle';

const client = createClient(
  {
    mchId: process.env.WXPAY_MCHID,
    v3: {
      serialNo: process.env.WXPAY_SERIAL,
      privateKey: process.env.WXPAY_PRIVATE_KEY,
      apiV3Key: process.env.WXPAY_V3_KEY,
      publicKey: { id: process.env.WXPAY_PUBLIC_KEY_ID, key: process.env.WXPAY_PUBLIC_KEY },
    },
  },
  [businesscircle],
);
const { status } = await client.v3.businesscircle.parkings({
  brandid: 1001,
  appid: 'wxd678efh567hg6787',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  plate_number: '粤B888888',
  state: 'IN',
  time: new Date(),
});
console.log(status);
`,
  'v2 only (core + vehicle-v2)': `
import { createClient } from '@wxpark/core';
import { vehicleV2 } from '@wxpark/vehicle-v2';

const client = createClient({ v2: { apiKey: process.env.WXPAY_V2_KEY } }, [vehicleV2]);
const { data } = await client.v2.vehicle.pay.notification({
  appid: 'wxcbda96de0b165486',
  mch_id: '10000098',
  trade_scene: 'PARKING',
  scene_info: { start_time: new Date(), plate_number: '粤B888888', parking_name: '欢乐海岸停车场', free_time: '1200' },
});
console.log(data.user_state);
`,
};

/** `@wxpark/core`, `fast-xml-parser`, … for a module id (a path in the pnpm store or a package). */
function packageOf(id) {
  const inStore = id.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/);
  if (inStore) return inStore[1];
  const workspace = id.match(/\/packages\/([^/]+)\/(?:dist|src)\//);
  return workspace ? `@wxpark/${workspace[1]}` : id;
}

const json = process.argv.includes('--json');
const work = mkdtempSync(join(tmpdir(), 'wxpark-bundle-size-'));
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
try {
  if (!json) console.log(`rolldown ${rolldownVersion}, platform node, ESM, minified; external: ky, node:*\n`);
  const rows = [];
  for (const [label, source] of Object.entries(consumers)) {
    const input = join(work, `${rows.length}.mjs`);
    writeFileSync(input, source);
    const bundle = await rolldown({
      input,
      platform: 'node',
      external: ['ky', /^node:/],
      resolve: { alias },
      logLevel: 'warn',
    });
    const { output } = await bundle.generate({ format: 'esm', minify: true });
    await bundle.close();
    const chunk = output.find((item) => item.type === 'chunk');
    const min = Buffer.byteLength(chunk.code);
    const gzip = gzipSync(chunk.code, { level: 9 }).byteLength;
    const shares = new Map();
    for (const [id, info] of Object.entries(chunk.modules)) {
      if (id === input) continue;
      const name = packageOf(id);
      shares.set(name, (shares.get(name) ?? 0) + info.renderedLength);
    }
    rows.push({ label, min, gzip, shares });
  }

  if (json) console.log(JSON.stringify(rows.map(({ label, min, gzip }) => ({ label, min, gzip }))));
  else print(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function print(rows) {
  const width = Math.max(...rows.map((row) => row.label.length));
  console.log(`${'consumer'.padEnd(width)}  ${'min B'.padStart(7)}  ${'min+gzip B'.padStart(10)}`);
  for (const row of rows) {
    console.log(
      `${row.label.padEnd(width)}  ${String(row.min).padStart(7)}  ${String(row.gzip).padStart(10)}   ` +
        `(${kib(row.min)} / ${kib(row.gzip)})`,
    );
  }
  console.log('\nwhat each package puts in the bundle (tree-shaken, before minification):');
  for (const row of rows) {
    const total = [...row.shares.values()].reduce((sum, n) => sum + n, 0);
    const parts = [...row.shares]
      .sort((a, b) => b[1] - a[1])
      .map(([name, bytes]) => `${name} ${Math.round((bytes / total) * 100)}%`);
    console.log(`  ${row.label}: ${parts.join(', ')}`);
  }
}
