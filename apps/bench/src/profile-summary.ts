// Self time by function (and by package) from a V8 .cpuprofile: where a loop's CPU goes.
// Usage: node src/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const [file, topArg = '40'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const counts = new Map<number, number>();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const total = profile.samples.length;
const self = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, n] of counts) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url
    .replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/^file:\/\/.*\/(packages|apps)\//, '$1/');
  const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + n);
  const pkg =
    url === ''
      ? functionName.startsWith('(')
        ? functionName
        : '(native)'
      : url.startsWith('node:')
        ? `node:${url
            .slice(5)
            .split('/')
            .slice(0, url.startsWith('node:internal/deps') ? 3 : 2)
            .join('/')}`
        : where.split('/').slice(0, 2).join('/');
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n);
}
const pct = (n: number) => `${((n / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${total} samples`);
console.log('\nby package / module:');
for (const [name, n] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${pct(n)}  ${name}`);
console.log('\nby function (self):');
for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg)))
  console.log(`${pct(n)}  ${name}`);
