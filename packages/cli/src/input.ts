import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from './errors.ts';

/** Checks an http(s) URL given on the command line; anything else is a usage error naming the option. */
export function checkHttpUrl(value: string, option: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // Reported below.
  }
  throw usageError('INVALID_URL', `${option}: expected an http(s) URL, got ${JSON.stringify(value)}`);
}

/** At most this many bytes are read from stdin or a file: a call body is never larger. */
const maxInputBytes = 1024 * 1024;

/** Reads all of stdin, capped. */
export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxInputBytes) throw usageError('INPUT_TOO_LARGE', `stdin: more than ${maxInputBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a file named on the command line, capped; a missing file is a usage error. */
export function readInputFile(path: string, cwd: string, what: string): string {
  const file = resolve(cwd, path);
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw usageError(
      'UNREADABLE_FILE',
      `${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (text.length > maxInputBytes)
    throw usageError('INPUT_TOO_LARGE', `${what}: ${path} is larger than ${maxInputBytes} bytes`);
  return text.toString('utf8');
}

/**
 * Resolves `--data`: inline JSON, `@file`, or `-` for stdin, into a JSON object. Invalid JSON is a usage
 * error that says where it broke.
 */
export async function readData(
  data: string | undefined,
  io: { stdin: NodeJS.ReadableStream; cwd: string },
): Promise<Record<string, unknown>> {
  if (data === undefined) return {};
  let text: string;
  let where: string;
  if (data === '-') {
    text = await readStdin(io.stdin);
    where = 'stdin';
  } else if (data.startsWith('@')) {
    text = readInputFile(data.slice(1), io.cwd, '--data');
    where = data.slice(1);
  } else {
    text = data;
    where = '--data';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError('INVALID_JSON', `${where}: invalid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError(
      'INVALID_JSON',
      `${where}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  return value as Record<string, unknown>;
}
