import { defineConfig } from 'tsdown';

/** One build for every package: ESM only, declarations beside it, Node 22.12+ (which can `require()` ESM). */
export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node22.12',
  // Declarations from src alone: a type error in a test must not break (and empty) a package build.
  tsconfig: 'tsconfig.build.json',
  dts: true,
  clean: true,
  sourcemap: false,
  unbundle: false,
  // The JavaScript ships without JSDoc (the declarations keep it, and editors read those): a fifth to a
  // quarter of each file's bytes, which every import would otherwise read and scan. License comments and
  // bundler annotations (`@__PURE__`) stay.
  outputOptions: { comments: { jsdoc: false, legal: true, annotation: true } },
});
