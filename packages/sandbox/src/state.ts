import { createV2ApiKey, type V2ApiKey } from '@wxpark/signer';
import { type AnswerOverrideQueue, createAnswerOverrideQueue } from './admin/answer-override.ts';
import { createHostileQueue, type HostileQueue } from './admin/hostile.ts';
import { createRefundOutcomeQueue, type RefundOutcomeQueue } from './admin/refund-outcome.ts';
import { createJournal, type Journal } from './inspector/journal.ts';
import { parseVehicleUser } from './keys/config.ts';
import { publicPlatformView } from './keys/platform-keys.ts';
import type {
  RecordedRequest,
  SandboxConfig,
  SandboxMerchant,
  SandboxVehicleUser,
  V3KeyMode,
} from './types.ts';
import { createV3State, type V3State } from './v3/state.ts';

/** Who a request acts for: the merchant, and on partner paths the sub-merchant. */
export interface Acting {
  merchant: SandboxMerchant;
  /** Partner paths only. */
  subMchId?: string;
  /** Partner paths only: the sub-merchant's appid as configured, else as the request gave it. */
  subAppId?: string;
}

/** The last 用户入场通知 for a plate: where its 车牌状态变更通知 go. */
export interface PlateEntry extends Acting {
  plate_number: string;
  notify_url?: string;
  at: number;
}

/** The outcome of one callback delivery. */
export interface CallbackOutcome {
  /** HTTP status, when the merchant answered at all. */
  status?: number;
  /** The merchant acknowledged: APIv2, HTTP 200 with `return_code` SUCCESS XML; APIv3, HTTP 200 or 204. */
  acknowledged: boolean;
  /** Why it failed, when it did not reach the merchant. */
  error?: string;
}

/** A 申请扣款 the sandbox accepted. */
export interface PayOrder extends Acting {
  out_trade_no: string;
  transaction_id: string;
  total_fee: string;
  trade_scene: string;
  openid: string;
  sub_openid?: string;
  attach?: string;
  notify_url: string;
  /** ACCEPT until the deduction is made (right before its callback is sent), then SUCCESS. */
  trade_state: 'ACCEPT' | 'SUCCESS';
  time_end?: string;
  /** Set once the 扣费结果通知 was delivered or failed. */
  notice?: CallbackOutcome;
}

/** Everything a running sandbox holds in memory. */
export interface SandboxState {
  readonly config: SandboxConfig;
  readonly requests: RecordedRequest[];
  readonly plateEntries: Map<string, PlateEntry>;
  readonly orders: Map<string, PayOrder>;
  readonly hostile: HostileQueue;
  /** Changes waiting for the next successful answers. */
  readonly answerOverrides: AnswerOverrideQueue;
  /** How the next accepted refunds end. */
  readonly refundOutcomes: RefundOutcomeQueue;
  readonly v3: V3State;
  /** What the inspector shows: the last requests and notices, secrets masked. */
  readonly journal: Journal;
  /** Aborted by `close()`: pending callbacks and slow answers give up. */
  readonly shutdown: AbortController;
  /** When set, every callback goes here instead of its notify_url (`wxpark listen` forwards them). */
  noticeTarget: string | undefined;
  log(line: string): void;
  findMerchant(mchId: string | undefined): SandboxMerchant | undefined;
  keyOf(merchant: SandboxMerchant): V2ApiKey;
  findUserByPlate(plate: string): SandboxVehicleUser | undefined;
  findUserByOpenId(openid: string): SandboxVehicleUser | undefined;
  /** Checks the car owner (throws `SandboxConfigError`), then adds it or replaces its namesake. */
  setVehicleUser(user: unknown): void;
}

/**
 * `complete` is a configuration with every merchant's v3 credentials and the platform's private keys (see
 * `completeSandboxConfig`); `state.config` is the same without the platform's private keys.
 */
export function createState(
  complete: SandboxConfig,
  log: (line: string) => void,
  keyMode: V3KeyMode = 'public-key',
): SandboxState {
  const platform = complete.platform;
  const config: SandboxConfig = { ...complete, platform: publicPlatformView(platform) };
  const keys = new Map(config.merchants.map((m) => [m.mchId, createV2ApiKey(m.v2ApiKey)] as const));
  return {
    config,
    requests: [],
    plateEntries: new Map(),
    orders: new Map(),
    hostile: createHostileQueue(),
    answerOverrides: createAnswerOverrideQueue(),
    refundOutcomes: createRefundOutcomeQueue(),
    journal: createJournal(),
    v3: createV3State(config, platform, config.platform, keyMode),
    shutdown: new AbortController(),
    noticeTarget: undefined,
    log,
    findMerchant(mchId) {
      return mchId === undefined ? undefined : config.merchants.find((m) => m.mchId === mchId);
    },
    keyOf(merchant) {
      return keys.get(merchant.mchId)!;
    },
    findUserByPlate(plate) {
      return config.vehicleUsers.find((u) => u.plate_number === plate);
    },
    findUserByOpenId(openid) {
      return config.vehicleUsers.find((u) => u.openid === openid);
    },
    setVehicleUser(input) {
      const user = parseVehicleUser(input);
      const same = (u: SandboxVehicleUser) =>
        (user.plate_number !== undefined && u.plate_number === user.plate_number) ||
        (user.openid !== undefined && u.openid === user.openid);
      const at = config.vehicleUsers.findIndex(same);
      const others = config.vehicleUsers.filter((u) => !same(u));
      others.splice(at === -1 ? others.length : at, 0, user);
      config.vehicleUsers.splice(0, config.vehicleUsers.length, ...others);
    },
  };
}

/** Orders are unique per (merchant, sub-merchant, out_trade_no), as WeChat scopes them. */
export function orderKey(acting: Acting, out_trade_no: string): string {
  return `${acting.merchant.mchId}|${acting.subMchId ?? ''}|${out_trade_no}`;
}
