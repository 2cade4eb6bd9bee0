import type { NoticeStore } from '@wxpark/core';

/** One vehicle stay: from entry to exit, under one out_serial_number. */
export interface Stay {
  out_serial_number: string;
  plate_number: string;
  plate_color: string;
  openid?: string;
  entered_at: number;
  exited_at?: number;
  /** The exit gate's decision on the stay's charge, once the exit was recorded with charging on. */
  gate?: GateDecision;
}

/** What the exit gate does with the car, and why (from `decideRelease` / `decidePayApplyRelease`). */
export interface GateDecision {
  action: 'release' | 'hold' | 'query-again';
  reason: string;
  /** The order's trade_state when one was known. */
  trade_state?: string;
  /** True once the decision no longer changes (the order reached SUCCESS, PAY_FAIL, …, or no order exists). */
  final: boolean;
  /** When the decision was last changed (ms). */
  decided_at: number;
}

/** A decision as the gateway hands it to the store. */
export interface NewGateDecision {
  action: GateDecision['action'];
  reason: string;
  trade_state?: string;
  /**
   * The order reached a state that no longer changes at the gate (SUCCESS, PAY_FAIL, …): a later decision
   * that is not final (an ACCEPTED answer read after the SUCCESS notice) does not replace it.
   */
  final: boolean;
}

/** What an exit records: its calls and, with charging on, the gate's first decision. */
export interface ExitPlan {
  calls: readonly NewCall[];
  decision?: NewGateDecision;
}

/** A call a gate event owes WeChat Pay, as handed to the store. */
export interface NewCall {
  /** The client route, e.g. `v3/parking/reminders/entry` (`#OUT` marks an exit's mall sync). */
  route: string;
  /** The call's data, fixed when the event was recorded (APIv2 data carries its `nonce_str`). */
  payload: unknown;
  /**
   * The route of the same stay's call that WeChat must have answered first (an exit after its entry): this
   * call is not sent before that one is done.
   */
  after?: string;
}

/** A remote call the gateway owes WeChat Pay, written before it is sent. */
export interface OutboxCall {
  id: number;
  /** 商户停车单号 of the stay; the same on every resend, so WeChat sees one stay however often we retry. */
  out_serial_number: string;
  route: string;
  payload: unknown;
  /** The request body exactly as first sent (XML or JSON); every later attempt must send these bytes. */
  body?: string;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  /** Times an instance took this call over from one whose lease had run out. */
  takeovers: number;
  result?: unknown;
  error?: string;
  /** The error's code (`FREQUENCY_LIMITED`, `UNREACHABLE`, …) for failed and retried calls. */
  error_code?: string;
  /** WeChat Pay's `Request-ID` of the last answer, worth quoting to its support. */
  request_id?: string;
  created_at: number;
  answered_at?: number;
  next_attempt_at: number;
  /** The instance holding the call, while one does. */
  claimed_by?: string;
  /** The call that must be done before this one is sent. */
  after_id?: number;
}

/** A claim on calls: who holds them, and until when. */
export interface CallClaim {
  /** The instance claiming (unique per process). */
  owner: string;
  /** Milliseconds the claim lasts; another instance may take the call over after that. */
  leaseMs: number;
}

/** How one attempt at a call ended. */
export type CallSettlement =
  | { status: 'done'; result: unknown; requestId?: string }
  | { status: 'retry'; error: string; errorCode: string; requestId?: string; nextAttemptAt: number }
  | { status: 'failed'; error: string; errorCode: string; requestId?: string };

/**
 * The gateway's durable state: stays, the outbox of calls and the record of processed notices. Two engines
 * implement it with the same semantics: SQLite for one instance, PostgreSQL for a fleet.
 */
export interface GateStore {
  readonly engine: 'sqlite' | 'postgres';
  /**
   * Records a stay and the calls it owes, in one transaction, claimed by `claim` so they are sent at once
   * (a call whose predecessor is not done yet is left unclaimed).
   * When the plate already has an open stay (one per plate, a database constraint), nothing is written and
   * that stay is returned with `created: false` and its calls.
   */
  recordEntry(
    stay: Stay,
    calls: readonly NewCall[],
    claim: CallClaim,
  ): Promise<{ created: boolean; stay: Stay; calls: OutboxCall[] }>;
  /**
   * Closes the plate's open stay and records what `callsFor` derives from it and its calls so far (the
   * calls, and the gate decision when it gives one), in one transaction.
   */
  recordExit(
    plate_number: string,
    exited_at: number,
    callsFor: (stay: Stay, calls: readonly OutboxCall[]) => readonly NewCall[] | ExitPlan,
    claim: CallClaim,
  ): Promise<{ stay: Stay; calls: OutboxCall[] } | undefined>;
  openStay(plate_number: string): Promise<Stay | undefined>;
  /** A stay by its out_serial_number, open or closed, with its gate decision. */
  stay(out_serial_number: string): Promise<Stay | undefined>;
  /**
   * Records the gate decision of a stay, unless it holds a final one and this one is not final (answers and
   * notices of one order can arrive in any order). True when stored.
   */
  recordDecision(out_serial_number: string, decision: NewGateDecision): Promise<boolean>;
  /** Plates with more than one open stay (always none: the check of a test). */
  platesWithSeveralOpenStays(): Promise<string[]>;
  /**
   * Claims up to `limit` pending calls that are due and not held by a live claim, oldest first. A call
   * whose claim expired is taken over (its `takeovers` grows).
   */
  claimDue(claim: CallClaim, limit: number): Promise<OutboxCall[]>;
  /** Stores the exact body of a call's first attempt (once: a stored body is never replaced). */
  saveBody(id: number, body: string): Promise<string>;
  /** Settles an attempt; false when the claim was lost (another instance holds the call now). */
  settle(id: number, owner: string, settlement: CallSettlement): Promise<boolean>;
  listCalls(filter?: { status?: OutboxCall['status'] }): Promise<OutboxCall[]>;
  callsOf(out_serial_number: string): Promise<OutboxCall[]>;
  /** Puts failed calls (all, or those in `ids`) back to pending; resolves with how many. */
  retryFailed(ids?: readonly number[]): Promise<number>;
  /** Records a verified notice once by id; false when it was recorded before. */
  recordNotice(id: string, kind: string, summary: string): Promise<boolean>;
  /**
   * Keeps each plate's latest 车牌状态变更通知 state: stores `state` unless the plate already holds one with a
   * later (or the same) event time, since these notices can arrive out of order. True when stored.
   */
  recordPlateState(plate: string, state: string, eventAt: number): Promise<boolean>;
  /** The latest state held for a plate, and its event time (ms). */
  plateState(plate: string): Promise<{ state: string; eventAt: number } | undefined>;
  /** The processed-notice record the SDK's notice handlers deduplicate by, shared by every instance. */
  readonly notices: NoticeStore;
  /**
   * A shared rate limit (GCRA): takes one slot of `key` if one is free now and resolves with 0, or leaves
   * the slots alone and resolves with the milliseconds to wait.
   */
  takeRate(key: string, intervalMs: number, burst: number): Promise<number>;
  /** Holds `key` closed until `until` (a `Retry-After` from WeChat Pay). */
  holdRate(key: string, until: number, intervalMs: number, burst: number): Promise<void>;
  close(): Promise<void>;
}
