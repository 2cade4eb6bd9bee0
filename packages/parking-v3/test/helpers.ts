import type { V3Options } from '@wxpark/core';
import type { Sandbox } from '@wxpark/sandbox';
import { clientFor, merchantsOf, type SandboxClientOverrides } from '@wxpark/test-utils';
import { parkingV3 } from '../src/index.ts';

export { listen } from '@wxpark/test-utils';

/** The sandbox's direct merchant, with its APIv3 credentials. */
export function merchantOf(sandbox: Sandbox) {
  return merchantsOf(sandbox).direct;
}

/** A parking-v3 client on the sandbox in public-key mode (or as `v3` overrides say). */
export function v3Client(sandbox: Sandbox, v3: Partial<V3Options> = {}, extra: SandboxClientOverrides = {}) {
  return clientFor(sandbox, [parkingV3], { ...extra, v3 });
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
