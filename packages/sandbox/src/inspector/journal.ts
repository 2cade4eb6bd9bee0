import type { Why } from '../http/reply.ts';

/** A request the sandbox answered on an API path, as the inspector shows it (secrets masked). */
export interface InspectedRequest {
  kind: 'request';
  id: number;
  /** Arrival, milliseconds since the epoch. */
  at: number;
  method: string;
  /** Path and query as received. */
  path: string;
  protocol: 'v2' | 'v3' | 'other';
  /** The merchant the request named, verified or not. */
  merchant?: string;
  outcome: 'accepted' | 'refused';
  why?: Why;
  /** Request headers, `Authorization` reduced to its scheme, mchid, serial_no, timestamp and nonce. */
  headers: Record<string, string>;
  /** The body as text, cut at a few KiB, an APIv2 `sign` masked. */
  body: string;
  answer: {
    /** HTTP status, or `dropped` when a hostile mode destroyed the socket. */
    status: number | 'dropped';
    /** The log summary (`SUCCESS`, `FAIL PARAM_ERROR …`, `SIGN_ERROR …`) and hostile marks. */
    note: string;
    headers: Record<string, string>;
    body: string;
    /** The hostile mode that spoiled this answer, if one did. */
    hostile?: string;
  };
  ms: number;
}

/** One try at delivering a notice. */
export interface NoticeAttempt {
  at: number;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** The receiver's answer body, cut at a few KiB. */
  body?: string;
  /** Why it did not reach the receiver. */
  error?: string;
  ms: number;
}

/** A notice (callback) the sandbox sent, updated as its attempts come back. */
export interface InspectedNotice {
  kind: 'notice';
  id: number;
  at: number;
  /** `车牌状态变更通知`, `扣费结果通知`, or the APIv3 event_type (`TRANSACTION.SUCCESS` …). */
  event: string;
  protocol: 'v2' | 'v3';
  url: string;
  merchant: string;
  /** The headers sent, `Wechatpay-Signature` hidden. */
  headers: Record<string, string>;
  /** The body sent (APIv3: the envelope, the resource encrypted; APIv2: the XML, `sign` masked). */
  body: string;
  /** The APIv3 resource before encryption, so a person can read what was sent. */
  plaintext?: string;
  hostile?: string;
  attempts: NoticeAttempt[];
  /** `pending` while attempts remain, then whether the receiver acknowledged it. */
  status: 'pending' | 'acknowledged' | 'not acknowledged';
}

export type JournalEntry = InspectedRequest | InspectedNotice;

type EntryInput<T extends JournalEntry> = Omit<T, 'id'>;

/**
 * What the inspector shows: the last `capacity` requests and notices, oldest first, in a ring buffer so a
 * sandbox left running does not grow. Subscribers (the page's event streams) hear each new or updated entry.
 */
export interface Journal {
  readonly capacity: number;
  entries(): JournalEntry[];
  addRequest(entry: EntryInput<InspectedRequest>): InspectedRequest;
  addNotice(entry: EntryInput<InspectedNotice>): InspectedNotice;
  /** Announces a change to an entry already added (a notice's attempts). */
  updated(entry: JournalEntry): void;
  /** Announces a change of state no entry records (an admin action: a hostile mode armed, a rotation). */
  stateChanged(): void;
  clear(): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: JournalEvent) => void): () => void;
  readonly subscribers: number;
}

export type JournalEvent = { type: 'entry'; entry: JournalEntry } | { type: 'clear' } | { type: 'state' };

export function createJournal(capacity = 500): Journal {
  const ring: (JournalEntry | undefined)[] = new Array(capacity);
  let next = 0;
  let count = 0;
  let lastId = 0;
  const listeners = new Set<(event: JournalEvent) => void>();
  const emit = (event: JournalEvent) => {
    for (const listener of listeners) listener(event);
  };
  const add = <T extends JournalEntry>(input: Omit<T, 'id'>): T => {
    const entry = { ...input, id: ++lastId } as T;
    ring[next] = entry;
    next = (next + 1) % capacity;
    count = Math.min(count + 1, capacity);
    emit({ type: 'entry', entry });
    return entry;
  };
  return {
    capacity,
    entries() {
      const out: JournalEntry[] = [];
      for (let i = 0; i < count; i++) out.push(ring[(next - count + i + capacity) % capacity]!);
      return out;
    },
    addRequest: (entry) => add<InspectedRequest>(entry),
    addNotice: (entry) => add<InspectedNotice>(entry),
    updated(entry) {
      emit({ type: 'entry', entry });
    },
    stateChanged() {
      emit({ type: 'state' });
    },
    clear() {
      ring.fill(undefined);
      next = 0;
      count = 0;
      emit({ type: 'clear' });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get subscribers() {
      return listeners.size;
    },
  };
}
