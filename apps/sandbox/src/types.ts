/** A merchant the sandbox knows: requests from any other `mch_id` are refused. */
export interface SandboxMerchant {
  /** 商户号 (mch_id); for a service provider, its own number. */
  mchId: string;
  /** 公众账号ID (appid) bound to the merchant: requests must send exactly this appid. */
  appId: string;
  /** APIv2 密钥: 32 characters. Sandbox keys only; never put a real key here. */
  v2ApiKey: string;
  /** Service-provider mode: the sub-merchants (特约商户) it may act for on the `partnerpay` paths. */
  subMerchants?: { subMchId: string; subAppId?: string }[];
}

/** A car owner (车主) known to the car-owner platform, found by plate, openid or both. */
export interface SandboxVehicleUser {
  /** 车牌号. */
  plate_number?: string;
  /** 用户标识. */
  openid?: string;
  /**
   * NORMAL | BLOCK (in arrears / blacklisted) | PAUSED | OVERDUE | UNAUTHORIZED. 用户入场通知 answers
   * NORMAL or BLOCK (anything but NORMAL is BLOCK there); 用户状态查询 answers BLOCK as OVERDUE.
   */
  user_state: string;
  /** 发起扣费方式: PROACTIVE (用户主动) or AUTOPAY (无感). */
  deduct_mode?: 'PROACTIVE' | 'AUTOPAY';
}

/** What the sandbox runs with. */
export interface SandboxConfig {
  merchants: SandboxMerchant[];
  vehicleUsers: SandboxVehicleUser[];
}

/** Settings for {@link startSandbox}. */
export interface SandboxOptions {
  /**
   * Port to listen on; 0 picks a free one (read it back from `url`).
   * @default 0
   */
  port?: number;
  /**
   * Interface to bind. The sandbox has no authentication: keep it on loopback.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Merchants and car owners.
   * @default generated: one direct merchant, one service provider with a sub-merchant, plates incl. one in arrears
   */
  config?: SandboxConfig;
  /** Receives one line per request (and per callback sent); nothing is logged without it. */
  log?: (line: string) => void;
}

/** A request received on an API path (admin paths are not recorded). */
export interface RecordedRequest {
  method: string;
  /** Path with query string, as received. */
  path: string;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as UTF-8 text (at most 64 KiB are kept). */
  body: string;
  /** Arrival time, milliseconds since the epoch. */
  at: number;
}

/** A way for the next API answers to misbehave, for testing a client's defences. */
export type HostileMode = 'bad-sign' | 'no-sign' | 'wrong-key-sign' | 'slow' | 'drop' | 'garbage';

/** A running sandbox. */
export interface Sandbox {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43210`. */
  readonly url: string;
  /** What it runs with (generated keys included), so tests and the demo can configure a client. */
  readonly config: SandboxConfig;
  /** Every request received on API paths (not admin paths), oldest first, up to the last 1000; a snapshot. */
  readonly requests: readonly RecordedRequest[];
  /** Forgets the recorded requests. */
  clearRequests(): void;
  /** Adds a car owner, or replaces the one with the same plate_number or openid. */
  setVehicleUser(user: SandboxVehicleUser): void;
  /**
   * Makes the next `count` API answers hostile (default 1). Modes queue up in the order they were set.
   * 'slow' waits `delayMs` (default 3000) before answering; 'drop' destroys the socket without answering.
   * The request is still processed (and recorded) first: only the answer is spoiled.
   */
  setHostile(mode: HostileMode, options?: { count?: number; delayMs?: number }): void;
  /**
   * Sends the APIv2 车牌状态变更通知 for a plate to the notify_url its last 用户入场通知 gave. Resolves with
   * the merchant's HTTP status and body; rejects when no such notify_url is known or the merchant could not
   * be reached. The car owner's own state is left alone: change it with `setVehicleUser`.
   */
  sendPlateStateNotice(
    plate_number: string,
    event: { vehicle_event_type: 'NORMAL' | 'BLOCKED'; vehicle_event_des?: string },
  ): Promise<{ status: number; body: string }>;
  /** Stops listening, ends open connections (keep-alive included) and abandons pending callbacks. */
  close(): Promise<void>;
}
