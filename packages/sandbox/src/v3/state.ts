import { createPublicKey } from 'node:crypto';
import { PlatformKeySet } from '@wxpark/signer';
import { createFailQueue, type FailQueue } from '../admin/fail-next.ts';
import { createPlatformKeyring, type PlatformKeyring } from '../keys/platform-keys.ts';
import type { CallbackOutcome } from '../state.ts';
import type { SandboxConfig, SandboxPlatform, V3KeyMode } from '../types.ts';

/** One stay reported to the 停车缴费服务, from its entry notice on. */
export interface ReminderStay {
  mchId: string;
  out_serial_number: string;
  /** 微信停车单号, given back by the entry notice. */
  serial_number: string;
  parking_id: string;
  plate_number: string;
  plate_color: string;
  car_type: string;
  vehicle_type: string;
  enter_timestamp: number;
  exit_timestamp?: number;
  /** Payments reported by exit or payment notices, by trade number. */
  payments: Map<string, { paid_amount: number; total_amount?: number; pay_time?: number }>;
}

/** A 停车场申请. */
export interface StoredApplication {
  mchId: string;
  parking_lot_audit_no: string;
  audit_status: 'AUDIT_STATUS_PENDING' | 'AUDIT_STATUS_WITHDRAWN';
  submit_time: number;
  parking_lot: Record<string, unknown>;
}

/** A 停车入场 of 微信支付分停车服务. */
export interface ScoreParkingEntry {
  mchId: string;
  sub_mchid?: string;
  id: string;
  out_parking_no: string;
  plate_number: string;
  plate_color: string;
  notify_url: string;
  start_time: string;
  parking_name: string;
  free_duration: number;
  state: 'NORMAL' | 'BLOCKED';
  block_reason?: 'PAUSE' | 'OVERDUE' | 'OUT_SERVICE';
  openid: string;
  /** The out_trade_no of the deduction accepted for this entry, once there is one. */
  out_trade_no?: string;
}

/** A 扣费受理 of 微信支付分停车服务, as its query answers it. */
export interface ScoreTransaction {
  mchId: string;
  sub_mchid?: string;
  notify_url: string;
  /** The answer body of the query (and the resource of its callback). */
  transaction: Record<string, unknown> & { trade_state: string; out_trade_no: string };
  /** Set once its TRANSACTION.SUCCESS callback was delivered or failed. */
  notice?: CallbackOutcome;
}

/** A refund of a 微信支付分停车 order, as 查询单笔退款 answers it. */
export interface StoredRefund {
  mchId: string;
  sub_mchid?: string;
  notify_url?: string;
  /** The order it refunds. */
  order: ScoreTransaction;
  refund: Record<string, unknown> & { status: string; out_refund_no: string; out_trade_no: string };
  /** Set once its REFUND.* callback was delivered or failed. */
  notice?: CallbackOutcome;
}

/** What the APIv3 half holds in memory. */
export interface V3State {
  readonly keyring: PlatformKeyring;
  readonly failures: FailQueue;
  /** Each merchant's APIv3 public key, named by its mchId. */
  readonly merchantKeys: PlatformKeySet;
  /** By `mchId|out_serial_number`. */
  readonly stays: Map<string, ReminderStay>;
  /** 同步扩展支付信息 received, by `mchId|out_trade_no`. */
  readonly extPayments: Map<string, Record<string, unknown>>;
  /** By parking_lot_audit_no. */
  readonly applications: Map<string, StoredApplication>;
  /** By parking_id (id). */
  readonly scoreEntries: Map<string, ScoreParkingEntry>;
  /** A plate has one valid 停车入场 at a time: plate → its latest parking_id. */
  readonly latestEntryByPlate: Map<string, string>;
  /** By `mchId|sub_mchid|out_trade_no`. */
  readonly transactions: Map<string, ScoreTransaction>;
  /** Refunds, by `mchId|sub_mchid|out_refund_no`. */
  readonly refunds: Map<string, StoredRefund>;
  /** 商圈会员停车状态同步 received: `brandid|openid|plate_number` → the last state and time. */
  readonly mallParkings: Map<string, { state: string; time: string }>;
  /** 商圈积分同步 received, by `mchId|transaction_id`. */
  readonly pointsNotices: Map<string, Record<string, unknown>>;
}

/**
 * `platform` must carry its private keys; `view` is the copy shown in `sandbox.config`, which rotation keeps
 * in step.
 */
export function createV3State(
  config: SandboxConfig,
  platform: SandboxPlatform,
  view: SandboxPlatform,
  keyMode: V3KeyMode,
): V3State {
  const merchantKeys = new PlatformKeySet();
  for (const merchant of config.merchants) {
    if (!merchant.v3) continue;
    merchantKeys.add({
      id: merchant.mchId,
      kind: 'public-key',
      publicKey: createPublicKey(merchant.v3.publicKey),
    });
  }
  return {
    keyring: createPlatformKeyring(platform, view, keyMode),
    failures: createFailQueue(),
    merchantKeys,
    stays: new Map(),
    extPayments: new Map(),
    applications: new Map(),
    scoreEntries: new Map(),
    latestEntryByPlate: new Map(),
    transactions: new Map(),
    refunds: new Map(),
    mallParkings: new Map(),
    pointsNotices: new Map(),
  };
}
