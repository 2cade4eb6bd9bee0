import { randomBytes } from 'node:crypto';
import { createClient, formatChinaRfc3339 } from '@wxpark/core';
import type { SandboxConfig, SandboxMerchant } from '@wxpark/sandbox';
import { vehicleV2 } from '@wxpark/vehicle-v2';
import type { CommandContext } from '../context.ts';
import { CliError, usageError } from '../errors.ts';
import { checkHttpUrl, readData } from '../input.ts';
import { type Delivery, describeNotice, startRelay } from '../relay.ts';
import { closeMatches } from '../routes.ts';
import { SandboxAdmin } from '../sandbox-admin.ts';

/** Options of `wxpark trigger`. */
export interface TriggerOptions {
  forwardTo?: string;
  sandboxUrl?: string;
  mchId?: string;
  data?: string;
  list?: boolean;
}

/** What an event needs from the sandbox's configuration to build a plausible resource. */
interface EventScene {
  merchant: SandboxMerchant;
  config: SandboxConfig;
  now: Date;
  serial: string;
}

interface V3Event {
  protocol: 'v3';
  family: string;
  title: string;
  resource(scene: EventScene): Record<string, unknown>;
}

interface V2Event {
  protocol: 'v2';
  family: string;
  title: string;
}

type TriggerEvent = V2Event | V3Event;

function plate(config: SandboxConfig) {
  return config.vehicleUsers.find((user) => user.user_state === 'NORMAL' && user.plate_number && user.openid);
}

function member(config: SandboxConfig) {
  return config.mallMembers?.find((m) => m.authorize_state === 'AUTHORIZED');
}

function parkingTransaction(scene: EventScene, state: Record<string, unknown>): Record<string, unknown> {
  const { merchant, config, now, serial } = scene;
  const owner = plate(config);
  return {
    appid: merchant.appId,
    sp_mchid: merchant.mchId,
    description: '停车费',
    create_time: formatChinaRfc3339(new Date(now.getTime() - 60_000)),
    out_trade_no: `CLI${serial}`,
    transaction_id: `4200${serial}`,
    trade_scene: 'PARKING',
    parking_info: {
      parking_id: config.parkingLots?.[0]?.wx_parking_lot_id ?? 'PARKING_ID',
      plate_number: owner?.plate_number ?? '粤B888888',
      plate_color: 'BLUE',
      start_time: formatChinaRfc3339(new Date(now.getTime() - 3_600_000)),
      end_time: formatChinaRfc3339(now),
      parking_name: config.parkingLots?.[0]?.parking_lot_name ?? '示例停车场',
      charging_duration: 3600,
      device_id: 'GATE-1',
    },
    payer: { openid: owner?.openid ?? 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total: 1500, currency: 'CNY', payer_total: 1500, discount_total: 0 },
    ...state,
  };
}

/** Every notice of the three families: the APIv2 vehicle notices and the APIv3 parking and mall ones. */
const events: Record<string, TriggerEvent> = {
  'v2.plate-state': { protocol: 'v2', family: 'vehicle-v2', title: '车牌状态变更通知' },
  'v2.pay-result': { protocol: 'v2', family: 'vehicle-v2', title: '扣费结果通知' },
  'VEHICLE.ENTRANCE_STATE_CHANGE': {
    protocol: 'v3',
    family: 'parking-v3',
    title: '停车入场状态变更通知',
    resource: ({ merchant, config, now, serial }) => {
      const lot = config.parkingLots?.find((l) => l.mchId === merchant.mchId) ?? config.parkingLots?.[0];
      return {
        sp_mchid: merchant.mchId,
        parking_id: lot?.wx_parking_lot_id ?? 'PARKING_ID',
        out_parking_no: `CLI${serial}`,
        plate_number: plate(config)?.plate_number ?? '粤B888888',
        plate_color: 'BLUE',
        start_time: formatChinaRfc3339(new Date(now.getTime() - 600_000)),
        parking_name: lot?.parking_lot_name ?? '示例停车场',
        free_duration: 3600,
        parking_state: 'BLOCKED',
        blocked_state_description: 'OVERDUE',
        state_update_time: now.toISOString().replace('Z', '+00:00'),
      };
    },
  },
  'TRANSACTION.SUCCESS': {
    protocol: 'v3',
    family: 'parking-v3',
    title: '支付成功通知 (停车)',
    resource: (scene) =>
      parkingTransaction(scene, {
        trade_state: 'SUCCESS',
        trade_state_description: '支付成功',
        success_time: formatChinaRfc3339(scene.now),
        bank_type: 'OTHERS',
        user_repaid: 'N',
      }),
  },
  'TRANSACTION.FAIL': {
    protocol: 'v3',
    family: 'parking-v3',
    title: '支付失败通知 (停车)',
    resource: (scene) =>
      parkingTransaction(scene, {
        trade_state: 'PAY_FAIL',
        trade_state_description: '用户余额不足',
        user_repaid: 'N',
      }),
  },
  'TRANSACTION.PAY_BACK': {
    protocol: 'v3',
    family: 'parking-v3',
    title: '用户还款通知 (停车)',
    resource: (scene) =>
      parkingTransaction(scene, {
        trade_state: 'SUCCESS',
        trade_state_description: '用户还款成功',
        success_time: formatChinaRfc3339(scene.now),
        bank_type: 'OTHERS',
        user_repaid: 'Y',
      }),
  },
  'PARKING_FEE.QUERY_TRANS_INFO': {
    protocol: 'v3',
    family: 'parking-v3',
    title: '停车费查询通知',
    resource: ({ config, serial }) => ({
      out_serial_number: `CLI${serial}`,
      plate_number: plate(config)?.plate_number ?? '粤B888888',
      out_parking_id: config.parkingLots?.[0]?.out_parking_lot_id ?? 'LOT-A',
    }),
  },
  'MALL_AUTH.ACTIVATE_CARD': {
    protocol: 'v3',
    family: 'businesscircle',
    title: '商圈会员积分服务授权结果通知',
    resource: ({ merchant, config, serial }) => ({
      openid: member(config)?.openid ?? 'oWmnN4xxxxxxxxxxe92NHIGf1xd8',
      code: `CLI${serial}`,
      mchid: merchant.mchId,
      auth_type: 'REGISTERED_MODE',
    }),
  },
  'MALL_TRANSACTION.SUCCESS': {
    protocol: 'v3',
    family: 'businesscircle',
    title: '商圈会员场内支付结果通知',
    resource: ({ merchant, config, now, serial }) => ({
      mchid: merchant.mchId,
      merchant_name: '示例商户',
      shop_name: '示例门店',
      shop_number: 'SHOP-1',
      appid: config.brands?.[0]?.appId ?? merchant.appId,
      openid: member(config)?.openid ?? 'oWmnN4xxxxxxxxxxe92NHIGf1xd8',
      time_end: formatChinaRfc3339(now),
      amount: 8800,
      transaction_id: `4200${serial}`,
    }),
  },
  'MALL_REFUND.SUCCESS': {
    protocol: 'v3',
    family: 'businesscircle',
    title: '商圈会员场内退款结果通知',
    resource: ({ merchant, config, now, serial }) => ({
      mchid: merchant.mchId,
      merchant_name: '示例商户',
      shop_name: '示例门店',
      shop_number: 'SHOP-1',
      appid: config.brands?.[0]?.appId ?? merchant.appId,
      openid: member(config)?.openid ?? 'oWmnN4xxxxxxxxxxe92NHIGf1xd8',
      refund_time: formatChinaRfc3339(now),
      pay_amount: 8800,
      refund_amount: 8800,
      transaction_id: `4200${serial}`,
      refund_id: `5030${serial}`,
    }),
  },
};

/** The event names `wxpark trigger` knows. */
export function triggerEventNames(): string[] {
  return Object.keys(events);
}

function findEvent(given: string): [string, TriggerEvent] {
  const name = Object.keys(events).find((key) => key.toLowerCase() === given.trim().toLowerCase());
  if (name) return [name, events[name]!];
  const close = closeMatches(given, Object.keys(events));
  throw usageError(
    'UNKNOWN_EVENT',
    `unknown event ${JSON.stringify(given)}; ${close.length > 0 ? `did you mean ${close.join(', ')}?` : `expected one of ${Object.keys(events).join(', ')}`}`,
  );
}

/** `wxpark trigger <event>`: the sandbox signs and sends one genuine notice to the user's server. */
export async function triggerCommand(
  ctx: CommandContext,
  given: string | undefined,
  options: TriggerOptions,
): Promise<number> {
  const { out } = ctx;
  if (options.list) {
    const rows = Object.entries(events).map(([name, event]) => ({
      event: name,
      protocol: event.protocol,
      family: event.family,
      title: event.title,
    }));
    if (out.json) out.document(rows);
    else
      for (const row of rows)
        out.line(`${row.event.padEnd(30)} ${row.protocol}  ${row.family.padEnd(15)} ${row.title}`);
    return 0;
  }
  if (given === undefined)
    throw usageError('MISSING_EVENT', `trigger: missing <event> (one of ${Object.keys(events).join(', ')})`);
  const [name, event] = findEvent(given);
  if (options.forwardTo === undefined)
    throw usageError('MISSING_TARGET', 'trigger: --forward-to <url> names your notice endpoint');
  checkHttpUrl(options.forwardTo, '--forward-to');
  const forwardTo = options.forwardTo;
  const sandboxUrl = options.sandboxUrl ?? loopbackBaseUrl(ctx);
  if (!sandboxUrl)
    throw usageError(
      'MISSING_SANDBOX',
      'trigger: needs a running sandbox: --sandbox-url or WXPARK_SANDBOX_URL (start one with `wxpark sandbox`)',
    );
  const admin = new SandboxAdmin(sandboxUrl);
  const overrides = await readData(options.data, ctx.io);
  const config = await admin.config();
  const merchant = pickMerchant(config, options.mchId, event.protocol);
  const delivery = await out.wait(`sending ${name} to ${forwardTo}`, () =>
    event.protocol === 'v3'
      ? sendV3(
          admin,
          name,
          event,
          { merchant, config, now: new Date(), serial: randomSerial() },
          forwardTo,
          overrides,
        )
      : sendV2(admin, name, merchant, config, forwardTo, overrides),
  );
  printDelivery(ctx, delivery, forwardTo);
  return delivery.acknowledged ? 0 : 1;
}

/** The configured API host when it is a sandbox on this machine (never WeChat Pay's own hosts). */
function loopbackBaseUrl(ctx: CommandContext): string | undefined {
  const baseUrl = ctx.settings().values.baseUrl;
  if (!baseUrl) return undefined;
  try {
    const { hostname } = new URL(baseUrl);
    return ['127.0.0.1', 'localhost', '[::1]'].includes(hostname) ? baseUrl : undefined;
  } catch {
    return undefined;
  }
}

function randomSerial(): string {
  return `${Date.now()}${randomBytes(3).readUIntBE(0, 3)}`.slice(0, 20);
}

function pickMerchant(
  config: SandboxConfig,
  mchId: string | undefined,
  protocol: 'v2' | 'v3',
): SandboxMerchant {
  if (mchId !== undefined) {
    const found = config.merchants.find((m) => m.mchId === mchId);
    if (!found)
      throw usageError(
        'UNKNOWN_MERCHANT',
        `--mch-id ${mchId}: not a sandbox merchant (${config.merchants.map((m) => m.mchId).join(', ')})`,
      );
    if (protocol === 'v2' && found.subMerchants?.length)
      throw usageError(
        'SERVICE_PROVIDER',
        `--mch-id ${mchId}: the APIv2 events run as a direct merchant, and this one is a service provider`,
      );
    return found;
  }
  // The APIv2 flows use the direct-merchant paths (/vehicle/pay/…).
  const direct = protocol === 'v2' ? config.merchants.find((m) => !m.subMerchants?.length) : undefined;
  return direct ?? config.merchants[0]!;
}

async function sendV3(
  admin: SandboxAdmin,
  name: string,
  event: V3Event,
  scene: EventScene,
  forwardTo: string,
  overrides: Record<string, unknown>,
): Promise<Delivery> {
  const answer = await admin.sendV3Notice({
    url: forwardTo,
    mchId: scene.merchant.mchId,
    event_type: name,
    resource: { ...event.resource(scene), ...overrides },
  });
  return {
    ...describeNotice(answer.envelope),
    status: answer.status,
    reply: answer.body,
    acknowledged: answer.status === 200 || answer.status === 204,
  };
}

/**
 * The APIv2 notices follow genuine flows: a 用户入场通知 (or 申请扣款) whose notify_url is a local relay,
 * then the sandbox's 车牌状态变更通知 (or its 扣费结果通知), which the relay passes on unchanged.
 */
async function sendV2(
  admin: SandboxAdmin,
  name: string,
  merchant: SandboxMerchant,
  config: SandboxConfig,
  forwardTo: string,
  overrides: Record<string, unknown>,
): Promise<Delivery> {
  const owner = plate(config);
  if (!owner)
    throw usageError('NO_CAR_OWNER', 'the sandbox has no NORMAL car owner with a plate and an openid');
  let resolveDelivery: (delivery: Delivery) => void = () => {};
  const delivered = new Promise<Delivery>((resolve) => {
    resolveDelivery = resolve;
  });
  const relay = await startRelay(forwardTo, (delivery) => resolveDelivery(delivery));
  try {
    const client = createClient(
      { baseUrl: admin.url, backupBaseUrls: [], v2: { apiKey: merchant.v2ApiKey } },
      [vehicleV2],
    );
    const ids = { appid: merchant.appId, mch_id: merchant.mchId };
    if (name === 'v2.plate-state') {
      await client.v2.vehicle.pay.notification({
        ...ids,
        trade_scene: 'PARKING',
        scene_info: {
          start_time: new Date(),
          notify_url: relay.url,
          plate_number: owner.plate_number!,
          parking_name: config.parkingLots?.[0]?.parking_lot_name ?? '示例停车场',
          free_time: '600',
        },
      });
      const vehicle_event_type =
        typeof overrides.vehicle_event_type === 'string' ? overrides.vehicle_event_type : 'BLOCKED';
      await admin.sendPlateState({ plate_number: owner.plate_number!, vehicle_event_type });
    } else {
      await client.v2.vehicle.pay.payapply({
        ...ids,
        body: '停车费',
        out_trade_no:
          typeof overrides.out_trade_no === 'string' ? overrides.out_trade_no : `CLI${randomSerial()}`,
        total_fee: typeof overrides.total_fee === 'number' ? overrides.total_fee : 1500,
        spbill_create_ip: '127.0.0.1',
        notify_url: relay.url,
        openid: owner.openid!,
        trade_scene: 'PARKING',
        scene_info: {
          start_time: new Date(Date.now() - 3_600_000),
          end_time: new Date(),
          charging_time: '3600',
          plate_number: owner.plate_number!,
          parking_name: config.parkingLots?.[0]?.parking_lot_name ?? '示例停车场',
          deduct_mode: 'AUTOPAY',
          support_deduct_mode: 'DEDUCT_ALL',
        },
      });
    }
    // The 扣费结果通知 follows the acceptance; both wait at most the sandbox's callback timeout.
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new CliError('NO_NOTICE', `the sandbox sent no ${name} within 15 s`)),
        15_000,
      ).unref(),
    );
    return await Promise.race([delivered, timeout]);
  } finally {
    await relay.close();
  }
}

/** Prints one delivery: what was sent, the receiver's status, and its reply. */
export function printDelivery(ctx: CommandContext, delivery: Delivery, target: string): void {
  const { out } = ctx;
  if (out.json) {
    out.document({ ok: delivery.acknowledged, target, ...delivery });
    return;
  }
  const verdict = delivery.acknowledged
    ? out.style('green', 'acknowledged')
    : out.style('red', delivery.status === undefined ? 'not delivered' : 'NOT acknowledged');
  out.line(
    `${out.style('bold', delivery.event)} (${delivery.protocol}${delivery.id ? ` ${delivery.id}` : ''}) → ${target}: ${delivery.status ?? '—'} ${verdict}`,
  );
  if (delivery.reply) out.line(`  ${delivery.reply.slice(0, 2000).replace(/\n/g, '\n  ')}`);
}
