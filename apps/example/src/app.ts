import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { businesscircle, createMallNoticeHandler } from '@wxpark/businesscircle';
import {
  createClient,
  getNoticeKeys,
  object,
  oneOf,
  optional,
  readRawBody,
  runSchema,
  string,
  ValidationError,
  WxparkError,
} from '@wxpark/core';
import { createParkingNoticeHandler, parkingV3, plateColors, vehicleTypes } from '@wxpark/parking-v3';
import { createV2NoticeHandler, vehicleV2 } from '@wxpark/vehicle-v2';
import type { GatewayConfig } from './config.ts';
import { describeError, type GateEvent, Gateway, type RouteCaller } from './gateway.ts';
import type { GateStore } from './store.ts';

const gateEvent = object({
  plate_number: string({ maxLength: 16 }),
  plate_color: oneOf(plateColors),
  vehicle_type: oneOf(vehicleTypes),
  car_type: optional(string({ maxLength: 32 })),
  time: optional(string({ maxLength: 40 })),
  entrance_number: optional(string({ maxLength: 32 })),
  entrance_name: optional(string({ maxLength: 64 })),
  openid: optional(string({ maxLength: 128 })),
});

/** A running gateway: its HTTP server (gate and callback routes), the client and the outbox. */
export interface GatewayApp {
  readonly url: string;
  readonly gateway: Gateway;
  /** Verified callbacks as they were recorded, for the log. */
  onNotice?: (kind: string, id: string, summary: string, fresh: boolean) => void;
  close(): Promise<void>;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
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
  const checked = runSchema(gateEvent, parsed);
  if (!checked.ok) throw new ValidationError({ context: 'gate event', issues: checked.issues });
  const { time, ...rest } = checked.value as Omit<GateEvent, 'time'> & { time?: string };
  const at = time === undefined ? undefined : new Date(time);
  if (at && Number.isNaN(at.getTime()))
    throw new ValidationError({
      issues: [{ path: 'time', expected: 'an ISO 8601 time', received: JSON.stringify(time) }],
    });
  return { ...rest, ...(at ? { time: at } : {}) };
}

/** Starts the gateway's HTTP server on `port` (0 picks one) with a client composed of the packages it needs. */
export async function startGateway(
  config: GatewayConfig,
  store: GateStore,
  options: { port: number; host?: string; onNotice?: GatewayApp['onNotice'] },
): Promise<GatewayApp> {
  // Compose only what this lot sends: a client insists on credentials for every package it is given.
  const { v2, v3, mall } = config.targets;
  const packages = [
    ...(v2 ? [vehicleV2] : []),
    ...(v3 ? [parkingV3] : []),
    ...(mall ? [businesscircle] : []),
  ];
  const client = createClient(config.client, packages);
  const byKey = client as unknown as Record<string, (data: unknown) => ReturnType<RouteCaller>>;
  const call: RouteCaller = (route, payload) => byKey[route]!(payload);
  const gateway = new Gateway(store, call, config.targets);

  const record = (kind: string, id: string, summary: string) => {
    const fresh = store.recordNotice(id, kind, summary);
    options.onNotice?.(kind, id, summary, fresh);
  };
  const v2Notices = config.client.v2
    ? createV2NoticeHandler({
        apiKey: config.client.v2.apiKey,
        onNotice(notice) {
          const f = notice.fields;
          // APIv2 callbacks carry no id: the plate, event and its time identify a delivery.
          const id = `v2:${f.plate_number ?? f.out_trade_no}:${f.vehicle_event_type ?? f.trade_state}:${f.vehicle_event_createtime ?? f.time_end}`;
          record(
            notice.kind,
            id,
            `${f.plate_number ?? f.out_trade_no} ${f.vehicle_event_type ?? f.trade_state ?? ''}`.trim(),
          );
        },
      })
    : undefined;
  const v3Keys = config.client.v3?.apiV3Key ? getNoticeKeys(client) : undefined;
  const parkingNotices = v3Keys
    ? createParkingNoticeHandler({
        ...v3Keys,
        onNotice(notice) {
          record(notice.event_type, notice.id, JSON.stringify(notice.resource));
        },
      })
    : undefined;
  const mallNotices = v3Keys
    ? createMallNoticeHandler({
        ...v3Keys,
        onNotice(notice) {
          record(notice.event_type, notice.id, JSON.stringify(notice.resource));
        },
      })
    : undefined;

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    const method = request.method ?? 'GET';
    if (method === 'POST' && path === '/gate/entry')
      return json(response, 200, await gateway.entry(await readGateEvent(request)));
    if (method === 'POST' && path === '/gate/exit') {
      const outcome = await gateway.exit(await readGateEvent(request));
      return outcome
        ? json(response, 200, outcome)
        : json(response, 404, { error: 'no open stay for this plate' });
    }
    if (method === 'GET' && path === '/gate/calls') return json(response, 200, store.allCalls());
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
        error instanceof ValidationError || (WxparkError.isInstance(error) && error.code === 'BODY_TOO_LARGE')
          ? 400
          : 500;
      if (!response.headersSent) json(response, status, { error: describeError(error) });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    gateway,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
