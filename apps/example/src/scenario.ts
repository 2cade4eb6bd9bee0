import type { Sandbox } from '@wxpark/sandbox';
import type { GatewayApp } from './app.ts';
import type { GatewayConfig } from './config.ts';
import type { CallOutcome, GateOutcome } from './gateway.ts';

const titles: Record<string, string> = {
  'v2/vehicle/pay/notification': 'APIv2 用户入场通知',
  'v2/vehicle/partnerpay/notification': 'APIv2 用户入场通知 (服务商)',
  'v3/parking/reminders/entry': 'APIv3 同步车辆入场通知',
  'v3/parking/reminders/exit': 'APIv3 同步车辆出场通知',
  'v3/businesscircle/parkings': 'APIv3 商圈会员停车状态同步',
  'v3/vehicle/parking/parkings': 'APIv3 创建停车入场 (微信支付分停车)',
  'v3/vehicle/transactions/parking': 'APIv3 扣费受理 (微信支付分停车)',
  'v2/vehicle/pay/payapply': 'APIv2 申请扣款',
  'v2/vehicle/partnerpay/payapply': 'APIv2 申请扣款 (服务商)',
};

function describeCall(call: CallOutcome): string {
  const title = titles[call.route] ?? call.route;
  if (call.status !== 'done') return `  → ${title}: ${call.status.toUpperCase()} — ${call.error}`;
  const data = (call.data ?? {}) as Record<string, unknown>;
  let answer: string;
  if (call.route.includes('/payapply'))
    answer = `${data.trade_state ? `trade_state ${data.trade_state}` : 'accepted'} (sign verified, HMAC-SHA256)`;
  else if (call.route.startsWith('v2/'))
    answer = `user_state ${data.user_state}, deduct_mode ${data.deduct_mode ?? '-'} (sign verified, HMAC-SHA256)`;
  else if (call.data === null) answer = `204 No Content (signature verified, key ${call.signedBy})`;
  else answer = `${JSON.stringify(call.data)} (signature verified, key ${call.signedBy})`;
  return `  → ${title}: ${answer}`;
}

interface GateInput {
  time?: string;
  plate_number: string;
  plate_color: string;
  vehicle_type: string;
  entrance_name?: string;
  openid?: string;
}

/** Drives the gateway as a gate controller would, over HTTP, and prints what happened. */
export async function runScenario(context: {
  app: GatewayApp;
  sandbox: Sandbox | undefined;
  config: GatewayConfig;
  log: (line: string) => void;
}): Promise<void> {
  const { app, sandbox, log } = context;
  if (!sandbox) {
    log(
      'the scripted scenario needs the embedded sandbox (it uses its test plates); run `serve` against WeChat Pay',
    );
    return;
  }
  async function gate(kind: 'entry' | 'exit', input: GateInput): Promise<GateOutcome | undefined> {
    const who = input.openid ? ` (mall member ${input.openid.slice(0, 8)}…)` : '';
    log(
      `\n${kind === 'entry' ? '▶ entry' : '◀ exit '} ${input.plate_number}${who}${input.entrance_name ? ` at ${input.entrance_name}` : ''}`,
    );
    const response = await fetch(`${app.url}/gate/${kind}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as GateOutcome & { error?: string };
    if (!response.ok) {
      log(`  gate refused: ${body.error}`);
      return undefined;
    }
    log(
      kind === 'entry'
        ? `  stay ${body.out_serial_number} and its calls written to SQLite before any call`
        : `  exit of stay ${body.out_serial_number} written to SQLite before any call`,
    );
    if (body.calls.length === 0) log('  (no API is configured for this event)');
    for (const call of body.calls) log(describeCall(call));
    if (body.gate) log(`  ⇒ gate: ${body.gate.action.toUpperCase()} — ${body.gate.reason}`);
    return body;
  }

  const users = sandbox.config.vehicleUsers;
  const normal = users.find((u) => u.user_state === 'NORMAL' && u.plate_number)!;
  const blocked = users.find((u) => u.user_state === 'BLOCK' && u.plate_number)!;
  const member = memberOf(sandbox);
  const car = { plate_color: 'PLATE_COLOR_BLUE', vehicle_type: 'VEHICLE_TYPE_SMALL' };
  // The cars came in 1 h 50 min ago: past the free time, so exits charge the tariff, and two started hours
  // however long the demo itself takes (at exactly two hours, one second of lag made it three).
  const time = new Date(Date.now() - 110 * 60_000).toISOString();

  await gate('entry', {
    time,
    plate_number: normal.plate_number!,
    ...car,
    entrance_name: '东门',
    ...(member ? { openid: member } : {}),
  });
  const arrears = await gate('entry', {
    time,
    plate_number: blocked.plate_number!,
    ...car,
    entrance_name: '北门',
  });
  const v2 = arrears?.calls.find((c) => c.route.startsWith('v2/'));
  if ((v2?.data as { user_state?: string } | undefined)?.user_state === 'BLOCK')
    log('  ! the car owner is in arrears (BLOCK): the gate asks for another way to pay');

  log(`\n… WeChat Pay reports a plate state change for ${normal.plate_number}`);
  await sandbox.sendPlateStateNotice(normal.plate_number!, { vehicle_event_type: 'BLOCKED' });

  if (context.config.client.v3) {
    log(`\n… WeChat Pay sends an APIv3 parking callback, then delivers it again`);
    const sent = await sandbox.sendV3Notice({
      url: `${app.url}/wxpay/v3/notify`,
      event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
      resource: {
        sp_mchid: context.config.client.mchId,
        parking_id: context.config.targets.v3?.parking_id,
        plate_number: normal.plate_number,
        plate_color: 'PLATE_COLOR_BLUE',
        state: 'ENTRANCE_STATE_IN',
      },
    });
    const repeat = await fetch(`${app.url}/wxpay/v3/notify`, {
      method: 'POST',
      headers: sent.headers,
      body: sent.envelope,
    });
    log(`  ← the same delivery again: verified, answered ${repeat.status} without processing it twice`);
    const forged = await fetch(`${app.url}/wxpay/v3/notify`, {
      method: 'POST',
      headers: sent.headers,
      body: sent.envelope.replace('"id":"', '"id":"forged-'),
    });
    log(`  ← a forged copy (body changed after signing): refused with ${forged.status}`);
  }

  const paid = await gate('exit', {
    plate_number: normal.plate_number!,
    ...car,
    ...(member ? { openid: member } : {}),
  });
  if (paid?.gate?.action === 'release') {
    // The 扣费结果 follows the acceptance as a notice; the stay's decision is kept up to date by it.
    for (let wait = 0; wait < 20; wait++) {
      const stay = (await (await fetch(`${app.url}/gate/stays/${paid.out_serial_number}`)).json()) as {
        gate?: { action: string; trade_state?: string; reason: string };
      };
      if (stay.gate?.trade_state === 'SUCCESS') {
        log(`  ← the deduction result arrived: ${stay.gate.action.toUpperCase()} — ${stay.gate.reason}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await gate('exit', { plate_number: blocked.plate_number!, ...car });
  await gate('exit', { plate_number: '粤Z00000', ...car });
}

function memberOf(sandbox: Sandbox): string | undefined {
  return sandbox.config.mallMembers?.find((m) => m.authorize_state === 'AUTHORIZED')?.openid;
}
