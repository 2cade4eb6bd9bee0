#!/usr/bin/env node
import { runCli } from './program.ts';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Long-running commands (listen, sandbox) stop on the abort and clean up; anything still running after
    // a grace period is ended.
    controller.abort(signal);
    setTimeout(() => process.exit(130), 3000).unref();
  });
}
process.exitCode = await runCli(process.argv.slice(2), { signal: controller.signal });
