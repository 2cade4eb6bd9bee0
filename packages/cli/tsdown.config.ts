import { defineConfig } from 'tsdown';
import base from '../../tsdown.config.base.ts';

// The bin is a second entry; it keeps its `#!/usr/bin/env node` line.
export default defineConfig({ ...base, entry: ['src/index.ts', 'src/bin.ts'] });
