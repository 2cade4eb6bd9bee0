import { readFileSync } from 'node:fs';
import type { ClientOptions } from '@wxpark/core';
import type { GatewayTargets } from './gateway.ts';

/** A configuration problem, reported as one line per problem at start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`configuration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** The gateway's settings: how to reach WeChat Pay, and where gate events go. */
export interface GatewayConfig {
  client: ClientOptions;
  targets: GatewayTargets;
  /** Base URL WeChat Pay reaches this gateway's callbacks at (notify_url), if any. */
  publicUrl?: string;
  /** Calls per second to WeChat Pay for this merchant, shared by every instance on the database. */
  rate?: { perSecond: number; burst?: number };
}

/** Reads the outbox settings every deployment has (live or sandbox): the merchant rate limit. */
export function readOutboxSettings(env: NodeJS.ProcessEnv): Pick<GatewayConfig, 'rate'> {
  const raw = env.WXPARK_RATE_LIMIT ?? '50';
  if (raw === 'off') return {};
  const perSecond = Number(raw);
  if (!(perSecond > 0 && perSecond <= 10_000))
    throw new ConfigError([
      `WXPARK_RATE_LIMIT: expected calls per second (1 to 10000) or off, got ${JSON.stringify(raw)}`,
    ]);
  return { rate: { perSecond } };
}

/**
 * The environment variables the gateway reads. With none of the `WXPAY_` ones set it runs on the embedded
 * sandbox; with any set, all that their API needs must be set too.
 */
export const environmentVariables = {
  WXPAY_MCH_ID: '商户号 (direct merchant, or the service provider)',
  WXPAY_APPID: '公众账号ID bound to the merchant',
  WXPAY_V2_API_KEY: 'APIv2密钥 (32 characters): enables the APIv2 用户入场通知',
  WXPAY_SUB_MCH_ID: '子商户号: service providers only (partnerpay)',
  WXPAY_SUB_APPID: '子商户公众账号ID: service providers, required with WXPAY_SUB_MCH_ID',
  WXPAY_V3_SERIAL_NO: '商户API证书序列号: enables APIv3',
  WXPAY_V3_PRIVATE_KEY_FILE: 'path of apiclient_key.pem',
  WXPAY_V3_API_KEY: 'APIv3密钥 (32 bytes): decrypts callbacks (and certificates)',
  WXPAY_PUBLIC_KEY_ID: '微信支付公钥ID (PUB_KEY_ID_…); without it, platform certificates are downloaded',
  WXPAY_PUBLIC_KEY_FILE: 'path of the 微信支付公钥 PEM',
  WXPAY_PARKING_ID: '微信停车场ID: enables 同步车辆入场/出场通知 (APIv3)',
  WXPAY_MALL_BRAND_ID: '商圈品牌ID: enables 商圈会员停车状态同步 for members',
  WXPAY_MALL_APPID: 'appid of the mall mini-program (defaults to WXPAY_APPID)',
  WXPAY_MALL_SUB_MCHID: '商圈子商户号, service providers only',
  WXPAY_SCORE_PARKING:
    'on: 微信支付分停车服务 (APIv3): 创建停车入场 at entry, 扣费受理 at exit; needs WXPARK_PUBLIC_URL',
  WXPAY_BASE_URL: 'API host (default https://api.mch.weixin.qq.com)',
  WXPARK_CHARGE_FEN_PER_HOUR:
    'fen per started hour past the free time: charges each stay at exit (扣费受理 or 申请扣款); needs WXPARK_PUBLIC_URL',
  WXPARK_SERVER_IP: "this server's IP, the 终端IP of 申请扣款 (required to charge through APIv2)",
  WXPARK_ADVANCE_FUNDING:
    'on: the merchant has 垫资 for the 车主平台, so a car leaves once 申请扣款 is accepted',
  WXPARK_PARKING_NAME: '停车场名称 (default 示例停车场)',
  WXPARK_FREE_TIME: '免费时长 in seconds for APIv2 (default 900)',
  WXPARK_PUBLIC_URL: "this gateway's public https base URL, for notify_url",
  WXPARK_DB: 'SQLite file (default ./data/gateway.sqlite)',
  DATABASE_URL: 'postgres://… : PostgreSQL instead of SQLite, shared by a fleet of gateway instances',
  WXPARK_RATE_LIMIT:
    'calls per second to WeChat Pay for this merchant, across all instances (default 50, or off)',
  WXPARK_LEASE_MS: 'milliseconds an instance holds a call before another may take it over (default 30000)',
  PORT: 'HTTP port (default 8080)',
} as const;

/** True when the environment names no WeChat Pay credentials: the gateway then runs on the sandbox. */
export function wantsSandbox(env: NodeJS.ProcessEnv): boolean {
  return !Object.keys(environmentVariables).some((name) => name.startsWith('WXPAY_') && env[name]);
}

function readPem(path: string, name: string, problems: string[]): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('-----BEGIN')) problems.push(`${name}: ${path} is not a PEM file`);
    return text;
  } catch (error) {
    problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

/** Reads and checks the live configuration; every problem is collected, then thrown as one ConfigError. */
export function readLiveConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const problems: string[] = [];
  const need = (name: keyof typeof environmentVariables, why: string) => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is required ${why} (${environmentVariables[name]})`);
    return value ?? '';
  };
  const mchId = need('WXPAY_MCH_ID', 'for every call');
  if (mchId && !/^\d{1,32}$/.test(mchId))
    problems.push(`WXPAY_MCH_ID: expected digits, got ${JSON.stringify(mchId)}`);
  const appid = need('WXPAY_APPID', 'for every call');
  const publicUrl = env.WXPARK_PUBLIC_URL?.replace(/\/+$/, '');
  if (publicUrl && !/^https?:\/\//.test(publicUrl))
    problems.push('WXPARK_PUBLIC_URL: expected an http(s) URL');

  const client: ClientOptions = { mchId };
  if (env.WXPAY_BASE_URL) {
    client.baseUrl = env.WXPAY_BASE_URL.replace(/\/+$/, '');
    client.backupBaseUrls = [];
  }
  const targets: GatewayTargets = {
    parkingName: env.WXPARK_PARKING_NAME ?? '示例停车场',
  };
  if (env.WXPAY_V2_API_KEY) {
    if (env.WXPAY_V2_API_KEY.length !== 32)
      problems.push('WXPAY_V2_API_KEY: expected 32 characters (the APIv2 key, not the APIv3 key)');
    client.v2 = { apiKey: env.WXPAY_V2_API_KEY };
    const free_time = env.WXPARK_FREE_TIME ?? '900';
    if (!/^\d+$/.test(free_time)) problems.push('WXPARK_FREE_TIME: expected whole seconds');
    if (env.WXPAY_SUB_MCH_ID && !env.WXPAY_SUB_APPID)
      problems.push(
        'WXPAY_SUB_APPID is required with WXPAY_SUB_MCH_ID (用户入场通知 for service providers needs sub_appid)',
      );
    targets.v2 = {
      appid,
      mch_id: mchId,
      free_time,
      ...(env.WXPAY_SUB_MCH_ID ? { sub_mch_id: env.WXPAY_SUB_MCH_ID } : {}),
      ...(env.WXPAY_SUB_APPID ? { sub_appid: env.WXPAY_SUB_APPID } : {}),
      ...(publicUrl ? { notify_url: `${publicUrl}/wxpay/v2/notify` } : {}),
    };
  }
  const wantsV3 = Boolean(
    env.WXPAY_PARKING_ID || env.WXPAY_MALL_BRAND_ID || env.WXPAY_V3_SERIAL_NO || env.WXPAY_SCORE_PARKING,
  );
  if (wantsV3) {
    const serialNo = need('WXPAY_V3_SERIAL_NO', 'for APIv3');
    const keyFile = need('WXPAY_V3_PRIVATE_KEY_FILE', 'for APIv3');
    const apiV3Key = need('WXPAY_V3_API_KEY', 'for APIv3 callbacks');
    if (apiV3Key && Buffer.byteLength(apiV3Key) !== 32)
      problems.push('WXPAY_V3_API_KEY: expected 32 bytes (the APIv3 key, not the APIv2 key)');
    const privateKey = keyFile ? readPem(keyFile, 'WXPAY_V3_PRIVATE_KEY_FILE', problems) : undefined;
    const publicKeyId = env.WXPAY_PUBLIC_KEY_ID;
    let publicKey: string | undefined;
    if (publicKeyId) {
      if (!publicKeyId.startsWith('PUB_KEY_ID_')) problems.push('WXPAY_PUBLIC_KEY_ID: expected PUB_KEY_ID_…');
      const file = need('WXPAY_PUBLIC_KEY_FILE', 'with WXPAY_PUBLIC_KEY_ID');
      publicKey = file ? readPem(file, 'WXPAY_PUBLIC_KEY_FILE', problems) : undefined;
    }
    client.v3 = {
      serialNo,
      ...(privateKey ? { privateKey } : {}),
      ...(apiV3Key ? { apiV3Key } : {}),
      ...(publicKeyId && publicKey
        ? { publicKey: { id: publicKeyId, key: publicKey } }
        : { certificates: 'download' as const }),
    };
    if (env.WXPAY_PARKING_ID) targets.v3 = { parking_id: env.WXPAY_PARKING_ID };
    if (env.WXPAY_SCORE_PARKING === 'on') {
      if (!publicUrl)
        problems.push('WXPARK_PUBLIC_URL is required with WXPAY_SCORE_PARKING (its notify_url)');
      targets.scoreParking = {
        appid,
        free_duration: Number(env.WXPARK_FREE_TIME ?? '900'),
        ...(env.WXPAY_SUB_MCH_ID ? { sub_mchid: env.WXPAY_SUB_MCH_ID } : {}),
        ...(env.WXPAY_SUB_APPID ? { sub_appid: env.WXPAY_SUB_APPID } : {}),
        ...(publicUrl ? { notify_url: `${publicUrl}/wxpay/v3/notify` } : {}),
      };
    }
    if (env.WXPAY_MALL_BRAND_ID) {
      const brandid = Number(env.WXPAY_MALL_BRAND_ID);
      if (!Number.isSafeInteger(brandid) || brandid <= 0)
        problems.push('WXPAY_MALL_BRAND_ID: expected a positive integer');
      targets.mall = {
        brandid,
        appid: env.WXPAY_MALL_APPID ?? appid,
        ...(env.WXPAY_MALL_SUB_MCHID ? { sub_mchid: env.WXPAY_MALL_SUB_MCHID } : {}),
      };
    }
  }
  if (env.WXPARK_CHARGE_FEN_PER_HOUR) {
    const fenPerHour = Number(env.WXPARK_CHARGE_FEN_PER_HOUR);
    if (!Number.isSafeInteger(fenPerHour) || fenPerHour <= 0)
      problems.push('WXPARK_CHARGE_FEN_PER_HOUR: expected a positive whole number of fen');
    if (!publicUrl)
      problems.push('WXPARK_PUBLIC_URL is required with WXPARK_CHARGE_FEN_PER_HOUR (notify_url)');
    const serverIp = env.WXPARK_SERVER_IP?.trim() ?? '';
    if (targets.v2 && !/^[0-9a-fA-F:.]{3,16}$/.test(serverIp))
      problems.push('WXPARK_SERVER_IP: expected the IP address of this server (at most 16 characters)');
    targets.charge = {
      fenPerHour,
      freeSeconds: Number(env.WXPARK_FREE_TIME ?? '900'),
      spbill_create_ip: serverIp,
      advanceFunding: env.WXPARK_ADVANCE_FUNDING === 'on',
    };
  }
  if (!targets.v2 && !targets.v3 && !targets.mall && !targets.scoreParking)
    problems.push('nothing to send: set WXPAY_V2_API_KEY, WXPAY_PARKING_ID or WXPAY_MALL_BRAND_ID');
  if (problems.length > 0) throw new ConfigError(problems);
  return { client, targets, ...(publicUrl ? { publicUrl } : {}) };
}
