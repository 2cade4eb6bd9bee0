import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ApiError,
  type QueryOutcome,
  type QueryUntilKnownOptions,
  queryUntilKnown,
  TransportError,
  WxparkError,
} from '@wxpark/core';
import { type ChargeRoute, type Decision, toGateDecision } from './charge.ts';
import type { GateStore, OutboxCall } from './store/types.ts';

/** What a call style needs: `client[route](payload)`, as every wxpark client offers. */
export type RouteCaller = (
  route: string,
  payload: unknown,
) => Promise<{ status: number; data: unknown; headers: Headers; requestId?: string }>;

/** What one remote call ended as. */
export interface CallOutcome {
  route: string;
  status: OutboxCall['status'];
  /** The verified answer, for done calls. */
  data?: unknown;
  /** The key WeChat Pay signed the answer with (v3 `Wechatpay-Serial`). */
  signedBy?: string;
  /** One line naming the cause, for failed and still-pending calls. */
  error?: string;
}

/** Settings of the outbox. */
export interface OutboxOptions {
  /** This instance's name in claims (unique per process). */
  owner: string;
  /**
   * How long a claim lasts: after it, another instance takes the call over. Longer than a call can take.
   * @default 30000
   */
  leaseMs?: number;
  /** @default 500 */
  pollMs?: number;
  /** Calls claimed per poll. @default 16 */
  batch?: number;
  /** Retry delays: `baseMs · 2^attempts`, capped at `maxMs`, with jitter. @default { baseMs: 500, maxMs: 300000 } */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * The merchant's call rate, shared by every instance on the database (WeChat Pay answers 429 /
   * FREQUENCY_LIMITED beyond its own limit).
   */
  rate?: { key: string; perSecond: number; burst?: number };
  /** How long a gate event's own calls may wait for a rate slot before the answer says pending. @default 2000 */
  maxRateWaitMs?: number;
  /**
   * The routes that charge a stay (扣费受理, 申请扣款), by route: after an answer that leaves the outcome
   * unknown, such a call is never sent again before 查询订单 says WeChat Pay has no such order.
   * @default none
   */
  charges?: Readonly<Record<string, ChargeRoute>>;
  /**
   * How long 查询订单 is asked after an unknown outcome, within one attempt (`queryUntilKnown`); keep it well
   * inside `leaseMs`.
   * @default { attempts: 3, delayMs: 1000, maxDelayMs: 4000 }
   */
  query?: QueryUntilKnownOptions;
}

/** Counts since start, for logs and tests. */
export interface OutboxStats {
  attempts: number;
  done: number;
  failed: number;
  retried: number;
  /** Attempts of calls whose body was stored by an earlier attempt (sent again, byte for byte). */
  resends: number;
  /** Answers 429 / FREQUENCY_LIMITED. */
  rateLimited: number;
  /** Charges whose outcome was unknown and was asked with 查询订单 (instead of a resend). */
  queried: number;
}

/** What the wire hook learns about one attempt. */
interface AttemptContext {
  call: OutboxCall;
  store: GateStore;
  /** The body differed from the stored one: the attempt was refused before sending. */
  changed?: boolean;
  retryAfter?: string | null;
  resend?: boolean;
}

const attempts = new AsyncLocalStorage<AttemptContext>();

/**
 * A `fetch` for the client that keeps every outbox call's body fixed: the first attempt stores the exact
 * bytes (XML with its `nonce_str` and `sign`, or JSON) before they leave; a later attempt whose bytes
 * differ is refused, never sent. It also reads `Retry-After`. Calls outside the outbox pass through.
 */
type FetchLike = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

export function createWireFetch(fetchImpl: FetchLike = globalThis.fetch): FetchLike {
  return async (input, init) => {
    const context = attempts.getStore();
    if (!context) return fetchImpl(input, init);
    const request = new Request(input, init);
    if (request.method === 'POST') {
      const body = await request.clone().text();
      const stored = context.call.body ?? (await context.store.saveBody(context.call.id, body));
      context.resend = context.call.body !== undefined;
      if (stored !== body) {
        context.changed = true;
        throw new Error('the request body differs from the one stored for this call: not sent');
      }
    }
    const response = await fetchImpl(request);
    context.retryAfter = response.headers.get('retry-after');
    return response;
  };
}

/** One line for an error: its code and message, and the hint when the SDK has one. Never a stack. */
export function describeError(error: unknown): string {
  if (WxparkError.isInstance(error)) {
    const hint = (error as { hint?: string }).hint;
    return `${error.name} ${error.code}: ${error.message}${hint && !error.message.includes(hint) ? ` (hint: ${hint})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A failure that will not improve by resending the same request. */
function isFinal(error: unknown): boolean {
  if (error instanceof TransportError) return false;
  if (error instanceof ApiError) return !error.isRetryable;
  return WxparkError.isInstance(error);
}

function isRateLimited(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 429 || error.code === 'FREQUENCY_LIMITED' || error.code === 'RATELIMIT_EXCEEDED')
  );
}

function retryAfterMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 300_000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - Date.now()), 300_000);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends the calls the store holds, from any number of instances: each call is claimed (a lease) before it is
 * sent, so one instance sends it at a time; a dead instance's claims are taken over when their lease runs
 * out. Retryable failures back off (honouring `Retry-After`); final ones are recorded with their code.
 */
export class Outbox {
  readonly #store: GateStore;
  readonly #call: RouteCaller;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #batch: number;
  readonly #backoff: { baseMs: number; maxMs: number };
  readonly #rate?: { key: string; intervalMs: number; burst: number };
  readonly #maxRateWaitMs: number;
  readonly #charges: Readonly<Record<string, ChargeRoute>>;
  readonly #query: QueryUntilKnownOptions;
  readonly #inFlight = new Map<number, Promise<CallOutcome>>();
  readonly stats: OutboxStats = {
    attempts: 0,
    done: 0,
    failed: 0,
    retried: 0,
    resends: 0,
    rateLimited: 0,
    queried: 0,
  };
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #polling: Promise<void> | undefined;

  constructor(store: GateStore, call: RouteCaller, options: OutboxOptions) {
    this.#store = store;
    this.#call = call;
    this.#owner = options.owner;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 500;
    this.#batch = options.batch ?? 16;
    this.#backoff = options.backoff ?? { baseMs: 500, maxMs: 300_000 };
    if (options.rate)
      this.#rate = {
        key: options.rate.key,
        intervalMs: Math.max(1, Math.round(1000 / options.rate.perSecond)),
        burst: options.rate.burst ?? Math.max(1, Math.floor(options.rate.perSecond / 2)),
      };
    this.#maxRateWaitMs = options.maxRateWaitMs ?? 2_000;
    this.#charges = options.charges ?? {};
    this.#query = options.query ?? { attempts: 3, delayMs: 1000, maxDelayMs: 4000 };
  }

  get claim() {
    return { owner: this.#owner, leaseMs: this.#leaseMs };
  }

  /** Starts polling for due calls (retries, and calls whose instance died). */
  start(): void {
    this.#stopped = false;
    const tick = () => {
      this.#polling = this.pollOnce()
        .then(() => {})
        .catch(() => {})
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#pollMs);
        });
    };
    tick();
  }

  /** Stops polling and waits for the calls in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#polling;
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** Claims the due calls once and sends them; resolves with their outcomes. */
  async pollOnce(): Promise<CallOutcome[]> {
    const claimed = await this.#store.claimDue(this.claim, this.#batch);
    return Promise.all(claimed.map((call) => this.send(call, Number.POSITIVE_INFINITY)));
  }

  /** Sends a call this instance holds the claim on. A call already in flight here is not doubled. */
  send(call: OutboxCall, maxRateWaitMs = this.#maxRateWaitMs): Promise<CallOutcome> {
    let running = this.#inFlight.get(call.id);
    if (!running) {
      running = this.#attempt(call, maxRateWaitMs).finally(() => this.#inFlight.delete(call.id));
      this.#inFlight.set(call.id, running);
    }
    return running;
  }

  async #waitForRate(maxWaitMs: number): Promise<number> {
    const rate = this.#rate;
    if (!rate) return 0;
    const started = Date.now();
    for (;;) {
      const wait = await this.#store.takeRate(rate.key, rate.intervalMs, rate.burst);
      if (wait === 0) return 0;
      if (Date.now() - started + wait > maxWaitMs) return wait;
      await sleep(wait + Math.random() * rate.intervalMs);
    }
  }

  async #attempt(call: OutboxCall, maxRateWaitMs: number): Promise<CallOutcome> {
    const route = call.route.replace(/#.*$/, '');
    const wait = await this.#waitForRate(maxRateWaitMs);
    if (wait > 0) {
      // No slot soon enough: leave it to the pollers, which wait as long as it takes.
      await this.#store.settle(call.id, this.#owner, {
        status: 'retry',
        error: 'waiting for a rate slot',
        errorCode: 'RATE_WAIT',
        nextAttemptAt: Date.now() + Math.ceil(wait),
      });
      return { route, status: 'pending', error: 'queued behind the merchant rate limit' };
    }
    const charge = this.#charges[route];
    if (charge && call.body !== undefined) {
      // A result notice may have settled the order meanwhile: nothing is left to ask.
      const { gate } = (await this.#store.stay(call.out_serial_number)) ?? {};
      if (gate?.final) {
        await this.#store.settle(call.id, this.#owner, { status: 'done', result: gate });
        this.stats.done++;
        return { route, status: 'done', data: gate };
      }
      // An earlier attempt stored these bytes before sending them, and its outcome is not known: they may
      // have reached WeChat Pay. Ask for the order instead of charging blindly again.
      const known = await this.#queryCharge(call, route, charge);
      if (known) return known;
    }
    const payload = call.after_id === undefined ? call.payload : await this.#withPredecessor(call);
    const context: AttemptContext = { call, store: this.#store };
    this.stats.attempts++;
    try {
      const answer = await attempts.run(context, () => this.#call(route, payload));
      if (context.resend) this.stats.resends++;
      const signedBy = answer.headers.get('wechatpay-serial') ?? undefined;
      const data = answer.status === 204 ? null : answer.data;
      if (charge) {
        const decision = charge.decide(answer);
        await this.#decide(call, decision);
        // Accepted, not yet decided (申请扣款 without advance funding): ask for the result later.
        if (decision.action === 'query-again') return this.#awaitResult(call, route, decision);
      }
      await this.#store.settle(call.id, this.#owner, {
        status: 'done',
        result: data,
        ...(answer.requestId ? { requestId: answer.requestId } : {}),
      });
      this.stats.done++;
      return { route, status: 'done', data, ...(signedBy ? { signedBy } : {}) };
    } catch (error) {
      if (context.resend) this.stats.resends++;
      const line = describeError(error);
      const requestId = error instanceof ApiError ? error.requestId : undefined;
      const code = context.changed ? 'BODY_CHANGED' : WxparkError.isInstance(error) ? error.code : 'INTERNAL';
      if (charge && !context.changed) {
        const decision = charge.decide(error);
        if (decision.action === 'query-again') {
          // The charge may have arrived (a timeout, a dropped connection, SYSTEMERROR, an unverified
          // answer): sending it again would not say what became of the first. Query the order instead.
          const known = await this.#queryCharge(call, route, charge);
          if (known) return known;
          return this.#retry(call, route, error, 'the charge never arrived: it is sent again next');
        }
        // A verified refusal: WeChat Pay took no order, and the same request would be refused again.
        await this.#decide(call, decision);
      }
      if (context.changed || isFinal(error) || !WxparkError.isInstance(error) || charge) {
        await this.#store.settle(call.id, this.#owner, {
          status: 'failed',
          error: line,
          errorCode: code,
          ...(requestId ? { requestId } : {}),
        });
        this.stats.failed++;
        return { route, status: 'failed', error: line };
      }
      let delay = this.#backoffMs(call);
      if (isRateLimited(error)) {
        this.stats.rateLimited++;
        const after = retryAfterMs(context.retryAfter) ?? 1000;
        delay = Math.max(delay, after);
        if (this.#rate)
          await this.#store.holdRate(
            this.#rate.key,
            Date.now() + after,
            this.#rate.intervalMs,
            this.#rate.burst,
          );
      }
      await this.#store.settle(call.id, this.#owner, {
        status: 'retry',
        error: line,
        errorCode: code,
        nextAttemptAt: Date.now() + Math.ceil(delay),
        ...(requestId ? { requestId } : {}),
      });
      this.stats.retried++;
      return { route, status: 'pending', error: line };
    }
  }

  /** The wait before a call's next attempt: `baseMs · 2^attempts`, capped at `maxMs`, jittered. */
  #backoffMs(call: OutboxCall): number {
    const delay = Math.min(this.#backoff.baseMs * 2 ** call.attempts, this.#backoff.maxMs);
    return delay / 2 + Math.random() * (delay / 2);
  }

  /** Records the stay's gate decision, as the SDK's helper gave it. */
  async #decide(call: OutboxCall, decision: Decision): Promise<void> {
    await this.#store.recordDecision(call.out_serial_number, toGateDecision(decision));
  }

  /**
   * Keeps a charge whose order is still moving (ACCEPT, USERPAYING) pending: its next attempt queries the
   * order again (its body is stored), unless a result notice has decided the stay by then.
   */
  async #awaitResult(call: OutboxCall, route: string, decision: Decision): Promise<CallOutcome> {
    await this.#store.settle(call.id, this.#owner, {
      status: 'retry',
      error: decision.reason,
      errorCode: 'AWAITING_RESULT',
      nextAttemptAt: Date.now() + Math.ceil(this.#backoffMs(call)),
    });
    return { route, status: 'pending', error: decision.reason };
  }

  /** Schedules the next attempt of a charge with the usual backoff. */
  async #retry(call: OutboxCall, route: string, error: unknown, note: string): Promise<CallOutcome> {
    const line = `${describeError(error)} (${note})`;
    await this.#store.settle(call.id, this.#owner, {
      status: 'retry',
      error: line,
      errorCode: WxparkError.isInstance(error) ? error.code : 'INTERNAL',
      nextAttemptAt: Date.now() + Math.ceil(this.#backoffMs(call)),
    });
    this.stats.retried++;
    return { route, status: 'pending', error: line };
  }

  /**
   * Asks 查询订单 by out_trade_no (`queryUntilKnown`) what became of a charge whose outcome is unknown, and
   * settles the call on what it learns: the order found (done, decided on its trade_state), still unknown
   * (retried later, querying first again), or a query WeChat refuses (failed, for an operator). Resolves
   * with undefined when WeChat Pay has no such order: only then may the same charge be sent again.
   */
  async #queryCharge(call: OutboxCall, route: string, charge: ChargeRoute): Promise<CallOutcome | undefined> {
    const query = charge.query(call.payload);
    this.stats.queried++;
    let known: QueryOutcome<Awaited<ReturnType<RouteCaller>>>;
    try {
      known = await queryUntilKnown(() => this.#call(query.route, query.payload), this.#query);
    } catch (error) {
      // A verified refusal of the query itself (NOAUTH, PARAM_ERROR): asking again cannot change it.
      const line = `查询订单 refused: ${describeError(error)}`;
      await this.#decide(call, { action: 'query-again', reason: `${line}; the charge's outcome is unknown` });
      await this.#store.settle(call.id, this.#owner, {
        status: 'failed',
        error: line,
        errorCode: WxparkError.isInstance(error) ? error.code : 'INTERNAL',
      });
      this.stats.failed++;
      return { route, status: 'failed', error: line };
    }
    const decision = charge.decide(known);
    if (known.outcome === 'found') {
      await this.#decide(call, decision);
      if (decision.action === 'query-again') return this.#awaitResult(call, route, decision);
      const order = known.data.data;
      await this.#store.settle(call.id, this.#owner, {
        status: 'done',
        result: order,
        ...(known.data.requestId ? { requestId: known.data.requestId } : {}),
      });
      this.stats.done++;
      return { route, status: 'done', data: order };
    }
    if (known.outcome === 'unknown') {
      await this.#decide(call, decision);
      return this.#retry(
        call,
        route,
        known.error,
        'outcome unknown after 查询订单: asked again before any resend',
      );
    }
    // WeChat Pay says, in a verified answer, that it has no such order: the charge never arrived, so the
    // same bytes (same out_trade_no, same amount) can be sent without any risk of a second deduction; and
    // were it to arrive twice after all, one out_trade_no is one payment on WeChat's side.
    await this.#decide(call, {
      action: 'query-again',
      reason:
        'WeChat Pay has no such order: the charge never arrived and is sent again with the same out_trade_no',
    });
    return undefined;
  }

  /** The call's data with each `{ $after: field }` replaced by that field of its predecessor's answer. */
  async #withPredecessor(call: OutboxCall): Promise<unknown> {
    if (!JSON.stringify(call.payload).includes('"$after"')) return call.payload;
    const before = (await this.#store.callsOf(call.out_serial_number)).find((c) => c.id === call.after_id);
    const answer = (before?.result ?? {}) as Record<string, unknown>;
    const fill = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(fill);
      if (typeof value !== 'object' || value === null) return value;
      const field = (value as { $after?: unknown }).$after;
      if (typeof field === 'string' && Object.keys(value).length === 1) return answer[field];
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fill(inner)]));
    };
    return fill(call.payload);
  }
}
