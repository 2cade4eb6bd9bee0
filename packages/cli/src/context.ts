import type { LoadedSettings } from './credentials.ts';
import type { Output } from './output.ts';

/** What the CLI runs with: its streams, environment and working directory (tests pass their own). */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: long-running commands (`listen`, `sandbox`) stop and clean up. */
  signal: AbortSignal;
}

/** Given to every command. */
export interface CommandContext {
  io: CliIo;
  out: Output;
  /** The settings from `--config` and the environment, read when a command first needs them. */
  settings(): LoadedSettings;
}
