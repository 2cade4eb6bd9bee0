/** Exit codes: 0 done, 1 WeChat Pay (or the sandbox, or a receiver) refused or could not be verified, 2 usage. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * A failure the CLI reports as one line and an exit code. `usage` means nothing was sent: the command line,
 * the input or the configuration was wrong.
 */
export class CliError extends Error {
  readonly exitCode: number;
  /** A stable, machine-readable code for `--json` output. */
  readonly code: string;

  constructor(code: string, message: string, options: { usage?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.usage ? exitCodes.usage : exitCodes.failure;
  }
}

/** A mistake in what the user gave: exit 2, nothing sent. */
export function usageError(code: string, message: string): CliError {
  return new CliError(code, message, { usage: true });
}
