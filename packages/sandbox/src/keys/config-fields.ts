import { SandboxConfigError } from '../errors.ts';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws the one-line message every config problem gets: where, what was expected, what was found. */
export function fail(path: string, expected: string, value: unknown): never {
  const got =
    value === undefined
      ? 'nothing'
      : typeof value === 'string' && value.length > 60
        ? `a string of ${value.length} characters`
        : JSON.stringify(value);
  throw new SandboxConfigError(`${path}: expected ${expected}, got ${got}`);
}

/** A non-empty string of at most `maxLength` characters at `record[key]`. */
export function text(
  record: Record<string, unknown>,
  key: string,
  path: string,
  optional = false,
  maxLength = 32,
): string | undefined {
  const value = record[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > maxLength) {
    fail(`${path}.${key}`, `a non-empty string of at most ${maxLength} characters`, value);
  }
  return value;
}

/** An array at `record[key]`, or undefined when absent and optional. */
export function list(
  record: Record<string, unknown>,
  key: string,
  path: string,
  optional = false,
): unknown[] | undefined {
  const value = record[key];
  if (value === undefined && optional) return undefined;
  if (!Array.isArray(value)) fail(`${path}${path ? '.' : ''}${key}`, 'an array', value);
  return value;
}
