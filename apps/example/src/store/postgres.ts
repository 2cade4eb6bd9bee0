import type { NoticeClaim, NoticeStore } from '@wxpark/core';
import postgres, { type Sql, type TransactionSql } from 'postgres';
import { exitPlanOf, toCall, toReply, toStay } from './sqlite.ts';
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

/** Schema changes in order; each runs once, under an advisory lock, so instances starting together agree. */
const migrations: readonly string[] = [
  `CREATE TABLE stays (
     out_serial_number text PRIMARY KEY,
     plate_number text NOT NULL,
     plate_color text NOT NULL,
     openid text,
     entered_at bigint NOT NULL,
     exited_at bigint
   );
   -- One open stay per plate, across every instance.
   CREATE UNIQUE INDEX stays_one_open ON stays (plate_number) WHERE exited_at IS NULL;
   CREATE TABLE calls (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     out_serial_number text NOT NULL REFERENCES stays (out_serial_number),
     route text NOT NULL,
     payload text NOT NULL,
     body text,
     status text NOT NULL DEFAULT 'pending',
     attempts integer NOT NULL DEFAULT 0,
     takeovers integer NOT NULL DEFAULT 0,
     result text,
     error text,
     error_code text,
     request_id text,
     claimed_by text,
     lease_until bigint,
     next_attempt_at bigint NOT NULL,
     created_at bigint NOT NULL,
     answered_at bigint,
     after_id bigint REFERENCES calls (id),
     UNIQUE (out_serial_number, route)
   );
   CREATE INDEX calls_due ON calls (next_attempt_at) WHERE status = 'pending';
   CREATE TABLE notices (id text PRIMARY KEY, kind text NOT NULL, summary text NOT NULL, received_at bigint NOT NULL);
   CREATE TABLE notice_replies (
     id text PRIMARY KEY, claimed_until bigint, reply_status integer, reply_body text, reply_type text
   );
   CREATE TABLE rate_limits (key text PRIMARY KEY, tat bigint NOT NULL);`,
  // The latest 车牌状态变更通知 per plate, by its vehicle_event_createtime.
  `CREATE TABLE plate_states (plate_number text PRIMARY KEY, state text NOT NULL, event_at bigint NOT NULL);`,
  // The exit gate's decision on the stay's charge (release | hold | query-again), kept up to date.
  `ALTER TABLE stays ADD COLUMN gate_action text, ADD COLUMN gate_reason text, ADD COLUMN trade_state text,
     ADD COLUMN gate_final boolean NOT NULL DEFAULT false, ADD COLUMN decided_at bigint;`,
];

/** Any stable number: the advisory lock that serialises migrations between instances. */
const migrationLock = 0x77787061726b;

/**
 * The gateway's state on PostgreSQL, for a fleet of instances sharing one database: claims use
 * `FOR UPDATE SKIP LOCKED` with a lease, dedup and the one-open-stay rule are unique keys.
 */
export class PostgresGateStore implements GateStore {
  readonly engine = 'postgres' as const;
  readonly #sql: Sql;
  readonly notices: NoticeStore;

  private constructor(sql: Sql) {
    this.#sql = sql;
    this.notices = this.#noticeStore();
  }

  /** Connects and runs the migrations not yet applied. */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresGateStore> {
    const sql = postgres(url, {
      max: options.max ?? 10,
      onnotice: () => {},
      connect_timeout: 10,
      // bigint columns come back as strings; our values (ms since the epoch, ids) fit a double.
      types: { bigint: { to: 20, from: [20], serialize: String, parse: Number } },
    });
    try {
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${migrationLock})`;
        await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY)`;
        const [row] = await tx<{ v: number | null }[]>`SELECT max(version) AS v FROM schema_migrations`;
        for (let version = (row?.v ?? 0) + 1; version <= migrations.length; version++) {
          await tx.unsafe(migrations[version - 1]!);
          await tx`INSERT INTO schema_migrations (version) VALUES (${version})`;
        }
      });
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
    return new PostgresGateStore(sql);
  }

  async recordEntry(stay: Stay, calls: readonly NewCall[], claim: CallClaim) {
    return this.#sql.begin(async (tx) => {
      const inserted = await tx`
        INSERT INTO stays (out_serial_number, plate_number, plate_color, openid, entered_at)
        VALUES (${stay.out_serial_number}, ${stay.plate_number}, ${stay.plate_color}, ${stay.openid ?? null},
                ${stay.entered_at})
        ON CONFLICT (plate_number) WHERE exited_at IS NULL DO NOTHING`;
      if (inserted.count === 0) {
        // The open stay may be another transaction's, committed after our snapshot: read it afresh.
        const open = (await openStayIn(tx, stay.plate_number))!;
        return { created: false, stay: open, calls: await callsIn(tx, open.out_serial_number) };
      }
      await insertCalls(tx, stay.out_serial_number, calls, claim);
      return { created: true, stay, calls: await callsIn(tx, stay.out_serial_number) };
    });
  }

  async recordExit(
    plate_number: string,
    exited_at: number,
    callsFor: (stay: Stay, calls: readonly OutboxCall[]) => readonly NewCall[] | ExitPlan,
    claim: CallClaim,
  ) {
    return this.#sql.begin(async (tx) => {
      const [row] = await tx`
        UPDATE stays SET exited_at = ${exited_at}
        WHERE plate_number = ${plate_number} AND exited_at IS NULL RETURNING *`;
      if (!row) return undefined;
      const stay = toStay(row);
      const { calls, decision } = exitPlanOf(callsFor(stay, await callsIn(tx, stay.out_serial_number)));
      await insertCalls(tx, stay.out_serial_number, calls, claim);
      if (decision) await decide(tx, stay.out_serial_number, decision);
      const routes = new Set(calls.map((call) => call.route));
      return {
        stay: (await stayIn(tx, stay.out_serial_number))!,
        calls: (await callsIn(tx, stay.out_serial_number)).filter((call) => routes.has(call.route)),
      };
    });
  }

  async stay(out_serial_number: string) {
    return stayIn(this.#sql, out_serial_number);
  }

  async recordDecision(out_serial_number: string, decision: NewGateDecision) {
    return decide(this.#sql, out_serial_number, decision);
  }

  async openStay(plate_number: string) {
    return openStayIn(this.#sql, plate_number);
  }

  async platesWithSeveralOpenStays() {
    const rows = await this.#sql`
      SELECT plate_number FROM stays WHERE exited_at IS NULL GROUP BY plate_number HAVING count(*) > 1`;
    return rows.map((row) => String(row.plate_number));
  }

  async claimDue(claim: CallClaim, limit: number) {
    const now = Date.now();
    const rows = await this.#sql`
      UPDATE calls SET
        takeovers = takeovers + (CASE WHEN claimed_by IS NULL THEN 0 ELSE 1 END),
        claimed_by = ${claim.owner}, lease_until = ${now + claim.leaseMs}
      WHERE id IN (
        SELECT id FROM calls c WHERE status = 'pending' AND next_attempt_at <= ${now}
          AND (lease_until IS NULL OR lease_until < ${now})
          AND (after_id IS NULL OR (SELECT status FROM calls p WHERE p.id = c.after_id) = 'done')
        ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING *`;
    return rows.map(toCall).sort((a, b) => a.id - b.id);
  }

  async saveBody(id: number, body: string) {
    await this.#sql`UPDATE calls SET body = ${body} WHERE id = ${id} AND body IS NULL`;
    const [row] = await this.#sql`SELECT body FROM calls WHERE id = ${id}`;
    return String(row!.body);
  }

  async settle(id: number, owner: string, settlement: CallSettlement) {
    const now = Date.now();
    const requestId = settlement.requestId ?? null;
    let result: { count: number };
    if (settlement.status === 'done') {
      result = await this.#sql`
        UPDATE calls SET status = 'done', attempts = attempts + 1, result = ${JSON.stringify(settlement.result ?? null)},
          error = NULL, error_code = NULL, request_id = ${requestId}, answered_at = ${now},
          claimed_by = NULL, lease_until = NULL
        WHERE id = ${id} AND claimed_by = ${owner} AND status = 'pending'`;
    } else if (settlement.status === 'failed') {
      result = await this.#sql`
        UPDATE calls SET status = 'failed', attempts = attempts + 1, error = ${settlement.error},
          error_code = ${settlement.errorCode}, request_id = ${requestId}, answered_at = ${now},
          claimed_by = NULL, lease_until = NULL
        WHERE id = ${id} AND claimed_by = ${owner} AND status = 'pending'`;
    } else {
      result = await this.#sql`
        UPDATE calls SET attempts = attempts + 1, error = ${settlement.error}, error_code = ${settlement.errorCode},
          request_id = ${requestId}, next_attempt_at = ${settlement.nextAttemptAt},
          claimed_by = NULL, lease_until = NULL
        WHERE id = ${id} AND claimed_by = ${owner} AND status = 'pending'`;
    }
    return result.count === 1;
  }

  async listCalls(filter: { status?: OutboxCall['status'] } = {}) {
    const rows = filter.status
      ? await this.#sql`SELECT * FROM calls WHERE status = ${filter.status} ORDER BY id`
      : await this.#sql`SELECT * FROM calls ORDER BY id`;
    return rows.map(toCall);
  }

  async callsOf(out_serial_number: string) {
    return callsIn(this.#sql, out_serial_number);
  }

  async retryFailed(ids?: readonly number[]) {
    const result = ids
      ? await this.#sql`
          UPDATE calls SET status = 'pending', next_attempt_at = 0, claimed_by = NULL, lease_until = NULL
          WHERE status = 'failed' AND id = ANY(${this.#sql.array([...ids])}::bigint[])`
      : await this.#sql`
          UPDATE calls SET status = 'pending', next_attempt_at = 0, claimed_by = NULL, lease_until = NULL
          WHERE status = 'failed'`;
    return result.count;
  }

  async recordPlateState(plate: string, state: string, eventAt: number) {
    const result = await this.#sql`
      INSERT INTO plate_states (plate_number, state, event_at) VALUES (${plate}, ${state}, ${eventAt})
      ON CONFLICT (plate_number) DO UPDATE SET state = excluded.state, event_at = excluded.event_at
        WHERE excluded.event_at > plate_states.event_at`;
    return result.count === 1;
  }

  async plateState(plate: string) {
    const [row] = await this.#sql`SELECT state, event_at FROM plate_states WHERE plate_number = ${plate}`;
    return row ? { state: String(row.state), eventAt: Number(row.event_at) } : undefined;
  }

  async recordNotice(id: string, kind: string, summary: string) {
    const result = await this.#sql`
      INSERT INTO notices (id, kind, summary, received_at) VALUES (${id}, ${kind}, ${summary}, ${Date.now()})
      ON CONFLICT DO NOTHING`;
    return result.count === 1;
  }

  #noticeStore(): NoticeStore {
    const sql = this.#sql;
    return {
      async claim(id, leaseMs): Promise<NoticeClaim> {
        const now = Date.now();
        // One statement: inserts a claim, or takes over an expired one; a row that is done or held stays.
        const claimed = await sql`
          INSERT INTO notice_replies (id, claimed_until) VALUES (${id}, ${now + leaseMs})
          ON CONFLICT (id) DO UPDATE SET claimed_until = excluded.claimed_until
            WHERE notice_replies.reply_status IS NULL AND notice_replies.claimed_until < ${now}
          RETURNING id`;
        if (claimed.count === 1) return { status: 'claimed' };
        const [row] = await sql`SELECT * FROM notice_replies WHERE id = ${id}`;
        if (row && row.reply_status != null) return { status: 'done', reply: toReply(row) };
        return { status: 'busy' };
      },
      async complete(id, reply) {
        await sql`
          INSERT INTO notice_replies (id, reply_status, reply_body, reply_type)
          VALUES (${id}, ${reply.status}, ${reply.body}, ${reply.contentType ?? null})
          ON CONFLICT (id) DO UPDATE SET claimed_until = NULL, reply_status = excluded.reply_status,
            reply_body = excluded.reply_body, reply_type = excluded.reply_type`;
      },
      async release(id) {
        await sql`DELETE FROM notice_replies WHERE id = ${id} AND reply_status IS NULL`;
      },
    };
  }

  async takeRate(key: string, intervalMs: number, burst: number) {
    const now = Date.now();
    const limit = now + (burst - 1) * intervalMs;
    // GCRA in one statement: the slot is taken only when the theoretical arrival time leaves room.
    const taken = await this.#sql`
      INSERT INTO rate_limits AS r (key, tat) VALUES (${key}, ${now + intervalMs})
      ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, ${now}) + ${intervalMs}
        WHERE GREATEST(r.tat, ${now}) <= ${limit}
      RETURNING tat`;
    if (taken.count === 1) return 0;
    const [row] = await this.#sql`SELECT tat FROM rate_limits WHERE key = ${key}`;
    return Math.max(1, Number(row?.tat ?? now) - limit);
  }

  async holdRate(key: string, until: number, intervalMs: number, burst: number) {
    const tat = until + (burst - 1) * intervalMs;
    await this.#sql`
      INSERT INTO rate_limits AS r (key, tat) VALUES (${key}, ${tat})
      ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, excluded.tat)`;
  }

  async close() {
    await this.#sql.end({ timeout: 5 });
  }
}

async function insertCalls(
  tx: TransactionSql,
  out_serial_number: string,
  calls: readonly NewCall[],
  claim: CallClaim,
): Promise<void> {
  const now = Date.now();
  for (const call of calls) {
    const [before] = call.after
      ? await tx`SELECT id, status FROM calls WHERE out_serial_number = ${out_serial_number} AND route = ${call.after}`
      : [];
    const ready = !before || before.status === 'done';
    await tx`
      INSERT INTO calls (out_serial_number, route, payload, claimed_by, lease_until, next_attempt_at, created_at, after_id)
      VALUES (${out_serial_number}, ${call.route}, ${JSON.stringify(call.payload)}, ${ready ? claim.owner : null},
              ${ready ? now + claim.leaseMs : null}, ${now}, ${now}, ${before ? Number(before.id) : null})
      ON CONFLICT (out_serial_number, route) DO NOTHING`;
  }
}

async function stayIn(sql: Sql | TransactionSql, out_serial_number: string): Promise<Stay | undefined> {
  const [row] = await sql`SELECT * FROM stays WHERE out_serial_number = ${out_serial_number}`;
  return row ? toStay(row) : undefined;
}

async function decide(
  sql: Sql | TransactionSql,
  out_serial_number: string,
  decision: NewGateDecision,
): Promise<boolean> {
  const result = await sql`
    UPDATE stays SET gate_action = ${decision.action}, gate_reason = ${decision.reason},
      trade_state = ${decision.trade_state ?? null}, gate_final = ${decision.final}, decided_at = ${Date.now()}
    WHERE out_serial_number = ${out_serial_number} AND (NOT gate_final OR ${decision.final})`;
  return result.count === 1;
}

async function openStayIn(sql: Sql | TransactionSql, plate_number: string): Promise<Stay | undefined> {
  const [row] = await sql`SELECT * FROM stays WHERE plate_number = ${plate_number} AND exited_at IS NULL`;
  return row ? toStay(row) : undefined;
}

async function callsIn(sql: Sql | TransactionSql, out_serial_number: string): Promise<OutboxCall[]> {
  const rows = await sql`SELECT * FROM calls WHERE out_serial_number = ${out_serial_number} ORDER BY id`;
  return rows.map(toCall);
}
