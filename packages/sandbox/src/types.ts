/** A merchant the sandbox knows: requests from any other `mch_id` are refused. */
export interface SandboxMerchant {
  /** 商户号 (mch_id); for a service provider, its own number. */
  mchId: string;
  /** 公众账号ID (appid) bound to the merchant: requests must send exactly this appid. */
  appId: string;
  /** APIv2 密钥: 32 characters. Sandbox keys only; never put a real key here. */
  v2ApiKey: string;
  /**
   * Service-provider mode: the sub-merchants (特约商户) it may act for: on the APIv2 `partnerpay` paths, and
   * as `sub_mchid` on APIv3 paths.
   */
  subMerchants?: { subMchId: string; subAppId?: string }[];
  /**
   * APIv3 credentials. A merchant given without them gets generated ones when the sandbox starts (see
   * `sandbox.config`), so every merchant can call the APIv3 paths.
   */
  v3?: SandboxMerchantV3;
}

/** A merchant's APIv3 credentials: what its client signs with, and what the sandbox verifies with. */
export interface SandboxMerchantV3 {
  /** 商户API证书序列号: the `serial_no` the `Authorization` header must carry; hex, compared ignoring case. */
  serialNo: string;
  /** 商户API私钥 (`apiclient_key.pem`): PKCS#8 PEM of an RSA-2048 key. Sandbox-only. */
  privateKey: string;
  /** Its public key (SPKI PEM): the sandbox verifies `Authorization` signatures with it. */
  publicKey: string;
  /** APIv3密钥: 32 characters; encrypts `/v3/certificates` entries and callback resources for this merchant. */
  apiV3Key: string;
}

/** A platform certificate (平台证书) WeChat Pay signs with in 'certificate' key mode. */
export interface SandboxPlatformCertificate {
  /** 证书序列号: uppercase hex, as `Wechatpay-Serial` names it. */
  serialNo: string;
  /** The certificate, PEM (self-signed, RSA-2048, five years). */
  certificate: string;
  /**
   * Sandbox-only: the certificate's private key (PKCS#8 PEM). Required when you give a platform; never shown
   * in `sandbox.config` (WeChat Pay keeps its private keys to itself).
   */
  privateKey?: string;
}

/** WeChat Pay's own keys: the 微信支付公钥 and the platform certificates. */
export interface SandboxPlatform {
  /** 微信支付公钥ID: `PUB_KEY_ID_` and digits; `Wechatpay-Serial` in 'public-key' key mode. */
  publicKeyId: string;
  /** 微信支付公钥: SPKI PEM. */
  publicKey: string;
  /**
   * Sandbox-only: the private key of the public key (PKCS#8 PEM). Required when you give a platform; never
   * shown in `sandbox.config`.
   */
  privateKey?: string;
  /**
   * The certificates `GET /v3/certificates` lists in 'certificate' key mode, oldest first; the last one signs.
   * At least one. `rotatePlatformCertificate` adds one, `retirePlatformCertificate` removes one.
   */
  certificates: SandboxPlatformCertificate[];
}

/** A brand (品牌) of the smart business circle (智慧商圈). */
export interface SandboxBrand {
  /** 品牌ID (brandid). */
  brandId: number;
  /** The appid bound to the brand: business-circle calls must send exactly this appid. */
  appId: string;
  /** The brand's main merchant, its service providers and their sub-merchants: who may call for it. */
  mchIds: string[];
}

/** A shopper who has (or has not) authorised a brand's business-circle points service (商圈积分授权). */
export interface SandboxMallMember {
  /** 用户标识 under the brand's appid. */
  openid: string;
  /** The brand it belongs to; must be one of `brands`. */
  brandId: number;
  /** 授权状态. Members the sandbox does not know are UNAUTHORIZED. */
  authorize_state: 'UNAUTHORIZED' | 'AUTHORIZED' | 'DEAUTHORIZED';
  /** 授权时间 (RFC 3339). */
  authorize_time?: string;
  /** 取消授权时间 (RFC 3339). */
  deauthorize_time?: string;
  /** 待积分状态: PENDING until a 商圈积分同步 for the member arrives. @default 'FINISHED' */
  points_commit_status?: 'PENDING' | 'FINISHED';
}

/** A parking lot enabled for the 停车缴费服务 (`/v3/parking/reminders/…`). */
export interface SandboxParkingLot {
  /** 微信停车场ID: the `parking_id` of entry, exit and payment notices. */
  wx_parking_lot_id: string;
  /** 商户停车场ID. */
  out_parking_lot_id: string;
  /** 停车场名称. */
  parking_lot_name: string;
  /** The merchant (service provider or platform merchant) the lot belongs to. */
  mchId: string;
  /** 启用状态: only ENABLED lots accept entries. */
  enabled_state: 'ENABLED_STATE_NOT_ENABLED' | 'ENABLED_STATE_ENABLED' | 'ENABLED_STATE_OFFLINE';
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
  /**
   * WeChat Pay's keys. In `sandbox.config` without their private keys; in a configuration you give, with them
   * (or left out, see {@link SandboxConfigInput}).
   */
  platform: SandboxPlatform;
  /** Business-circle brands. */
  brands?: SandboxBrand[];
  /** Business-circle members, by brand. */
  mallMembers?: SandboxMallMember[];
  /** Lots of the 停车缴费服务. */
  parkingLots?: SandboxParkingLot[];
}

/**
 * A configuration as given to `startSandbox` or read from a file: `platform` may be left out, and merchants
 * may come without `v3`; both are generated when the sandbox starts.
 */
export type SandboxConfigInput = Omit<SandboxConfig, 'platform'> & { platform?: SandboxPlatform };

/**
 * Which of WeChat Pay's keys signs APIv3 answers and callbacks (unless a request asks for another with
 * `Wechatpay-Serial`): 'public-key' (the 微信支付公钥, as for merchants registered recently) or
 * 'certificate' (the newest platform certificate; `GET /v3/certificates` lists them).
 */
export type V3KeyMode = 'public-key' | 'certificate';

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
   * @default generated: one direct merchant, one service provider with a sub-merchant, plates incl. one in
   * arrears, WeChat Pay's keys, a business-circle brand with members, a parking lot per merchant
   */
  config?: SandboxConfigInput;
  /**
   * Receives one line per request (and per callback sent).
   * @default none: nothing is logged
   */
  log?: (line: string) => void;
  /**
   * Which key signs APIv3 answers and callbacks; change it later with `setKeyMode`.
   * @default 'public-key'
   */
  keyMode?: V3KeyMode;
  /**
   * API calls per second beyond which calls are answered 429 `FREQUENCY_LIMITED` with `Retry-After: 1`,
   * unprocessed (recorded in `requests` all the same), as WeChat limits a merchant's rate.
   * @default no limit
   */
  rateLimit?: number;
  /**
   * Also listen over HTTPS (`httpsUrl`) with a CA, a server certificate and one API client certificate per
   * merchant made at start (`tls`): the APIv2 `/secapi/…` routes need the merchant's client certificate
   * (mutual TLS), as WeChat Pay's do. The plain-HTTP `url` stays as it is.
   * @default false
   */
  https?: boolean;
}

/** The certificates of the HTTPS listener, all PEM. */
export interface SandboxTls {
  /** The CA that signed the server and client certificates: trust it as the server's CA. */
  ca: string;
  server: { cert: string; key: string };
  /** Each merchant's API client certificate (common name: its mchId) and private key. */
  clients: Record<string, { cert: string; key: string }>;
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

/**
 * A way for the next API answers to misbehave, for testing a client's defences. The signature modes spoil
 * signed answers only (an unsigned APIv2 answer stays as it is) and the APIv3-only ones leave APIv2 answers
 * alone; the turn is used up either way.
 *
 * - `'bad-sign'`: a well-formed signature over something else (APIv2: one hex digit changed; APIv3: signed
 *   with the right key over another nonce).
 * - `'no-sign'`: no signature (APIv2: no `sign`; APIv3: no `Wechatpay-*` headers at all).
 * - `'wrong-key-sign'`: signed correctly with a key nobody else has, under the genuine key's name (APIv2: another
 *   API key; APIv3: the usual `Wechatpay-Serial`).
 * - `'signtest'` (APIv3): a `Wechatpay-Signature` starting with `WECHATPAY/SIGNTEST/`, as WeChat's
 *   deliberate probes do; a client must refuse it.
 * - `'stale-timestamp'` (APIv3): signed correctly, but `Wechatpay-Timestamp` is 10 minutes old.
 * - `'unknown-serial'` (APIv3): signed with a fresh key under a `Wechatpay-Serial` nobody knows.
 * - `'slow'`: the right answer after `delayMs`.
 * - `'drop'`: the socket is destroyed without an answer.
 * - `'garbage'`: the usual status and headers over a body that is neither XML nor JSON.
 */
export type HostileMode =
  | 'bad-sign'
  | 'no-sign'
  | 'wrong-key-sign'
  | 'signtest'
  | 'stale-timestamp'
  | 'unknown-serial'
  | 'slow'
  | 'drop'
  | 'garbage';

/** The hostile modes that spoil a signature (the others concern the connection or the body). */
export type SignatureHostileMode = Exclude<HostileMode, 'slow' | 'drop' | 'garbage'>;

/**
 * How a refund the sandbox accepted ends (the APIv3 refund `status`; APIv2 查询退款 says CHANGE for
 * ABNORMAL and REFUNDCLOSE for CLOSED). PROCESSING never settles: no notice follows.
 */
export type RefundOutcome = 'SUCCESS' | 'ABNORMAL' | 'CLOSED' | 'PROCESSING';

/** An APIv3 error the sandbox is told to answer instead of processing the next call(s). */
export interface FailNextOptions {
  /**
   * The APIv3 path to fail, without query: as called (`/v3/businesscircle/user-authorizations/oX…`) or as
   * its template (`/v3/businesscircle/user-authorizations/{openid}`).
   * @default any APIv3 path
   */
  path?: string;
  /** HTTP status, 400–599: e.g. 429 for FREQUENCY_LIMITED, 500 for SYSTEM_ERROR. */
  status: number;
  /** The error `code`, e.g. `FREQUENCY_LIMITED`, `SYSTEM_ERROR`, `PARAM_ERROR`. */
  code: string;
  /** The error `message`. @default a message WeChat would give for `code` */
  message?: string;
  /**
   * The error `detail` object, e.g. `{ field, value, issue, location }`.
   * @default none: the answer has no `detail`
   */
  detail?: Record<string, unknown>;
  /**
   * How many calls fail.
   * @default 1
   */
  count?: number;
}

/**
 * A change to the next successful API answer(s), made before the answer is signed: an answer WeChat Pay
 * signed correctly whose content a client does not expect (a field missing, a new value, a new field).
 */
export interface AnswerOverride {
  /**
   * The API path, without query: as called, or (APIv3) as its template.
   * @default any API path
   */
  path?: string;
  /** Top-level fields to leave out of the answer. */
  omit?: string[];
  /** Top-level fields to add or replace (APIv2 answers: strings). */
  set?: Record<string, unknown>;
  /**
   * How many successful answers are changed.
   * @default 1
   */
  count?: number;
}

/** What {@link Sandbox.sendV3Notice} sends. */
export interface SendV3NoticeOptions {
  /** The merchant's notify URL (http or https). */
  url: string;
  /**
   * The merchant the notice is for: its APIv3 key encrypts the resource.
   * @default the first merchant in the config
   */
  mchId?: string;
  /** 通知类型, e.g. `TRANSACTION.SUCCESS`, `VEHICLE.ENTRANCE_STATE_CHANGE`, `MALL_TRANSACTION.SUCCESS`. */
  event_type: string;
  /** @default 'encrypt-resource' */
  resource_type?: string;
  /** 回调摘要. @default a summary WeChat would give for `event_type`, else '通知' */
  summary?: string;
  /** The plaintext resource: encrypted as JSON under the merchant's APIv3 key. */
  resource: Record<string, unknown>;
  /**
   * `resource.original_type`, also used as `associated_data`.
   * @default derived from `event_type` (e.g. 'transaction' for TRANSACTION.*)
   */
  original_type?: string;
  /** 通知ID: keep it to test deduplication. @default a random UUID */
  id?: string;
  /**
   * Which key signs the notice.
   * @default the sandbox's current key mode
   */
  keyMode?: V3KeyMode;
  /**
   * Spoils the notice's signature the way the hostile mode of that name spoils an answer.
   * @default none: a genuine signature
   */
  hostile?: SignatureHostileMode;
  /**
   * Attempts after one the merchant did not acknowledge (not 200/204), a second apart; at most 5. WeChat
   * retries for a day; the sandbox only when asked. The delivery resolves with the last answer.
   * @default 0
   */
  retries?: number;
}

/** What happened to a notice sent by {@link Sandbox.sendV3Notice}. */
export interface V3NoticeDelivery {
  /** The merchant's HTTP status: 200 or 204 means received (WeChat looks at nothing else). */
  status: number;
  /** The merchant's answer body. */
  body: string;
  /** The exact JSON body sent, for replaying it byte for byte. */
  envelope: string;
  /** The exact headers sent (`Wechatpay-*`, `Content-Type`, `User-Agent`). */
  headers: Record<string, string>;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43210`. */
  readonly url: string;
  /** The HTTPS listener's base URL (same routes and state), with `https: true`. */
  readonly httpsUrl?: string;
  /** The HTTPS listener's CA and certificates, with `https: true`. */
  readonly tls?: SandboxTls;
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
  /**
   * Makes the next `count` refunds accepted (APIv3 退款申请 or APIv2 申请退款, default 1) end in `status`
   * instead of SUCCESS: the refund's status, its query and its notice (`REFUND.ABNORMAL`, `REFUND.CLOSED`;
   * APIv2 `refund_status` CHANGE, REFUNDCLOSE) agree. A CLOSED refund gives its amount back to the order;
   * PROCESSING stays so and sends nothing. Queued like hostile modes: first set, first used.
   */
  setRefundOutcome(status: RefundOutcome, options?: { count?: number }): void;
  /** The current APIv3 key mode. */
  readonly keyMode: V3KeyMode;
  /** Switches the key that signs APIv3 answers and callbacks from now on. */
  setKeyMode(mode: V3KeyMode): void;
  /**
   * Creates a platform certificate with a fresh key, lists it in `GET /v3/certificates` at once and signs
   * 'certificate'-mode answers with it from now on. The previous ones stay listed, and answer requests that
   * name them in `Wechatpay-Serial`, until retired.
   */
  rotatePlatformCertificate(): { serialNo: string };
  /**
   * Stops listing and using a platform certificate.
   * @throws `SandboxUsageError` for an unknown serial, or for the last certificate left.
   */
  retirePlatformCertificate(serialNo: string): void;
  /**
   * Makes the next `count` APIv3 calls (on `path`, or on any APIv3 path) answer this error instead of being
   * processed. Applies after the `Authorization` check, so unsigned calls still get 401. Queued like hostile
   * modes: first set, first used.
   */
  failNext(options: FailNextOptions): void;
  /**
   * Changes the next `count` successful answers (on `path`, or on any API path) before they are signed: an
   * APIv2 answer with result_code SUCCESS, an APIv3 2xx answer with a JSON body. Queued: first set, first
   * used.
   */
  overrideNextAnswer(options: AnswerOverride): void;
  /**
   * Sends an APIv3 callback as WeChat Pay does: the resource encrypted with the merchant's APIv3 key
   * (AEAD_AES_256_GCM), the envelope signed with the platform key, POSTed as JSON. Resolves with the
   * merchant's answer and what was sent; rejects with `CallbackError` when the URL cannot be reached.
   */
  sendV3Notice(options: SendV3NoticeOptions): Promise<V3NoticeDelivery>;
  /** Stops listening, ends open connections (keep-alive included) and abandons pending callbacks. */
  close(): Promise<void>;
}
