/** The reply a processed notice got, kept so that a repeated delivery gets the same reply. */
export interface StoredNoticeReply {
  /** HTTP status the first delivery was answered with (200 or 204 for a processed notice). */
  readonly status: number;
  /** The reply body exactly as sent ('' for none). */
  readonly body: string;
  /** The reply's content type, when it had a body. */
  readonly contentType?: string;
}

/** What {@link NoticeStore.claim} found. */
export type NoticeClaim =
  /** Nobody has processed this id and nobody holds it: process it, then `complete` or `release`. */
  | { readonly status: 'claimed' }
  /** Processed before: answer with the reply it got then, without processing it again. */
  | { readonly status: 'done'; readonly reply: StoredNoticeReply }
  /** Another process holds an unexpired claim on it: answer so that WeChat delivers it again later. */
  | { readonly status: 'busy' };

/**
 * The record of processed notices that the notice handlers deduplicate by. The default keeps it in memory
 * for one process; a deployment of several instances shares one (a database table with a unique key on the
 * id), so a notice delivered to two instances at once is processed once.
 *
 * Ids are the notice's own (`id` for APIv3, the handler's derived id for APIv2), prefixed by the handler.
 */
export interface NoticeStore {
  /**
   * Claims `id` for `leaseMs` milliseconds. A claim that is neither completed nor released within its lease
   * (its process died) may be claimed again.
   */
  claim(id: string, leaseMs: number): Promise<NoticeClaim>;
  /** Records the reply of a processed notice; later claims of `id` find it `done`. */
  complete(id: string, reply: StoredNoticeReply): Promise<void>;
  /** Drops a claim whose processing failed, so that WeChat's next delivery processes it again. */
  release(id: string): Promise<void>;
}

/** Settings for {@link createMemoryNoticeStore}. */
export interface MemoryNoticeStoreOptions {
  /**
   * How many processed ids to remember; the oldest is forgotten first.
   * @default 10000
   */
  maxEntries?: number;
}

type MemoryEntry = { readonly reply: StoredNoticeReply } | { readonly claimedUntil: number };

/**
 * A {@link NoticeStore} in this process's memory, bounded to `maxEntries` processed ids. Enough for one
 * instance; several instances need a shared store.
 *
 * @example
 * ```ts
 * const store = createMemoryNoticeStore({ maxEntries: 50_000 });
 * ```
 */
export function createMemoryNoticeStore(options: MemoryNoticeStoreOptions = {}): NoticeStore {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, MemoryEntry>();
  return {
    async claim(id, leaseMs) {
      const entry = entries.get(id);
      if (entry && 'reply' in entry) return { status: 'done', reply: entry.reply };
      if (entry && entry.claimedUntil > Date.now()) return { status: 'busy' };
      entries.set(id, { claimedUntil: Date.now() + leaseMs });
      return { status: 'claimed' };
    },
    async complete(id, reply) {
      entries.delete(id);
      if (maxEntries <= 0) return;
      entries.set(id, { reply });
      // Map iteration follows insertion order, so the first key is the oldest.
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    async release(id) {
      const entry = entries.get(id);
      if (entry && !('reply' in entry)) entries.delete(id);
    },
  };
}
