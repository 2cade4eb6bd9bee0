// The release without the upload. `pnpm release` is `changeset publish` after `changeset version`; this runs,
// in a throwaway copy of the built workspace:
//   changeset version        (when changesets are pending: the versions the next release will have)
//   changeset publish-plan   (what `changeset publish` would publish: asks the registry which versions exist)
//   changeset pack           (the tarballs `changeset publish --from-pack-dir` would upload)
// and checks that the plan holds exactly the public workspace packages not yet on the registry at those
// versions (no app), and that each tarball has its manifest, README, built entry and declarations, every
// export target, and real version ranges instead of `workspace:`. Never publishes anything.
//
// Usage: node scripts/release-dry-run.mjs [--no-build]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportTargets, readTarball, tarballManifest } from './lib/tarball.mjs';
import {
  changeset,
  pendingChangesets,
  readJson,
  root,
  throwawayCopy,
  workspacePackages,
} from './lib/throwaway-copy.mjs';

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

const problems = [];
const notes = [];
const copy = throwawayCopy({ withDist: true });
try {
  const pending = pendingChangesets(copy.dir);
  if (pending.length > 0) {
    changeset(copy.dir, ['version']);
    console.log(
      `applied ${pending.length} pending changeset(s) first (${pending.join(', ')}), as a release does\n`,
    );
  } else {
    console.log('no pending changesets: the release would publish the current versions\n');
  }
  const planFile = join(copy.dir, 'publish-plan.json');
  const planLog = changeset(copy.dir, ['publish-plan', `--output=${planFile}`]);
  const plan = readJson(planFile).plan.flat();
  const outDir = join(copy.dir, 'out');
  if (plan.length > 0)
    changeset(copy.dir, ['pack', `--from-publish-plan=${planFile}`, `--out-dir=${outDir}`]);

  const packages = workspacePackages(copy.dir);
  const publicNames = packages.filter((p) => !p.manifest.private).map((p) => p.manifest.name);
  const alreadyPublished = Number(planLog.match(/(\d+) packages? (?:is|are) already published/)?.[1] ?? 0);
  for (const item of plan) {
    if (item.kind !== 'publish') problems.push(`unexpected ${item.kind} entry for ${item.name}`);
    if (!publicNames.includes(item.name))
      problems.push(`${item.name} is in the plan but is not a public package`);
  }
  const planned = new Set(plan.map((item) => item.name));
  if (planned.size + alreadyPublished !== publicNames.length) {
    problems.push(
      `${publicNames.length} public packages, but ${planned.size} planned + ${alreadyPublished} already published`,
    );
  }

  const tarballs = plan.length > 0 ? readdirSync(join(outDir, 'packages')) : [];
  const rows = [];
  for (const item of plan) {
    const pkg = packages.find((p) => p.manifest.name === item.name);
    const file = tarballs.find(
      (f) => f === `${item.name.replace('@', '').replace('/', '-')}-${item.version}.tgz`,
    );
    if (!file) {
      problems.push(`${item.name}@${item.version}: no tarball in the pack output`);
      continue;
    }
    const files = readTarball(join(outDir, 'packages', file));
    const paths = files.map((f) => f.path).sort();
    const manifest = tarballManifest(files);
    if (manifest.version !== item.version)
      problems.push(`${file}: version ${manifest.version}, plan ${item.version}`);
    // The in-repo source condition points at src/, which is not published; only the workspace sets it.
    const targets = exportTargets(manifest).filter((t) => t.condition !== '@wxpark/source');
    for (const required of new Set(['package.json', 'README.md', ...targets.map((t) => t.path)])) {
      if (!paths.includes(required)) problems.push(`${item.name}: ${required} is not in the tarball`);
    }
    for (const [dep, spec] of Object.entries(manifest.dependencies ?? {})) {
      if (String(spec).startsWith('workspace:'))
        problems.push(`${item.name}: dependencies.${dep} is ${spec}`);
      const internal = packages.find((p) => p.manifest.name === dep);
      if (internal && spec !== `^${internal.manifest.version}`) {
        problems.push(`${item.name}: dependencies.${dep} is ${spec}, expected ^${internal.manifest.version}`);
      }
    }
    if (!paths.some((p) => /^LICEN[CS]E/i.test(p))) {
      notes.push([item.name, `"license": "${manifest.license}" but no LICENSE file in the tarball`]);
    }
    if (
      !paths.includes('CHANGELOG.md') &&
      pkg &&
      readdirSync(join(copy.dir, pkg.path)).includes('CHANGELOG.md')
    ) {
      notes.push([
        item.name,
        `CHANGELOG.md is written but not packed ("files": ${JSON.stringify(manifest.files)})`,
      ]);
    }
    rows.push([
      `${item.name}@${item.version}`,
      `${item.tag}/${item.access}`,
      String(statSync(join(outDir, 'packages', file)).size),
      paths.map((p) => `${p} (${files.find((f) => f.path === p).size})`).join(', '),
    ]);
  }

  console.log(`publish plan (${plan.length} to publish, ${alreadyPublished} already on the registry):`);
  const header = ['package', 'tag/access', 'packed B', 'files (bytes)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(`${line(header)}\n${line(widths.map((w) => '─'.repeat(Math.min(w, 60))))}`);
  for (const row of rows) console.log(line(row).trimEnd());
  console.log(
    `\nlayers (publish order): ${readJson(planFile)
      .plan.map((layer) => layer.map((i) => i.name).join(' '))
      .join(' → ')}`,
  );
  for (const text of new Set(notes.map(([, note]) => note))) {
    const who = notes.filter(([, note]) => note === text).map(([name]) => name);
    console.log(`note (${who.length === plan.length ? 'every package' : who.join(', ')}): ${text}`);
  }
} catch (error) {
  problems.push(error.message);
} finally {
  copy.dispose();
}

if (problems.length > 0) {
  console.error(`\nrelease dry run FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('\nrelease dry run passed (nothing was published)');
