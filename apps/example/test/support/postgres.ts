import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase } from './postgres-cluster.ts';

/**
 * A fresh database in the run's cluster. Throws the one-line reason when PostgreSQL is unavailable, so a
 * PostgreSQL suite fails saying what to install rather than skipping.
 */
export function freshDatabase(prefix: string): Promise<string> {
  const url = inject('postgresUrl');
  if (!url) throw new Error(inject('postgresProblem'));
  return createDatabase(url, `${prefix}_${randomBytes(4).toString('hex')}`);
}
