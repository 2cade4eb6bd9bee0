import { CallbackError, SandboxUsageError } from '../errors.ts';
import { readJsonObject } from '../http/json-body.ts';
import { jsonReply, noContentReply, type Reply } from '../http/reply.ts';
import type { RouteHandler, RouteRequest, Router } from '../http/router.ts';
import { sendPlateStateNotice } from '../notices/v2.ts';
import { sendV3Notice } from '../notices/v3.ts';
import type { PayOrder, SandboxState } from '../state.ts';
import type {
  AnswerOverride,
  FailNextOptions,
  HostileMode,
  RefundOutcome,
  SendV3NoticeOptions,
  V3KeyMode,
} from '../types.ts';

/** Admin routes live under this prefix: never recorded, never hostile. */
export const adminPrefix = '/__sandbox/';

/** Usage mistakes become 400 `{error}`; anything else is left to the server's 500. */
function guarded(handler: RouteHandler): RouteHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof SandboxUsageError) return jsonReply(400, { error: error.message });
      throw error;
    }
  };
}

async function plateState(state: SandboxState, request: RouteRequest): Promise<Reply> {
  const { plate_number, vehicle_event_type, vehicle_event_des } = readJsonObject(request);
  if (typeof plate_number !== 'string' || plate_number === '') {
    throw new SandboxUsageError('plate_number: expected a non-empty string');
  }
  if (vehicle_event_des !== undefined && typeof vehicle_event_des !== 'string') {
    throw new SandboxUsageError('vehicle_event_des: expected a string');
  }
  try {
    const answer = await sendPlateStateNotice(state, plate_number, {
      vehicle_event_type: vehicle_event_type as 'NORMAL' | 'BLOCKED',
      ...(vehicle_event_des === undefined ? {} : { vehicle_event_des }),
    });
    return jsonReply(200, answer);
  } catch (error) {
    if (!(error instanceof CallbackError)) throw error;
    return jsonReply(error.code === 'NO_NOTIFY_URL' ? 404 : 502, { error: error.message });
  }
}

async function v3Notice(state: SandboxState, request: RouteRequest): Promise<Reply> {
  // sendV3Notice checks every field and names the wrong one.
  const options = readJsonObject(request) as unknown as SendV3NoticeOptions;
  try {
    return jsonReply(200, await sendV3Notice(state, options));
  } catch (error) {
    if (!(error instanceof CallbackError)) throw error;
    return jsonReply(502, { error: error.message });
  }
}

function describeOrder(order: PayOrder) {
  const { merchant, ...rest } = order;
  return { mch_id: merchant.mchId, ...rest };
}

/** The JSON admin API, for people who run the sandbox as a process: the same controls as `Sandbox`. */
export function addAdminRoutes(router: Router, state: SandboxState): void {
  const add = (method: string, path: string, handler: RouteHandler) =>
    router.add(method, `${adminPrefix}${path}`, 'admin', guarded(handler));

  add('GET', 'config', () => jsonReply(200, state.config));
  add('GET', 'requests', () => jsonReply(200, state.requests));
  add('GET', 'notice-target', () => jsonReply(200, { url: state.noticeTarget ?? null }));
  add('PUT', 'notice-target', (request) => {
    const { url } = readJsonObject(request);
    if (url !== null && (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))) {
      throw new SandboxUsageError(
        'url: expected an http(s) URL, or null to send callbacks to their notify_url',
      );
    }
    state.noticeTarget = url ?? undefined;
    return jsonReply(200, { url });
  });
  add('DELETE', 'requests', () => {
    state.requests.length = 0;
    return noContentReply();
  });
  add('PUT', 'vehicle-users', (request) => {
    state.setVehicleUser(readJsonObject(request));
    return jsonReply(200, state.config.vehicleUsers);
  });
  add('POST', 'hostile', (request) => {
    const { mode, count, delayMs } = readJsonObject(request);
    // The queue checks each value and says which one is wrong.
    state.hostile.push(mode as HostileMode, {
      count: count as number | undefined,
      delayMs: delayMs as number | undefined,
    });
    return noContentReply();
  });
  add('POST', 'refund-outcome', (request) => {
    const { status, count } = readJsonObject(request);
    // The queue checks each value and says which one is wrong.
    state.refundOutcomes.push(status as RefundOutcome, { count: count as number | undefined });
    return noContentReply();
  });
  add('GET', 'refund-outcome', () => jsonReply(200, state.refundOutcomes.pending()));
  add('POST', 'answer-override', (request) => {
    state.answerOverrides.push(readJsonObject(request) as AnswerOverride);
    return noContentReply();
  });
  add('POST', 'v2/plate-state', (request) => plateState(state, request));
  add('GET', 'v2/orders', () => jsonReply(200, [...state.orders.values()].map(describeOrder)));

  const { keyring, failures } = state.v3;
  add('GET', 'v3/key-mode', () => jsonReply(200, { mode: keyring.mode }));
  add('PUT', 'v3/key-mode', (request) => {
    keyring.setMode(readJsonObject(request).mode as V3KeyMode);
    return jsonReply(200, { mode: keyring.mode });
  });
  add('GET', 'v3/platform-certificates', () => jsonReply(200, state.config.platform.certificates));
  add('POST', 'v3/platform-certificates', () => jsonReply(200, keyring.rotate()));
  add('DELETE', 'v3/platform-certificates/{serialNo}', (request) => {
    keyring.retire(request.params.serialNo!);
    return noContentReply();
  });
  add('POST', 'fail-next', (request) => {
    failures.push(readJsonObject(request) as unknown as FailNextOptions);
    return noContentReply();
  });
  add('POST', 'v3/notice', (request) => v3Notice(state, request));
  add('GET', 'v3/transactions', () =>
    jsonReply(
      200,
      [...state.v3.transactions.values()].map(({ mchId, sub_mchid, notify_url, transaction, notice }) => ({
        mchid: mchId,
        ...(sub_mchid ? { sub_mchid } : {}),
        notify_url,
        transaction,
        ...(notice ? { notice } : {}),
      })),
    ),
  );
}
