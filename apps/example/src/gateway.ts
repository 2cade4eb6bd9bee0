import { randomBytes } from 'node:crypto';
import {
  ApiError,
  formatChinaCompactTime,
  formatChinaRfc3339,
  TransportError,
  WxparkError,
} from '@wxpark/core';
import type { GateStore, OutboxCall } from './store.ts';

/** What a call style needs: `client[route](payload)`, as every wxpark client offers. */
export type RouteCaller = (
  route: string,
  payload: unknown,
) => Promise<{ status: number; data: unknown; headers: Headers }>;

/** Where gate events go, per the lot's contracts with WeChat Pay. */
export interface GatewayTargets {
  /** 停车场名称 (APIv2 scene_info.parking_name). */
  parkingName: string;
  /** APIv2 用户入场通知: direct merchant, or service provider when `sub_mch_id` is set. */
  v2?: {
    appid: string;
    mch_id: string;
    sub_appid?: string;
    sub_mch_id?: string;
    notify_url?: string;
    free_time: string;
  };
  /** APIv3 同步车辆入场/出场通知 for this 微信停车场ID. */
  v3?: { parking_id: string };
  /** APIv3 商圈会员停车状态同步, for members (events that carry an openid). */
  mall?: { brandid: number; appid: string; sub_mchid?: string };
}

/** A vehicle passing a gate. */
export interface GateEvent {
  plate_number: string;
  plate_color: string;
  vehicle_type: string;
  /** 车辆性质 (v3 car_type). @default 'PLATE_TYPE_TEMPORARY' */
  car_type?: string;
  /** When it passed; defaults to now. */
  time?: Date;
  entrance_number?: string;
  entrance_name?: string;
  /** A mall member's openid (商圈会员), when the gate recognised one. */
  openid?: string;
}

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

export interface GateOutcome {
  out_serial_number: string;
  calls: CallOutcome[];
}

const v2Route = (partner: boolean) =>
  partner ? 'v2/vehicle/partnerpay/notification' : 'v2/vehicle/pay/notification';

function newSerialNumber(at: Date): string {
  return `P${formatChinaCompactTime(at)}${randomBytes(5).toString('hex').toUpperCase()}`;
}

/** One line for an error: its code and message, and the hint when the SDK has one. Never a stack. */
export function describeError(error: unknown): string {
  if (WxparkError.isInstance(error)) {
    const hint = (error as { hint?: string }).hint;
    return `${error.name} ${error.code}: ${error.message}${hint ? ` (hint: ${hint})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A failure that will not improve by resending the same request. */
function isFinal(error: unknown): boolean {
  if (error instanceof TransportError) return false;
  if (error instanceof ApiError) return !error.isRetryable;
  return WxparkError.isInstance(error);
}

/**
 * The gateway's one job: turn gate events into WeChat Pay calls, durably. Each event and the exact requests
 * it owes are committed to SQLite first; calls are then sent and marked done. `resume()` sends whatever a
 * crash left pending, with the payload that was stored (the same out_serial_number and timestamps).
 */
export class Gateway {
  readonly #store: GateStore;
  readonly #call: RouteCaller;
  readonly #targets: GatewayTargets;
  readonly #inFlight = new Map<number, Promise<CallOutcome>>();

  constructor(store: GateStore, call: RouteCaller, targets: GatewayTargets) {
    this.#store = store;
    this.#call = call;
    this.#targets = targets;
  }

  async entry(event: GateEvent): Promise<GateOutcome> {
    const at = event.time ?? new Date();
    const out_serial_number = newSerialNumber(at);
    const calls: { route: string; payload: unknown }[] = [];
    const { v2, v3, mall } = this.#targets;
    if (v2) {
      const partner = v2.sub_mch_id !== undefined;
      calls.push({
        route: v2Route(partner),
        payload: {
          appid: v2.appid,
          mch_id: v2.mch_id,
          ...(partner
            ? { sub_mch_id: v2.sub_mch_id, ...(v2.sub_appid ? { sub_appid: v2.sub_appid } : {}) }
            : {}),
          trade_scene: 'PARKING',
          scene_info: {
            start_time: formatChinaCompactTime(at),
            ...(v2.notify_url ? { notify_url: v2.notify_url } : {}),
            plate_number: event.plate_number,
            parking_name: this.#targets.parkingName,
            free_time: v2.free_time,
          },
        },
      });
    }
    if (v3) {
      calls.push({
        route: 'v3/parking/reminders/entry',
        payload: {
          out_serial_number,
          parking_id: v3.parking_id,
          plate_number: event.plate_number,
          enter_timestamp: Math.floor(at.getTime() / 1000),
          plate_color: event.plate_color,
          car_type: event.car_type ?? 'PLATE_TYPE_TEMPORARY',
          vehicle_type: event.vehicle_type,
          ...(event.entrance_number ? { entrance_number: event.entrance_number } : {}),
          ...(event.entrance_name ? { entrance_name: event.entrance_name } : {}),
        },
      });
    }
    if (mall && event.openid)
      calls.push({ route: 'v3/businesscircle/parkings', payload: this.#mallState(event, at, 'IN') });
    const stored = this.#store.recordEntry(
      {
        out_serial_number,
        plate_number: event.plate_number,
        plate_color: event.plate_color,
        ...(event.openid ? { openid: event.openid } : {}),
        entered_at: at.getTime(),
      },
      calls,
    );
    return { out_serial_number, calls: await Promise.all(stored.map((call) => this.#send(call))) };
  }

  /** An exit closes the plate's open stay; a plate that never entered is refused (null). */
  async exit(event: GateEvent): Promise<GateOutcome | null> {
    const stay = this.#store.openStay(event.plate_number);
    if (!stay) return null;
    const at = event.time ?? new Date();
    const calls: { route: string; payload: unknown }[] = [];
    if (this.#targets.v3) {
      calls.push({
        route: 'v3/parking/reminders/exit',
        payload: {
          out_serial_number: stay.out_serial_number,
          exit_timestamp: Math.floor(at.getTime() / 1000),
          plate_number: stay.plate_number,
          plate_color: stay.plate_color,
          parking_id: this.#targets.v3.parking_id,
        },
      });
    }
    const openid = event.openid ?? stay.openid;
    if (this.#targets.mall && openid)
      calls.push({
        route: 'v3/businesscircle/parkings',
        payload: this.#mallState({ ...event, openid }, at, 'OUT'),
      });
    // An entry's and an exit's mall syncs share a route, so the exit's is keyed apart.
    const keyed = calls.map((c) =>
      c.route === 'v3/businesscircle/parkings' ? { ...c, route: `${c.route}#OUT` } : c,
    );
    const stored = this.#store.recordExit(stay.out_serial_number, at.getTime(), keyed);
    return {
      out_serial_number: stay.out_serial_number,
      calls: await Promise.all(stored.map((call) => this.#send(call))),
    };
  }

  /** Sends every call a previous run left pending. Safe to run at any time: a call in flight is not doubled. */
  async resume(): Promise<CallOutcome[]> {
    return Promise.all(this.#store.pendingCalls().map((call) => this.#send(call)));
  }

  #mallState(event: GateEvent, at: Date, state: 'IN' | 'OUT') {
    const mall = this.#targets.mall!;
    return {
      ...(mall.sub_mchid ? { sub_mchid: mall.sub_mchid } : {}),
      brandid: mall.brandid,
      appid: mall.appid,
      openid: event.openid,
      plate_number: event.plate_number,
      state,
      time: formatChinaRfc3339(at),
    };
  }

  #send(call: OutboxCall): Promise<CallOutcome> {
    let running = this.#inFlight.get(call.id);
    if (!running) {
      running = this.#attempt(call).finally(() => this.#inFlight.delete(call.id));
      this.#inFlight.set(call.id, running);
    }
    return running;
  }

  async #attempt(call: OutboxCall): Promise<CallOutcome> {
    const route = call.route.replace(/#.*$/, '');
    try {
      const answer = await this.#call(route, call.payload);
      const signedBy = answer.headers.get('wechatpay-serial') ?? undefined;
      const data = answer.status === 204 ? null : answer.data;
      this.#store.markDone(call.id, data);
      return { route, status: 'done', data, ...(signedBy ? { signedBy } : {}) };
    } catch (error) {
      const line = describeError(error);
      if (isFinal(error)) {
        this.#store.markFailed(call.id, line);
        return { route, status: 'failed', error: line };
      }
      this.#store.markAttempt(call.id, line);
      return { route, status: 'pending', error: line };
    }
  }
}
