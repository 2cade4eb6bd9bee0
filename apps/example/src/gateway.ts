import { randomBytes } from 'node:crypto';
import { formatChinaCompactTime, formatChinaRfc3339 } from '@wxpark/core';
import { planCharge, scoreEntryCall, v2Envelope } from './charge.ts';
import type { CallOutcome, Outbox } from './outbox.ts';
import type { GateDecision, GateStore, NewCall, Stay } from './store/types.ts';

export { type CallOutcome, describeError, type RouteCaller } from './outbox.ts';

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
  /**
   * 微信支付分停车服务 (APIv3): 创建停车入场 at entry, so that the stay can be charged by 扣费受理 at exit.
   * `sub_mchid` (and `sub_appid`) for a service provider. Entries are sent only once `notify_url` is known.
   */
  scoreParking?: {
    appid: string;
    sub_mchid?: string;
    sub_appid?: string;
    /** Where WeChat Pay sends VEHICLE.ENTRANCE_STATE_CHANGE and TRANSACTION.* (this gateway's /wxpay/v3/notify). */
    notify_url?: string;
    /** 免费时长 (seconds). */
    free_duration: number;
  };
  /**
   * Charging at exit: 扣费受理 for a 微信支付分停车 stay, else 申请扣款 for a 车主平台 stay. The fee is the exit
   * event's `fee`, else whole started hours past `freeSeconds` at `fenPerHour`.
   */
  charge?: {
    fenPerHour: number;
    freeSeconds: number;
    /** 终端IP of 申请扣款: this server's IP (at most 16 characters). */
    spbill_create_ip: string;
    /**
     * The merchant has advance funding (垫资) for the 车主平台: a car may leave once 申请扣款 is accepted.
     * @default false
     */
    advanceFunding?: boolean;
  };
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
  /** At exit: the fee in fen, when the lot's own system computed it (else the configured tariff). */
  fee?: number;
}

export interface GateOutcome {
  out_serial_number: string;
  /** False when the plate already had an open stay: that stay is answered, nothing new was recorded. */
  created: boolean;
  calls: CallOutcome[];
  /**
   * At exit with charging on: open the gate (`release`), keep it closed (`hold`), or wait and ask again
   * (`query-again`: `GET /gate/stays/{out_serial_number}`), with the reason.
   */
  gate?: GateDecision;
}

const v2Route = (partner: boolean) =>
  partner ? 'v2/vehicle/partnerpay/notification' : 'v2/vehicle/pay/notification';

function newSerialNumber(at: Date): string {
  return `P${formatChinaCompactTime(at)}${randomBytes(5).toString('hex').toUpperCase()}`;
}

/**
 * The gateway's one job: turn gate events into WeChat Pay calls, durably. Each event and the exact requests
 * it owes are committed first (claimed by this instance); the outbox then sends them. An instance that dies
 * leaves its claims to expire, and any other instance sends them, with the stored bytes.
 */
export class Gateway {
  readonly #store: GateStore;
  readonly #outbox: Outbox;
  readonly #targets: GatewayTargets;

  constructor(store: GateStore, outbox: Outbox, targets: GatewayTargets) {
    this.#store = store;
    this.#outbox = outbox;
    this.#targets = targets;
  }

  async entry(event: GateEvent): Promise<GateOutcome> {
    const at = event.time ?? new Date();
    const out_serial_number = newSerialNumber(at);
    const calls: NewCall[] = [];
    const { v2, v3, mall } = this.#targets;
    if (v2) {
      const partner = v2.sub_mch_id !== undefined;
      calls.push({
        route: v2Route(partner),
        payload: {
          ...v2Envelope(v2),
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
    const stay: Stay = {
      out_serial_number,
      plate_number: event.plate_number,
      plate_color: event.plate_color,
      ...(event.openid ? { openid: event.openid } : {}),
      entered_at: at.getTime(),
    };
    const scoreEntry = scoreEntryCall(this.#targets, stay);
    if (scoreEntry) calls.push(scoreEntry);
    const recorded = await this.#store.recordEntry(stay, calls, this.#outbox.claim);
    if (!recorded.created) {
      // A second entry while the stay is open (a double read at the gate, a retry): the open stay answers.
      return {
        out_serial_number: recorded.stay.out_serial_number,
        created: false,
        calls: recorded.calls.map((call) => ({
          route: call.route.replace(/#.*$/, ''),
          status: call.status,
          ...(call.result === undefined ? {} : { data: call.result }),
          ...(call.error ? { error: call.error } : {}),
        })),
      };
    }
    return {
      out_serial_number,
      created: true,
      calls: await Promise.all(recorded.calls.map((call) => this.#outbox.send(call))),
    };
  }

  /** An exit closes the plate's open stay; a plate that never entered is refused (null). */
  async exit(event: GateEvent): Promise<GateOutcome | null> {
    const at = event.time ?? new Date();
    const recorded = await this.#store.recordExit(
      event.plate_number,
      at.getTime(),
      (stay, made) => {
        const calls: NewCall[] = [];
        if (this.#targets.v3) {
          calls.push({
            route: 'v3/parking/reminders/exit',
            // WeChat refuses an exit whose entry it has not seen (RESOURCE_NOT_EXISTS).
            after: 'v3/parking/reminders/entry',
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
        // An entry's and an exit's mall syncs share a route, so the exit's is keyed apart.
        if (this.#targets.mall && openid)
          calls.push({
            route: 'v3/businesscircle/parkings#OUT',
            after: 'v3/businesscircle/parkings',
            payload: this.#mallState({ ...event, openid }, at, 'OUT'),
          });
        const charge = planCharge(this.#targets, stay, made, at.getTime(), {
          ...(event.fee === undefined ? {} : { fee: event.fee }),
          ...(event.entrance_number ? { device_id: event.entrance_number } : {}),
        });
        if (charge?.call) calls.push(charge.call);
        return charge ? { calls, decision: charge.decision } : calls;
      },
      this.#outbox.claim,
    );
    if (!recorded) return null;
    const owner = this.#outbox.claim.owner;
    const calls = await Promise.all(
      recorded.calls.map((call) =>
        call.claimed_by === owner
          ? this.#outbox.send(call)
          : {
              route: call.route.replace(/#.*$/, ''),
              status: call.status,
              error: 'queued until WeChat has answered the entry',
            },
      ),
    );
    // The charge's answer (or the query after an unknown one) has decided by now, unless it is still queued.
    const { gate } = (await this.#store.stay(recorded.stay.out_serial_number)) ?? {};
    return {
      out_serial_number: recorded.stay.out_serial_number,
      created: true,
      calls,
      ...(gate ? { gate } : {}),
    };
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
}
