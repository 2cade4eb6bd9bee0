import { defineConfig } from 'tsdown';
import base from '../../tsdown.config.base.ts';

// Three entries: the library, the `wxpark-sandbox` bin, and the child process `startSandboxProcess` forks.
export default defineConfig({
  ...base,
  entry: ['src/index.ts', 'src/cli.ts', 'src/process-entry.ts'],
});
