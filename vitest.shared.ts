import { defineConfig } from 'vitest/config';

/** Every package's tests run on source through the `@wxpark/source` export condition. */
export default defineConfig({
  resolve: { conditions: ['@wxpark/source'] },
  ssr: { resolve: { conditions: ['@wxpark/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
    testTimeout: 20_000,
    // Hooks start sandboxes and servers (RSA key generation): under `pnpm test` every suite runs at once.
    hookTimeout: 60_000,
  },
});
