import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** A remote call the gateway owes WeChat Pay, written before it is sent. */
export interface OutboxCall {
  id: number;
  /** 商户停车单号 of the stay; the same on every resend, so WeChat sees one stay however often we retry. */
  out_serial_number: string;
  /** The client route, e.g. `v3/parking/reminders/entry`. */
  route: string;
  /** The request body exactly as it will be sent (JSON), fixed when the gate event was recorded. */
  payload: unknown;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  result?: unknown;
  error?: string;
}

/** One vehicle stay: from entry to exit, under one out_serial_number. */
export interface Stay {
  out_serial_number: string;
  plate_number: string;
  plate_color: string;
  openid?: string;
  entered_at: number;
  exited_at?: number;
}

interface CallRow {
  id: number;
  out_serial_number: string;
  route: string;
  payload: string;
  status: OutboxCall['status'];
  attempts: number;
  result: string | null;
  error: string | null;
}

function toCall(row: CallRow): OutboxCall {
  return {
    id: row.id,
    out_serial_number: row.out_serial_number,
    route: row.route,
    payload: JSON.parse(row.payload),
    status: row.status,
    attempts: row.attempts,
    ...(row.result === null ? {} : { result: JSON.parse(row.result) }),
    ...(row.error === null ? {} : { error: row.error }),
  };
}

/**
 * The gateway's durable state on embedded SQLite (node:sqlite). Every statement is prepared once; WAL and
 * `synchronous = FULL` make a committed gate event survive a `kill -9` or a power cut.
 */
export class GateStore {
  readonly #db: DatabaseSync;
  readonly #insertStay: StatementSync;
  readonly #closeStay: StatementSync;
  readonly #openStay: StatementSync;
  readonly #insertCall: StatementSync;
  readonly #pending: StatementSync;
  readonly #callsOf: StatementSync;
  readonly #allCalls: StatementSync;
  readonly #markDone: StatementSync;
  readonly #markFailed: StatementSync;
  readonly #markAttempt: StatementSync;
  readonly #insertNotice: StatementSync;

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS stays (
        out_serial_number TEXT PRIMARY KEY,
        plate_number TEXT NOT NULL,
        plate_color TEXT NOT NULL,
        openid TEXT,
        entered_at INTEGER NOT NULL,
        exited_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS stays_open ON stays (plate_number) WHERE exited_at IS NULL;
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
      );
    `);
    this.#insertStay = this.#db.prepare(
      'INSERT INTO stays (out_serial_number, plate_number, plate_color, openid, entered_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#closeStay = this.#db.prepare(
      'UPDATE stays SET exited_at = ? WHERE out_serial_number = ? AND exited_at IS NULL',
    );
    this.#openStay = this.#db.prepare(
      'SELECT * FROM stays WHERE plate_number = ? AND exited_at IS NULL ORDER BY entered_at DESC LIMIT 1',
    );
    this.#insertCall = this.#db.prepare(
      'INSERT OR IGNORE INTO calls (out_serial_number, route, payload) VALUES (?, ?, ?)',
    );
    this.#pending = this.#db.prepare("SELECT * FROM calls WHERE status = 'pending' ORDER BY id");
    this.#callsOf = this.#db.prepare('SELECT * FROM calls WHERE out_serial_number = ? ORDER BY id');
    this.#allCalls = this.#db.prepare('SELECT * FROM calls ORDER BY id');
    this.#markDone = this.#db.prepare(
      "UPDATE calls SET status = 'done', attempts = attempts + 1, result = ?, error = NULL WHERE id = ?",
    );
    this.#markFailed = this.#db.prepare(
      "UPDATE calls SET status = 'failed', attempts = attempts + 1, error = ? WHERE id = ?",
    );
    this.#markAttempt = this.#db.prepare('UPDATE calls SET attempts = attempts + 1, error = ? WHERE id = ?');
    this.#insertNotice = this.#db.prepare(
      'INSERT OR IGNORE INTO notices (id, kind, summary, received_at) VALUES (?, ?, ?, ?)',
    );
  }

  /** Records a stay and the calls it owes, in one transaction: all of it is durable, or none. */
  recordEntry(stay: Stay, calls: readonly { route: string; payload: unknown }[]): OutboxCall[] {
    return this.#transaction(() => {
      this.#insertStay.run(
        stay.out_serial_number,
        stay.plate_number,
        stay.plate_color,
        stay.openid ?? null,
        stay.entered_at,
      );
      for (const call of calls)
        this.#insertCall.run(stay.out_serial_number, call.route, JSON.stringify(call.payload));
      return this.callsOf(stay.out_serial_number);
    });
  }

  /** Closes a stay and records the exit calls, in one transaction. */
  recordExit(
    out_serial_number: string,
    exited_at: number,
    calls: readonly { route: string; payload: unknown }[],
  ): OutboxCall[] {
    return this.#transaction(() => {
      this.#closeStay.run(exited_at, out_serial_number);
      for (const call of calls)
        this.#insertCall.run(out_serial_number, call.route, JSON.stringify(call.payload));
      return this.callsOf(out_serial_number).filter((call) => calls.some((c) => c.route === call.route));
    });
  }

  /** The stay a plate is in, if it has entered and not left. */
  openStay(plate_number: string): Stay | undefined {
    const row = this.#openStay.get(plate_number) as Record<string, unknown> | undefined;
    if (!row) return undefined;
    return {
      out_serial_number: String(row.out_serial_number),
      plate_number: String(row.plate_number),
      plate_color: String(row.plate_color),
      ...(row.openid == null ? {} : { openid: String(row.openid) }),
      entered_at: Number(row.entered_at),
    };
  }

  pendingCalls(): OutboxCall[] {
    return (this.#pending.all() as unknown as CallRow[]).map(toCall);
  }

  callsOf(out_serial_number: string): OutboxCall[] {
    return (this.#callsOf.all(out_serial_number) as unknown as CallRow[]).map(toCall);
  }

  allCalls(): OutboxCall[] {
    return (this.#allCalls.all() as unknown as CallRow[]).map(toCall);
  }

  markDone(id: number, result: unknown): void {
    this.#markDone.run(JSON.stringify(result ?? null), id);
  }

  /** A final refusal (bad data, no authorisation): resending would only repeat it. */
  markFailed(id: number, error: string): void {
    this.#markFailed.run(error, id);
  }

  /** A failure worth retrying later (network, 5xx, 429): the call stays pending. */
  markAttempt(id: number, error: string): void {
    this.#markAttempt.run(error, id);
  }

  /**
   * Records a verified callback as processed; false when this id was recorded before (WeChat delivers at
   * least once). Recording is the processing here, so a crash leaves the notice either done or unacknowledged.
   */
  recordNotice(id: string, kind: string, summary: string): boolean {
    return this.#insertNotice.run(id, kind, summary, Date.now()).changes === 1;
  }

  close(): void {
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
