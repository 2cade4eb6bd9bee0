import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PostgresGateStore } from './postgres.ts';
import { SqliteGateStore } from './sqlite.ts';
import type { GateStore } from './types.ts';

/**
 * Opens the store a deployment asks for: PostgreSQL when `databaseUrl` is a `postgres://` URL (a fleet of
 * instances), else the SQLite file at `sqlitePath` (one instance). Migrations run here.
 */
export async function openStore(settings: { databaseUrl?: string; sqlitePath: string }): Promise<GateStore> {
  const url = settings.databaseUrl?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new Error('DATABASE_URL: expected a postgres:// or postgresql:// URL');
    return PostgresGateStore.open(url);
  }
  mkdirSync(dirname(settings.sqlitePath), { recursive: true });
  return new SqliteGateStore(settings.sqlitePath);
}

/** Where a store lives, for the log line: never the password. */
export function describeStore(
  store: GateStore,
  settings: { databaseUrl?: string; sqlitePath: string },
): string {
  if (store.engine === 'sqlite') return `SQLite ${settings.sqlitePath}`;
  const url = new URL(settings.databaseUrl!);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
