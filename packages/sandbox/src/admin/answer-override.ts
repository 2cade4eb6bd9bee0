import { SandboxUsageError } from '../errors.ts';
import type { AnswerOverride } from '../types.ts';

/** Answer overrides waiting for the next successful API answers, first set, first used. */
export interface AnswerOverrideQueue {
  push(options: AnswerOverride): void;
  /**
   * Applies the first waiting override for this call (its path as called, and its route template) to the
   * fields of a successful answer, before they are signed; the fields as they were when none waits.
   */
  apply<F extends object>(pathname: string, template: string, fields: F): F;
}

function check(options: AnswerOverride): AnswerOverride & { count: number } {
  if (typeof options !== 'object' || options === null) {
    throw new SandboxUsageError('answer override: expected an object with omit and/or set');
  }
  const { path, omit = [], set = {}, count = 1 } = options;
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new SandboxUsageError(`path: expected an API path starting with /, got ${JSON.stringify(path)}`);
  }
  if (!Array.isArray(omit) || omit.some((name) => typeof name !== 'string')) {
    throw new SandboxUsageError('omit: expected an array of field names');
  }
  if (typeof set !== 'object' || set === null || Array.isArray(set)) {
    throw new SandboxUsageError('set: expected an object of fields');
  }
  if (omit.length === 0 && Object.keys(set).length === 0) {
    throw new SandboxUsageError('answer override: expected fields to omit or to set');
  }
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new SandboxUsageError(`count: expected a positive integer, got ${JSON.stringify(count)}`);
  }
  return { ...options, omit, set, count };
}

export function createAnswerOverrideQueue(): AnswerOverrideQueue {
  const waiting: (AnswerOverride & { remaining: number })[] = [];
  return {
    push(options) {
      const checked = check(options);
      waiting.push({ ...checked, remaining: checked.count });
    },
    apply<F extends object>(pathname: string, template: string, fields: F): F {
      const at = waiting.findIndex((w) => w.path === undefined || w.path === pathname || w.path === template);
      if (at === -1) return fields;
      const entry = waiting[at]!;
      entry.remaining -= 1;
      if (entry.remaining === 0) waiting.splice(at, 1);
      const changed: Record<string, unknown> = { ...fields, ...entry.set };
      for (const name of entry.omit ?? []) delete changed[name];
      return changed as F;
    },
  };
}
