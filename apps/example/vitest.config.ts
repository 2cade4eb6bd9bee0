import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({ test: { globalSetup: ['test/support/global-setup.ts'], testTimeout: 30_000 } }),
);
