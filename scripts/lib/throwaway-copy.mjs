// A copy of the workspace's release-relevant files in a temporary directory, where `changeset version`,
// `changeset publish-plan` and `changeset pack` can run without touching the repository.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Workspace packages under `packages/` and `apps/`, with their manifests. */
export function workspacePackages(base = root) {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(base, group))
      .filter((dir) => existsSync(join(base, group, dir, 'package.json')))
      .map((dir) => ({
        group,
        dir,
        path: `${group}/${dir}`,
        manifest: readJson(join(base, group, dir, 'package.json')),
      })),
  );
}

/**
 * Copies root manifests, `.changeset/`, and each workspace package's manifest, README, CHANGELOG and licence
 * (and `dist/` when `withDist`), then links `node_modules` so changesets finds its changelog generator.
 * Returns the directory and a disposer.
 */
export function throwawayCopy({ withDist = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wxpark-release-'));
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.npmrc']) {
    if (existsSync(join(root, file))) cpSync(join(root, file), join(dir, file));
  }
  cpSync(join(root, '.changeset'), join(dir, '.changeset'), { recursive: true });
  for (const pkg of workspacePackages()) {
    const from = join(root, pkg.path);
    // What `files` ships besides the build (the sandbox's bin/ and example config), so the tarballs match.
    const shipped = new Set((pkg.manifest.files ?? []).filter((file) => file !== 'dist'));
    for (const entry of readdirSync(from)) {
      const wanted =
        entry === 'package.json' ||
        /^(README|CHANGELOG|LICEN[CS]E)/i.test(entry) ||
        shipped.has(entry) ||
        (withDist && entry === 'dist');
      if (wanted) cpSync(join(from, entry), join(dir, pkg.path, entry), { recursive: true });
    }
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  // pnpm pack reads a `workspace:` dependency's version (dev ones too) from the package's node_modules link: link each
  // one to the copy, so the tarballs get the copy's (possibly just bumped) versions.
  const copied = workspacePackages(dir);
  for (const pkg of copied) {
    const { dependencies, devDependencies, peerDependencies, optionalDependencies } = pkg.manifest;
    const deps = { ...devDependencies, ...dependencies, ...peerDependencies, ...optionalDependencies };
    for (const [name, spec] of Object.entries(deps)) {
      const target = copied.find((other) => other.manifest.name === name);
      if (!String(spec).startsWith('workspace:') || !target) continue;
      mkdirSync(join(dir, pkg.path, 'node_modules', dirname(name)), { recursive: true });
      symlinkSync(join(dir, target.path), join(dir, pkg.path, 'node_modules', name));
    }
  }
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the workspace's changesets CLI in `cwd`; throws with its output when it fails. */
export function changeset(cwd, args) {
  const bin = join(root, 'node_modules/@changesets/cli/bin.js');
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0)
    throw new Error(`changeset ${args.join(' ')} failed (exit ${result.status}):\n${output}`);
  return output;
}

/** Lists the changeset files waiting in `.changeset/` (the ones the next `changeset version` consumes). */
export function pendingChangesets(base = root) {
  return readdirSync(join(base, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
}
