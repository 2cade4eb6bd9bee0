import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { businesscircle, createMallNoticeHandler } from '@wxpark/businesscircle';
import {
  createClient,
  describeValue,
  getNoticeKeys,
  integer,
  isRfc3339,
  object,
  oneOf,
  optional,
  readRawBody,
  runSchema,
  string,
  ValidationError,
  WxparkError,
} from '@wxpark/core';
import {
  createParkingNoticeHandler,
  decideRelease,
  parkingV3,
  plateColors,
  vehicleTypes,
} from '@wxpark/parking-v3';
import { createV2NoticeHandler, decidePayApplyRelease, vehicleV2 } from '@wxpark/vehicle-v2';
import { chargeRoutesOf, toGateDecision } from './charge.ts';
import type { GatewayConfig } from './config.ts';
import { type GateEvent, Gateway } from './gateway.ts';
import { createWireFetch, describeError, Outbox, type OutboxOptions, type RouteCaller } from './outbox.ts';
import type { GateStore } from './store/types.ts';

const text = (maxLength: number, pattern: RegExp, patternName: string) =>
  string({ maxLength, pattern, patternName });
// Printable text only: a control character would be refused by WeChat's XML, after the event was recorded.
const printable = /^[^\p{Cc}\p{Cs}]+$/u;
const gateEvent = object({
  plate_number: text(16, /^[\p{Script=Han}A-Z0-9]+$/u, 'Chinese characters, capital letters and digits'),
  plate_color: oneOf(plateColors),
  vehicle_type: oneOf(vehicleTypes),
  car_type: optional(text(32, /^[A-Z_]+$/, 'capital letters and _ (PLATE_TYPE_TEMPORARY, …)')),
  time: optional(string({ maxLength: 40 })),
  entrance_number: optional(text(32, printable, 'printable text')),
  entrance_name: optional(text(64, printable, 'printable text')),
  openid: optional(text(128, /^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -')),
  // Fen; up to a million yuan, far above any parking fee.
  fee: optional(integer({ min: 0, max: 100_000_000 })),
});

/** How far a gate event's time may lie from now: a backlog after an outage, never the future. */
const maxAgeMs = 30 * 24 * 3600_000;
const maxAheadMs = 5 * 60_000;

/** A running gateway: its HTTP server (gate, operator and callback routes), the client and the outbox. */
export interface GatewayApp {
  readonly url: string;
  readonly gateway: Gateway;
  readonly outbox: Outbox;
  close(): Promise<void>;
}

/** Settings of one gateway instance. */
export interface GatewayAppOptions {
  /** HTTP port; 0 picks a free one. */
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Verified callbacks as they were recorded, for the log. */
  onNotice?: (kind: string, id: string, summary: string, fresh: boolean) => void;
  /** The outbox's settings; `owner` defaults to a random instance name. */
  outbox?: Partial<OutboxOptions>;
  /** Poll for due calls (retries, takeovers). @default true */
  poll?: boolean;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** The first of `names` that is present and not empty: WeChat's APIv2 signature skips empty values. */
function firstFilled(fields: Readonly<Record<string, string | undefined>>, ...names: string[]): string {
  for (const name of names) {
    const value = fields[name];
    if (value !== undefined && value !== '') return value;
  }
  return '';
}

/**
 * The dedup id of an APIv2 notice (they carry none), from present, non-empty fields only: an empty element
 * added to a genuine body still verifies, and must not make the same notice look new.
 */
export function v2NoticeId(fields: Readonly<Record<string, string | undefined>>): {
  id: string;
  kind: string;
} {
  const order = firstFilled(fields, 'out_trade_no');
  if (order !== '')
    return {
      kind: 'pay-result',
      id: `v2:pay:${order}:${firstFilled(fields, 'transaction_id')}:${firstFilled(fields, 'trade_state', 'result_code')}`,
    };
  return {
    kind: 'plate-state',
    id: `v2:plate:${firstFilled(fields, 'plate_number')}:${firstFilled(fields, 'vehicle_event_type')}:${firstFilled(fields, 'vehicle_event_createtime')}`,
  };
}

async function readGateEvent(request: IncomingMessage): Promise<GateEvent> {
  const raw = new TextDecoder().decode(await readRawBody(request, 16_384));
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ValidationError({
      issues: [{ path: 'body', expected: 'a JSON object', received: 'invalid JSON' }],
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ValidationError({
      issues: [{ path: 'body', expected: 'a JSON object', received: describeValue(parsed) }],
    });
  const checked = runSchema(gateEvent, parsed);
  if (!checked.ok) throw new ValidationError({ context: 'gate event', issues: checked.issues });
  const { time, ...rest } = checked.value as Omit<GateEvent, 'time'> & { time?: string };
  if (time === undefined) return rest;
  // RFC 3339 with a four-digit year: Date alone accepts `+275760-09-13T00:00:00Z`, which no API can carry.
  const at = isRfc3339(time) ? new Date(time) : undefined;
  const now = Date.now();
  if (!at || Number.isNaN(at.getTime()))
    throw new ValidationError({
      context: 'gate event',
      issues: [
        {
          path: 'time',
          expected: 'an RFC 3339 time (2026-11-30T08:00:00+08:00)',
          received: describeValue(time),
        },
      ],
    });
  if (at.getTime() < now - maxAgeMs || at.getTime() > now + maxAheadMs)
    throw new ValidationError({
      context: 'gate event',
      issues: [
        { path: 'time', expected: 'a time within the last 30 days, not in the future', received: time },
      ],
    });
  return { ...rest, time: at };
}

async function readOperatorIds(request: IncomingMessage): Promise<number[] | undefined> {
  const raw = new TextDecoder().decode(await readRawBody(request, 16_384)).trim();
  if (raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const ids = (parsed as { ids?: unknown } | undefined)?.ids;
  if (ids === undefined && parsed !== undefined && typeof parsed === 'object') return undefined;
  if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id) && id > 0))
    throw new ValidationError({
      context: 'retry',
      issues: [
        { path: 'ids', expected: 'an array of call ids (positive integers)', received: describeValue(ids) },
      ],
    });
  return ids as number[];
}

/** Starts the gateway's HTTP server with a client composed of the packages it needs, and its outbox. */
export async function startGateway(
  config: GatewayConfig,
  store: GateStore,
  options: GatewayAppOptions,
): Promise<GatewayApp> {
  // Compose only what this lot sends: a client insists on credentials for every package it is given.
  const { v2, v3, mall, scoreParking } = config.targets;
  const packages = [
    ...(v2 ? [vehicleV2] : []),
    ...(v3 || scoreParking ? [parkingV3] : []),
    ...(mall ? [businesscircle] : []),
  ];
  const client = createClient({ ...config.client, fetch: createWireFetch(config.client.fetch) }, packages);
  const byKey = client as unknown as Record<string, (data: unknown) => ReturnType<RouteCaller>>;
  const call: RouteCaller = (route, payload) => byKey[route]!(payload);
  const outbox = new Outbox(store, call, {
    owner: `gw-${process.pid}-${randomBytes(4).toString('hex')}`,
    ...(config.rate
      ? { rate: { key: `merchant:${config.client.mchId ?? v2?.mch_id}`, ...config.rate } }
      : {}),
    charges: chargeRoutesOf(config.targets),
    ...options.outbox,
  });
  const gateway = new Gateway(store, outbox, config.targets);

  const record = async (kind: string, id: string, summary: string) => {
    const fresh = await store.recordNotice(id, kind, summary);
    options.onNotice?.(kind, id, summary, fresh);
  };
  const v2Notices = config.client.v2
    ? createV2NoticeHandler({
        apiKey: config.client.v2.apiKey,
        store: store.notices,
        // A notice claimed by an instance that died is processed by another after this.
        leaseMs: options.outbox?.leaseMs ?? 30_000,
        async onNotice(notice) {
          const f = notice.fields as Readonly<Record<string, string | undefined>>;
          const { id, kind } = v2NoticeId(f);
          const subject =
            kind === 'pay-result' ? firstFilled(f, 'out_trade_no') : firstFilled(f, 'plate_number');
          const state = firstFilled(f, 'vehicle_event_type', 'trade_state');
          await record(kind, id, `${subject} ${state}`.trim());
          // Plate-state notices can arrive out of order: a plate keeps the state with the latest event time.
          if (notice.kind === 'plate-state' && notice.eventTime && subject !== '' && state !== '') {
            await store.recordPlateState(subject, state, notice.eventTime.getTime());
          }
          // 扣费结果通知 of a stay's 申请扣款 (its out_trade_no is the stay's out_serial_number).
          if (notice.kind === 'pay-result' && subject !== '') {
            const decision = decidePayApplyRelease(notice.fields, {
              advanceFunding: config.targets.charge?.advanceFunding ?? false,
            });
            await store.recordDecision(subject, toGateDecision(decision));
          }
        },
      })
    : undefined;
  // APIv3 notices come only to a lot that composed an APIv3 package (a v2-only lot may still hold v3 keys).
  const v3Keys =
    config.client.v3?.apiV3Key && (v3 || mall || scoreParking) ? getNoticeKeys(client) : undefined;
  const parkingNotices = v3Keys
    ? createParkingNoticeHandler({
        ...v3Keys,
        store: store.notices,
        // A notice claimed by an instance that died is processed by another after this.
        leaseMs: options.outbox?.leaseMs ?? 30_000,
        async onNotice(notice) {
          await record(notice.event_type, notice.id, JSON.stringify(notice.resource));
          // The result of a stay's 扣费受理 (its out_trade_no is the stay's out_serial_number). PAY_BACK (the
          // user repaid an advanced order) changes nothing at the gate: the car left on the paid order.
          if (notice.event_type === 'TRANSACTION.SUCCESS' || notice.event_type === 'TRANSACTION.FAIL') {
            const decision = decideRelease(notice.resource);
            await store.recordDecision(notice.resource.out_trade_no, toGateDecision(decision));
          }
        },
      })
    : undefined;
  const mallNotices = v3Keys
    ? createMallNoticeHandler({
        ...v3Keys,
        store: store.notices,
        // A notice claimed by an instance that died is processed by another after this.
        leaseMs: options.outbox?.leaseMs ?? 30_000,
        async onNotice(notice) {
          await record(notice.event_type, notice.id, JSON.stringify(notice.resource));
        },
      })
    : undefined;

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    if (method === 'POST' && path === '/gate/entry')
      return json(response, 200, await gateway.entry(await readGateEvent(request)));
    if (method === 'POST' && path === '/gate/exit') {
      const outcome = await gateway.exit(await readGateEvent(request));
      return outcome
        ? json(response, 200, outcome)
        : json(response, 404, { error: 'plate_number: no open stay for this plate' });
    }
    if (method === 'GET' && path === '/gate/calls') {
      const status = url.searchParams.get('status');
      if (status !== null && status !== 'pending' && status !== 'done' && status !== 'failed')
        throw new ValidationError({
          issues: [{ path: 'status', expected: 'pending, done or failed', received: describeValue(status) }],
        });
      // The stored bodies stay in the database: an APIv2 body carries its `sign`.
      const calls = await store.listCalls(status ? { status } : {});
      return json(
        response,
        200,
        calls.map(({ body: _body, ...call }) => call),
      );
    }
    const stayPath = /^\/gate\/stays\/([0-9A-Za-z_-]{1,64})$/.exec(path);
    if (method === 'GET' && stayPath) {
      const stay = await store.stay(stayPath[1]!);
      if (!stay) return json(response, 404, { error: 'out_serial_number: no such stay' });
      // The stored bodies stay in the database: an APIv2 body carries its `sign`.
      const calls = (await store.callsOf(stay.out_serial_number)).map(({ body: _body, ...call }) => call);
      return json(response, 200, { ...stay, calls });
    }
    if (method === 'POST' && path === '/gate/calls/retry') {
      const retried = await store.retryFailed(await readOperatorIds(request));
      return json(response, 200, { retried });
    }
    if (method === 'GET' && path === '/gate/stats') return json(response, 200, outbox.stats);
    if (method === 'POST' && path === '/wxpay/v2/notify' && v2Notices)
      return v2Notices.node(request, response);
    if (method === 'POST' && path === '/wxpay/v3/notify' && parkingNotices)
      return parkingNotices.node(request, response);
    if (method === 'POST' && path === '/wxpay/mall/notify' && mallNotices)
      return mallNotices.node(request, response);
    json(response, 404, { error: `no route ${method} ${path}` });
  }

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      const status =
        error instanceof ValidationError
          ? 400
          : WxparkError.isInstance(error) && error.code === 'BODY_TOO_LARGE'
            ? 413
            : 500;
      if (!response.headersSent) json(response, status, { error: describeError(error) });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  if (options.poll !== false) outbox.start();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    gateway,
    outbox,
    async close() {
      await outbox.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
