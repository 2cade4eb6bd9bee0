import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsdown';
import base from '../../tsdown.config.base.ts';

// fast-xml-parser is built into dist/index.mjs rather than imported at run time: its ES module graph is 40
// files across eight packages, and resolving and compiling them was most of what importing @wxpark/xml cost
// (about 30 ms; the one built file loads in about 3 ms). The list is closed: a new dependency of
// fast-xml-parser fails the build until it is reviewed here.
const bundled = [
  'fast-xml-parser',
  '@nodable/entities',
  'anynum',
  'is-unsafe',
  'path-expression-matcher',
  'strnum',
  'xml-naming',
];

export default defineConfig({
  ...base,
  deps: { onlyBundle: bundled },
  banner: {
    js: '// Contains fast-xml-parser and its dependencies (MIT): their notices are in THIRD_PARTY_LICENSES.md.',
  },
  hooks: {
    // The MIT notices of what was built in, from the very files that were: dist/THIRD_PARTY_LICENSES.md.
    'build:done': ({ chunks }) => {
      const packageDirs = new Set<string>();
      for (const chunk of chunks) {
        if (chunk.type !== 'chunk') continue;
        for (const id of chunk.moduleIds) {
          const dir = id.match(/^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//)?.[1];
          if (dir) packageDirs.add(dir);
        }
      }
      const sections = [...packageDirs].sort().map((dir) => {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        const licenseFile = readdirSync(dir).find((name) => /^licen[cs]e/i.test(name));
        const text = licenseFile
          ? readFileSync(join(dir, licenseFile), 'utf8').trim()
          : `${manifest.license} (no license file in the package)`;
        return `## ${manifest.name} ${manifest.version} (${manifest.license})\n\n\`\`\`\n${text}\n\`\`\`\n`;
      });
      writeFileSync(
        join(import.meta.dirname, 'dist/THIRD_PARTY_LICENSES.md'),
        `# Third-party code in dist/index.mjs\n\n${sections.join('\n')}`,
      );
    },
  },
});
