import { defineConfig } from 'tsdown';
import base from '../../tsdown.config.base.ts';

// A second entry, `/testing`, so test helpers never enter the main bundle.
export default defineConfig({ ...base, entry: ['src/index.ts', 'src/testing.ts'] });
