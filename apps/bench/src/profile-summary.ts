// Where a loop's CPU goes, from a V8 .cpuprofile: self time by package and by function, and by layer (crypto,
// wxpark, ky, undici's Request/Response/Headers, wxpark's node:http fetch, node:http and the socket), in µs
// per call when the CPU per call is known.
// Usage: node src/profile-summary.ts <file.cpuprofile> [top] [cpu µs per call]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

const where = (url: string) =>
  url
    .replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/^file:\/\/.*\/(packages|apps)\//, '$1/');

function packageOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:'))
    return `node:${url
      .slice(5)
      .split('/')
      .slice(0, url.startsWith('node:internal/deps') ? 3 : 2)
      .join('/')}`;
  return where(url).split('/').slice(0, 2).join('/');
}

// A frame's own layer, or undefined for shared helpers (events, timers, abort signals, buffers, promises…),
// whose time goes to the nearest caller that has a layer.
function layerOf({ functionName, url }: ProfileNode['callFrame']): string | undefined {
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (url === '' && /^(write|writev|writeLatin1String|writeUtf8String|writeBuffer)$/.test(functionName))
    return 'node:http, net, streams, socket writes';
  if (url.startsWith('node:internal/crypto')) return 'crypto (node:crypto sign, verify, random)';
  if (/node:(_http_|http|https|net|internal\/streams|internal\/stream_base_commons|_tls)/.test(url))
    return 'node:http, net, streams, socket writes';
  if (url.startsWith('node:internal/deps/undici')) return 'undici Request/Response/Headers';
  const file = where(url);
  if (file.startsWith('ky/')) return 'ky';
  if (file.includes('core/src/node-fetch') || file.includes('core/dist/node-fetch'))
    return "wxpark's node:http fetch";
  if (file.startsWith('packages/signer')) return 'wxpark: signer checks (not the crypto)';
  if (file.startsWith('packages/')) return 'wxpark: core and route packages';
  if (file.startsWith('apps/bench')) return 'bench loop';
  return undefined;
}

export function summarize(profile: CpuProfile, options: { top?: number; cpuPerCall?: number } = {}): string {
  const lines: string[] = [];
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byLayer = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
  for (const [id, n] of counts) {
    const frame = byId.get(id)!.callFrame;
    add(self, `${frame.functionName || '(anonymous)'} ${where(frame.url)}:${frame.lineNumber + 1}`, n);
    add(byPackage, packageOf(frame), n);
    let layer: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !layer; at = parent.get(at))
      layer = layerOf(byId.get(at)!.callFrame);
    add(byLayer, layer ?? 'other (event loop, module loading, native)', n);
  }
  const pct = (n: number) => `${((n / total) * 100).toFixed(1).padStart(5)} %`;
  lines.push(`${total} samples`, '', 'by package / module:');
  for (const [name, n] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 25))
    lines.push(`${pct(n)}  ${name}`);
  const busy = total - (byLayer.get('(idle)') ?? 0);
  lines.push(
    '',
    options.cpuPerCall
      ? `by layer (self time, shared helpers charged to their caller; share of busy samples × ${options.cpuPerCall.toFixed(0)} µs CPU per call):`
      : 'by layer (self time, shared helpers charged to their caller; share of busy samples):',
  );
  for (const [name, n] of [...byLayer].sort((a, b) => b[1] - a[1])) {
    if (name === '(idle)') continue;
    const share = n / busy;
    const us = options.cpuPerCall ? `${(share * options.cpuPerCall).toFixed(0).padStart(5)} µs  ` : '';
    lines.push(`${us}${(share * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
  lines.push('', 'by function (self):');
  for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, options.top ?? 40))
    lines.push(`${pct(n)}  ${name}`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = '40', cpuPerCall] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file!, 'utf8')) as CpuProfile;
  console.log(
    summarize(profile, { top: Number(top), ...(cpuPerCall ? { cpuPerCall: Number(cpuPerCall) } : {}) }),
  );
}
