// Reading the .tgz files that `pnpm pack` and `changeset pack` write, without a tar dependency.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The regular files of a package tarball: paths without the `package/` prefix, sizes and contents. */
export function readTarball(file) {
  const data = gunzipSync(readFileSync(file));
  const files = [];
  const text = (start, length) => data.toString('utf8', start, start + length).replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= data.length; ) {
    if (data.subarray(offset, offset + 512).every((byte) => byte === 0)) break;
    const name = text(offset, 100);
    const prefix = text(offset + 345, 155);
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = data[offset + 156];
    // '0' or NUL: a regular file. Directories and pax headers are skipped.
    if (type === 0x30 || type === 0) {
      files.push({
        path: (prefix ? `${prefix}/${name}` : name).replace(/^package\//, ''),
        size,
        content: data.subarray(offset + 512, offset + 512 + size),
      });
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** The manifest read from a tarball's package.json. */
export function tarballManifest(files) {
  return JSON.parse(files.find((f) => f.path === 'package.json').content.toString('utf8'));
}

/** Every file `exports`, `main` and `types` point at, with the condition that leads there. */
export function exportTargets(manifest) {
  const targets = [];
  const walk = (value, condition) => {
    if (typeof value === 'string') targets.push({ condition, path: value.replace(/^\.\//, '') });
    else if (value && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) walk(inner, key);
  };
  walk(manifest.exports, 'default');
  for (const field of ['main', 'types']) {
    if (manifest[field]) targets.push({ condition: field, path: manifest[field].replace(/^\.\//, '') });
  }
  return targets;
}
