import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { NoticeClaim, NoticeStore, StoredNoticeReply } from '@wxpark/core';
import type {
  CallClaim,
  CallSettlement,
  ExitPlan,
  GateStore,
  NewCall,
  NewGateDecision,
  OutboxCall,
  Stay,
} from './types.ts';

/**
 * Schema changes in order; each runs once, in a transaction, recorded in `schema_migrations`. The first is
 * the schema of the gateway before migrations existed (so an old file upgrades in place).
 */
const migrations: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS stays (
     out_serial_number TEXT PRIMARY KEY,
     plate_number TEXT NOT NULL,
     plate_color TEXT NOT NULL,
     openid TEXT,
     entered_at INTEGER NOT NULL,
     exited_at INTEGER
   );
   CREATE TABLE IF NOT EXISTS calls (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     out_serial_number TEXT NOT NULL REFERENCES stays (out_serial_number),
     route TEXT NOT NULL,
     payload TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     result TEXT,
     error TEXT,
     UNIQUE (out_serial_number, route)
   );
   CREATE TABLE IF NOT EXISTS notices (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     summary TEXT NOT NULL,
     received_at INTEGER NOT NULL
   );`,
  // One open stay per plate, held by the database: older duplicates an earlier version let in are closed.
  `DROP INDEX IF EXISTS stays_open;
   UPDATE stays SET exited_at = entered_at WHERE exited_at IS NULL AND rowid NOT IN (
     SELECT max(rowid) FROM stays WHERE exited_at IS NULL GROUP BY plate_number);
   CREATE UNIQUE INDEX stays_one_open ON stays (plate_number) WHERE exited_at IS NULL;
   ALTER TABLE calls ADD COLUMN body TEXT;
   ALTER TABLE calls ADD COLUMN claimed_by TEXT;
   ALTER TABLE calls ADD COLUMN lease_until INTEGER;
   ALTER TABLE calls ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE calls ADD COLUMN takeovers INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE calls ADD COLUMN error_code TEXT;
   ALTER TABLE calls ADD COLUMN request_id TEXT;
   ALTER TABLE calls ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE calls ADD COLUMN answered_at INTEGER;
   ALTER TABLE calls ADD COLUMN after_id INTEGER REFERENCES calls (id);
   CREATE INDEX calls_due ON calls (next_attempt_at) WHERE status = 'pending';
   CREATE TABLE notice_replies (
     id TEXT PRIMARY KEY,
     claimed_until INTEGER,
     reply_status INTEGER,
     reply_body TEXT,
     reply_type TEXT
   );
   CREATE TABLE rate_limits (key TEXT PRIMARY KEY, tat INTEGER NOT NULL);`,
  // The latest 车牌状态变更通知 per plate, by its vehicle_event_createtime.
  `CREATE TABLE plate_states (plate_number TEXT PRIMARY KEY, state TEXT NOT NULL, event_at INTEGER NOT NULL);`,
  // The exit gate's decision on the stay's charge (release | hold | query-again), kept up to date.
  `ALTER TABLE stays ADD COLUMN gate_action TEXT;
   ALTER TABLE stays ADD COLUMN gate_reason TEXT;
   ALTER TABLE stays ADD COLUMN trade_state TEXT;
   ALTER TABLE stays ADD COLUMN gate_final INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE stays ADD COLUMN decided_at INTEGER;`,
];

type Row = Record<string, SQLInputValue>;

export function toStay(row: Row): Stay {
  return {
    out_serial_number: String(row.out_serial_number),
    plate_number: String(row.plate_number),
    plate_color: String(row.plate_color),
    ...(row.openid == null ? {} : { openid: String(row.openid) }),
    entered_at: Number(row.entered_at),
    ...(row.exited_at == null ? {} : { exited_at: Number(row.exited_at) }),
    ...(row.gate_action == null
      ? {}
      : {
          gate: {
            action: String(row.gate_action) as NewGateDecision['action'],
            reason: String(row.gate_reason),
            ...(row.trade_state == null ? {} : { trade_state: String(row.trade_state) }),
            // SQLite keeps 0/1, PostgreSQL a boolean.
            final: Boolean(row.gate_final),
            decided_at: Number(row.decided_at),
          },
        }),
  };
}

/** The calls and decision of an exit, whichever form `callsFor` gave them in. */
export function exitPlanOf(plan: readonly NewCall[] | ExitPlan): ExitPlan {
  return Array.isArray(plan) ? { calls: plan } : (plan as ExitPlan);
}

export function toCall(row: Record<string, unknown>): OutboxCall {
  const optional = (name: string) => (row[name] == null ? {} : { [name]: String(row[name]) });
  return {
    id: Number(row.id),
    out_serial_number: String(row.out_serial_number),
    route: String(row.route),
    payload: JSON.parse(String(row.payload)),
    ...optional('body'),
    status: row.status as OutboxCall['status'],
    attempts: Number(row.attempts),
    takeovers: Number(row.takeovers),
    ...(row.result == null ? {} : { result: JSON.parse(String(row.result)) }),
    ...optional('error'),
    ...optional('error_code'),
    ...optional('request_id'),
    created_at: Number(row.created_at),
    ...(row.answered_at == null ? {} : { answered_at: Number(row.answered_at) }),
    next_attempt_at: Number(row.next_attempt_at),
    ...optional('claimed_by'),
    ...(row.after_id == null ? {} : { after_id: Number(row.after_id) }),
  };
}

/**
 * The gateway's state on embedded SQLite (node:sqlite): one file, one instance (several processes on one
 * file also work, serialised by SQLite's write lock). WAL and `synchronous = FULL` make a committed gate
 * event survive a `kill -9` or a power cut.
 */
export class SqliteGateStore implements GateStore {
  readonly engine = 'sqlite' as const;
  readonly #db: DatabaseSync;
  readonly notices: NoticeStore;

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.#migrate();
    this.notices = this.#noticeStore();
  }

  #migrate(): void {
    this.#transaction(() => {
      this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)');
      const done = this.#db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as Row;
      for (let version = Number(done.v ?? 0) + 1; version <= migrations.length; version++) {
        this.#db.exec(migrations[version - 1]!);
        this.#db.prepare('INSERT INTO schema_migrations (version) VALUES (?)').run(version);
      }
    });
  }

  async recordEntry(stay: Stay, calls: readonly NewCall[], claim: CallClaim) {
    return this.#transaction(() => {
      const inserted = this.#db
        .prepare(
          `INSERT INTO stays (out_serial_number, plate_number, plate_color, openid, entered_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (plate_number) WHERE exited_at IS NULL DO NOTHING`,
        )
        .run(
          stay.out_serial_number,
          stay.plate_number,
          stay.plate_color,
          stay.openid ?? null,
          stay.entered_at,
        );
      if (inserted.changes === 0) {
        const open = this.#openStay(stay.plate_number)!;
        return { created: false, stay: open, calls: this.#callsOf(open.out_serial_number) };
      }
      this.#insertCalls(stay.out_serial_number, calls, claim);
      return { created: true, stay, calls: this.#callsOf(stay.out_serial_number) };
    });
  }

  async recordExit(
    plate_number: string,
    exited_at: number,
    callsFor: (stay: Stay, calls: readonly OutboxCall[]) => readonly NewCall[] | ExitPlan,
    claim: CallClaim,
  ) {
    return this.#transaction(() => {
      const stay = this.#openStay(plate_number);
      if (!stay) return undefined;
      this.#db
        .prepare('UPDATE stays SET exited_at = ? WHERE out_serial_number = ?')
        .run(exited_at, stay.out_serial_number);
      const { calls, decision } = exitPlanOf(callsFor(stay, this.#callsOf(stay.out_serial_number)));
      this.#insertCalls(stay.out_serial_number, calls, claim);
      if (decision) this.#recordDecision(stay.out_serial_number, decision);
      const routes = new Set(calls.map((call) => call.route));
      return {
        stay: this.#stay(stay.out_serial_number)!,
        calls: this.#callsOf(stay.out_serial_number).filter((call) => routes.has(call.route)),
      };
    });
  }

  async stay(out_serial_number: string) {
    return this.#stay(out_serial_number);
  }

  #stay(out_serial_number: string): Stay | undefined {
    const row = this.#db.prepare('SELECT * FROM stays WHERE out_serial_number = ?').get(out_serial_number) as
      | Row
      | undefined;
    return row ? toStay(row) : undefined;
  }

  async recordDecision(out_serial_number: string, decision: NewGateDecision) {
    return this.#recordDecision(out_serial_number, decision);
  }

  #recordDecision(out_serial_number: string, decision: NewGateDecision): boolean {
    const final = decision.final ? 1 : 0;
    const run = this.#db
      .prepare(
        `UPDATE stays SET gate_action = ?, gate_reason = ?, trade_state = ?, gate_final = ?, decided_at = ?
         WHERE out_serial_number = ? AND (gate_final = 0 OR ? = 1)`,
      )
      .run(
        decision.action,
        decision.reason,
        decision.trade_state ?? null,
        final,
        Date.now(),
        out_serial_number,
        final,
      );
    return Number(run.changes) === 1;
  }

  #insertCalls(out_serial_number: string, calls: readonly NewCall[], claim: CallClaim): void {
    const now = Date.now();
    const predecessor = this.#db.prepare(
      'SELECT id, status FROM calls WHERE out_serial_number = ? AND route = ?',
    );
    const insert = this.#db.prepare(
      `INSERT INTO calls (out_serial_number, route, payload, claimed_by, lease_until, next_attempt_at, created_at, after_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (out_serial_number, route) DO NOTHING`,
    );
    for (const call of calls) {
      const before = call.after
        ? (predecessor.get(out_serial_number, call.after) as Row | undefined)
        : undefined;
      const ready = !before || before.status === 'done';
      insert.run(
        out_serial_number,
        call.route,
        JSON.stringify(call.payload),
        ready ? claim.owner : null,
        ready ? now + claim.leaseMs : null,
        now,
        now,
        before ? Number(before.id) : null,
      );
    }
  }

  async openStay(plate_number: string) {
    return this.#openStay(plate_number);
  }

  #openStay(plate_number: string): Stay | undefined {
    const row = this.#db
      .prepare('SELECT * FROM stays WHERE plate_number = ? AND exited_at IS NULL')
      .get(plate_number) as Row | undefined;
    return row ? toStay(row) : undefined;
  }

  async platesWithSeveralOpenStays() {
    const rows = this.#db
      .prepare(
        'SELECT plate_number FROM stays WHERE exited_at IS NULL GROUP BY plate_number HAVING count(*) > 1',
      )
      .all() as Row[];
    return rows.map((row) => String(row.plate_number));
  }

  async claimDue(claim: CallClaim, limit: number) {
    return this.#transaction(() => {
      const now = Date.now();
      const rows = this.#db
        .prepare(
          `UPDATE calls SET
             takeovers = takeovers + (claimed_by IS NOT NULL),
             claimed_by = ?, lease_until = ?
           WHERE id IN (
             SELECT id FROM calls c WHERE status = 'pending' AND next_attempt_at <= ?
               AND (lease_until IS NULL OR lease_until < ?)
               AND (after_id IS NULL OR (SELECT status FROM calls p WHERE p.id = c.after_id) = 'done')
             ORDER BY id LIMIT ?)
           RETURNING *`,
        )
        .all(claim.owner, now + claim.leaseMs, now, now, limit) as Row[];
      return rows.map(toCall).sort((a, b) => a.id - b.id);
    });
  }

  async saveBody(id: number, body: string) {
    this.#db.prepare('UPDATE calls SET body = ? WHERE id = ? AND body IS NULL').run(body, id);
    const row = this.#db.prepare('SELECT body FROM calls WHERE id = ?').get(id) as Row;
    return String(row.body);
  }

  async settle(id: number, owner: string, settlement: CallSettlement) {
    const now = Date.now();
    const where = "WHERE id = ? AND claimed_by = ? AND status = 'pending'";
    const requestId = settlement.requestId ?? null;
    let changes: number | bigint;
    if (settlement.status === 'done') {
      changes = this.#db
        .prepare(
          `UPDATE calls SET status = 'done', attempts = attempts + 1, result = ?, error = NULL, error_code = NULL,
             request_id = ?, answered_at = ?, claimed_by = NULL, lease_until = NULL ${where}`,
        )
        .run(JSON.stringify(settlement.result ?? null), requestId, now, id, owner).changes;
    } else if (settlement.status === 'failed') {
      changes = this.#db
        .prepare(
          `UPDATE calls SET status = 'failed', attempts = attempts + 1, error = ?, error_code = ?, request_id = ?,
             answered_at = ?, claimed_by = NULL, lease_until = NULL ${where}`,
        )
        .run(settlement.error, settlement.errorCode, requestId, now, id, owner).changes;
    } else {
      changes = this.#db
        .prepare(
          `UPDATE calls SET attempts = attempts + 1, error = ?, error_code = ?, request_id = ?, next_attempt_at = ?,
             claimed_by = NULL, lease_until = NULL ${where}`,
        )
        .run(settlement.error, settlement.errorCode, requestId, settlement.nextAttemptAt, id, owner).changes;
    }
    return Number(changes) === 1;
  }

  async listCalls(filter: { status?: OutboxCall['status'] } = {}) {
    const rows = filter.status
      ? this.#db.prepare('SELECT * FROM calls WHERE status = ? ORDER BY id').all(filter.status)
      : this.#db.prepare('SELECT * FROM calls ORDER BY id').all();
    return (rows as Row[]).map(toCall);
  }

  async callsOf(out_serial_number: string) {
    return this.#callsOf(out_serial_number);
  }

  #callsOf(out_serial_number: string): OutboxCall[] {
    const rows = this.#db
      .prepare('SELECT * FROM calls WHERE out_serial_number = ? ORDER BY id')
      .all(out_serial_number) as Row[];
    return rows.map(toCall);
  }

  async retryFailed(ids?: readonly number[]) {
    const set =
      "UPDATE calls SET status = 'pending', next_attempt_at = 0, claimed_by = NULL, lease_until = NULL";
    if (!ids) return Number(this.#db.prepare(`${set} WHERE status = 'failed'`).run().changes);
    return this.#transaction(() => {
      let count = 0;
      const one = this.#db.prepare(`${set} WHERE status = 'failed' AND id = ?`);
      for (const id of ids) count += Number(one.run(id).changes);
      return count;
    });
  }

  async recordPlateState(plate: string, state: string, eventAt: number) {
    const run = this.#db
      .prepare(
        `INSERT INTO plate_states (plate_number, state, event_at) VALUES (?, ?, ?)
         ON CONFLICT (plate_number) DO UPDATE SET state = excluded.state, event_at = excluded.event_at
           WHERE excluded.event_at > plate_states.event_at`,
      )
      .run(plate, state, eventAt);
    return Number(run.changes) === 1;
  }

  async plateState(plate: string) {
    const row = this.#db
      .prepare('SELECT state, event_at FROM plate_states WHERE plate_number = ?')
      .get(plate) as Row | undefined;
    return row ? { state: String(row.state), eventAt: Number(row.event_at) } : undefined;
  }

  async recordNotice(id: string, kind: string, summary: string) {
    const run = this.#db
      .prepare(
        'INSERT INTO notices (id, kind, summary, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(id, kind, summary, Date.now());
    return Number(run.changes) === 1;
  }

  #noticeStore(): NoticeStore {
    const db = this.#db;
    return {
      claim: async (id, leaseMs): Promise<NoticeClaim> =>
        this.#transaction(() => {
          const now = Date.now();
          const row = db.prepare('SELECT * FROM notice_replies WHERE id = ?').get(id) as Row | undefined;
          if (row && row.reply_status != null) return { status: 'done', reply: toReply(row) };
          if (row && Number(row.claimed_until) > now) return { status: 'busy' };
          db.prepare(
            `INSERT INTO notice_replies (id, claimed_until) VALUES (?, ?)
             ON CONFLICT (id) DO UPDATE SET claimed_until = excluded.claimed_until`,
          ).run(id, now + leaseMs);
          return { status: 'claimed' };
        }),
      complete: async (id, reply) => {
        db.prepare(
          `INSERT INTO notice_replies (id, reply_status, reply_body, reply_type) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET claimed_until = NULL, reply_status = excluded.reply_status,
             reply_body = excluded.reply_body, reply_type = excluded.reply_type`,
        ).run(id, reply.status, reply.body, reply.contentType ?? null);
      },
      release: async (id) => {
        db.prepare('DELETE FROM notice_replies WHERE id = ? AND reply_status IS NULL').run(id);
      },
    };
  }

  async takeRate(key: string, intervalMs: number, burst: number) {
    return this.#transaction(() => {
      const now = Date.now();
      const row = this.#db.prepare('SELECT tat FROM rate_limits WHERE key = ?').get(key) as Row | undefined;
      const tat = Math.max(Number(row?.tat ?? 0), now);
      const wait = tat + intervalMs - now - burst * intervalMs;
      if (wait > 0) return wait;
      this.#db
        .prepare(
          'INSERT INTO rate_limits (key, tat) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tat = excluded.tat',
        )
        .run(key, tat + intervalMs);
      return 0;
    });
  }

  async holdRate(key: string, until: number, intervalMs: number, burst: number) {
    const tat = until + (burst - 1) * intervalMs;
    this.#db
      .prepare(
        'INSERT INTO rate_limits (key, tat) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tat = max(tat, excluded.tat)',
      )
      .run(key, tat);
  }

  async close() {
    this.#db.close();
  }

  #transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}

export function toReply(row: Record<string, unknown>): StoredNoticeReply {
  return {
    status: Number(row.reply_status),
    body: String(row.reply_body ?? ''),
    ...(row.reply_type == null ? {} : { contentType: String(row.reply_type) }),
  };
}
