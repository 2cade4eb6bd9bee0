import { defineConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

/** The browser suite (`pnpm test:browser`): Debian's Chromium driven by playwright-core; not part of `pnpm test`. */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ['test-browser/**/*.test.ts'],
    benchmark: { include: [] },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
