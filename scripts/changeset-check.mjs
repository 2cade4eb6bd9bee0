// What CI checks about changesets, on a clean clone of main:
//   1. `changeset status` reads every pending changeset (a bad file, or an unknown or ignored package in
//      one, fails here) and gives the release plan.
//   2. Every published package whose src/ changed since its last release tag (`@wxpark/core@0.1.0`, made by
//      `changeset publish`), or that was never released, is named in a pending changeset. `changeset status`
//      alone only asks for *some* changeset when anything changed, and `--since=main` on main sees nothing.
//   3. `changeset version`, run in a throwaway copy, bumps exactly the packages of that plan to exactly its
//      versions, writes each one a CHANGELOG entry, leaves the private apps alone and keeps `workspace:`
//      ranges.
// Prints the plan as a table: package, current version, next version, bump, why. Exits 1 on any failure.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  changeset,
  pendingChangesets,
  readJson,
  root,
  throwawayCopy,
  workspacePackages,
} from './lib/throwaway-copy.mjs';

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const problems = [];
const packages = workspacePackages();
const published = packages.filter((pkg) => !pkg.manifest.private);
const copy = throwawayCopy();

try {
  // ── 1. the plan ──
  const statusFile = join(copy.dir, 'status.json');
  changeset(root, ['status', `--output=${statusFile}`]);
  const plan = readJson(statusFile);
  const pending = pendingChangesets();
  const named = new Map();
  for (const set of plan.changesets) {
    for (const release of set.releases) named.set(release.name, [...(named.get(release.name) ?? []), set.id]);
  }

  // ── 2. every changed package has a changeset ──
  const gate = [];
  for (const pkg of published) {
    const { name, version } = pkg.manifest;
    const tags = git('tag', '--list', `${name}@*`, '--merged', 'HEAD', '--sort=-v:refname').split('\n');
    const last = tags.find(Boolean);
    let state;
    let needsOne = false;
    if (!last) {
      state = 'never released';
      needsOne = true;
    } else if (last !== `${name}@${version}`) {
      state = `versioned ${version} (last tag ${last}), not yet published`;
    } else {
      const changed = git('diff', '--name-only', last, '--', `${pkg.path}/src`).split('\n').filter(Boolean);
      needsOne = changed.length > 0;
      state = needsOne ? `${changed.length} src file(s) changed since ${last}` : `unchanged since ${last}`;
    }
    const has = named.get(name);
    if (needsOne && !has)
      problems.push(`${name}: ${state}, but no pending changeset names it (run pnpm changeset)`);
    gate.push(`${name}: ${state}${has ? ` — ${has.map((id) => `.changeset/${id}.md`).join(', ')}` : ''}`);
  }

  // ── 3. changeset version in a throwaway copy ──
  if (pending.length > 0) changeset(copy.dir, ['version']);
  const rows = [];
  for (const pkg of packages) {
    const { name, version: current } = pkg.manifest;
    const after = readJson(join(copy.dir, pkg.path, 'package.json'));
    const release = plan.releases.find((r) => r.name === name);
    const expected = release?.newVersion ?? current;
    if (after.version !== expected) {
      problems.push(`${name}: changeset version wrote ${after.version}, the plan says ${expected}`);
    }
    if (pkg.manifest.private && after.version !== current)
      problems.push(`${name} is private but was versioned`);
    if (release && release.type !== 'none') {
      const changelog = join(copy.dir, pkg.path, 'CHANGELOG.md');
      const text = existsSync(changelog) ? readFileSync(changelog, 'utf8') : '';
      if (!text.includes(`## ${expected}\n`))
        problems.push(`${name}: CHANGELOG.md has no "## ${expected}" entry`);
    }
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
      for (const [dep, spec] of Object.entries(after[field] ?? {})) {
        const before = pkg.manifest[field]?.[dep];
        if (String(before).startsWith('workspace:') && spec !== before) {
          problems.push(`${name}: ${field}.${dep} changed from ${before} to ${spec}`);
        }
      }
    }
    const bumped = release && release.type !== 'none';
    let because = '';
    if (pkg.manifest.private) because = 'private: never versioned';
    else if (bumped)
      because = release.changesets.map((id) => `.changeset/${id}.md`).join(', ') || 'a dependency';
    rows.push([name, current, bumped ? after.version : '=', bumped ? release.type : '', because]);
  }
  const left = pendingChangesets(copy.dir);
  if (left.length > 0) problems.push(`changeset version left ${left.join(', ')} behind`);

  console.log(`pending changesets: ${pending.length === 0 ? 'none' : pending.join(', ')}\n`);
  console.log('changed since the last release:');
  for (const line of gate) console.log(`  ${line}`);
  const header = ['package', 'now', 'next', 'bump', 'because of'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(
    `\nchangeset version (throwaway copy):\n${line(header)}\n${line(widths.map((w) => '─'.repeat(w)))}`,
  );
  for (const row of rows) console.log(line(row));
} catch (error) {
  problems.push(error.message);
} finally {
  copy.dispose();
}

if (problems.length > 0) {
  console.error(`\nchangeset check FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('\nchangeset check passed');
