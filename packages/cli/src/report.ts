import { type ApiError, type ValidationError, WxparkError } from '@wxpark/core';
import { CliError, exitCodes } from './errors.ts';

/** A failure as the CLI reports it: one line, a code and an exit code. */
export interface FailureReport {
  exitCode: number;
  code: string;
  message: string;
  requestId?: string;
}

/**
 * Maps any error to its report. Input refused before anything was sent (validation, options) is usage (2);
 * WeChat Pay refusing, an answer that failed verification, or the network is a failure (1). Classes are
 * told apart by `name`, which holds across two installed copies of a package.
 */
export function reportOf(error: unknown): FailureReport {
  if (error instanceof CliError)
    return { exitCode: error.exitCode, code: error.code, message: error.message };
  if (!WxparkError.isInstance(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: exitCodes.failure, code: 'UNEXPECTED', message };
  }
  if (error.name === 'ValidationError') {
    const validation = error as ValidationError;
    const issues = validation.issues.map(
      (issue) => `${issue.path || 'value'} must be ${issue.expected}, received ${issue.received}`,
    );
    return {
      exitCode: exitCodes.usage,
      code: validation.code,
      message: `${issues.join('; ')}${validation.hint ? ` (hint: ${validation.hint})` : ''}`,
    };
  }
  const requestId = (error as ApiError).requestId;
  return {
    exitCode: exitCodes.failure,
    code: error.code,
    message: error.name === 'SignatureError' ? `not verified: ${error.message}` : error.message,
    ...(requestId ? { requestId } : {}),
  };
}
