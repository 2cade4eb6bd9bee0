import { createClient } from '@wxpark/core';
import { tempDir, useSandbox } from '@wxpark/test-utils';
import { vehicleV2 } from '@wxpark/vehicle-v2';
import { beforeEach, describe, expect, it } from 'vitest';
import { runBin, startBin, startReceiver, writeConfig } from './helpers.ts';

const sandbox = await useSandbox();
const receiver = await startReceiver(sandbox);

beforeEach(() => {
  receiver.received.length = 0;
  receiver.settings.status = undefined;
});

/** Runs `wxpark trigger <event>` to this file's receiver through its sandbox; `before` goes ahead of the command. */
function trigger(event: string, { before = [], after = [] }: { before?: string[]; after?: string[] } = {}) {
  return runBin([
    ...before,
    'trigger',
    event,
    '--forward-to',
    receiver.url,
    '--sandbox-url',
    sandbox.url,
    ...after,
  ]);
}

const v3Events = [
  'VEHICLE.ENTRANCE_STATE_CHANGE',
  'TRANSACTION.SUCCESS',
  'TRANSACTION.FAIL',
  'TRANSACTION.PAY_BACK',
  'PARKING_FEE.QUERY_TRANS_INFO',
  'MALL_AUTH.ACTIVATE_CARD',
  'MALL_TRANSACTION.SUCCESS',
  'MALL_REFUND.SUCCESS',
];

describe('wxpark trigger', () => {
  it.each(v3Events)('sends a genuine %s that the real handler verifies and decrypts', async (event) => {
    const result = await trigger(event);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^${event.replace('.', '\\.')} \\(v3 [0-9a-f-]{36}\\) → ${receiver.url}: 204 acknowledged`),
    );
    expect(receiver.received).toHaveLength(1);
    const { notice } = receiver.received[0]! as { notice: { event_type: string; resource: object } };
    expect(notice.event_type).toBe(event);
    expect(Object.keys(notice.resource).length).toBeGreaterThan(2);
  });

  it('sends a genuine APIv2 车牌状态变更通知 through a real 用户入场通知 and prints the reply', async () => {
    const result = await trigger('v2.plate-state');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^v2\.plate-state \(v2 粤B888888\) → .*: 200 acknowledged\n {2}<xml><return_code><!\[CDATA\[SUCCESS\]\]>/,
    );
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.notice).toMatchObject({
      kind: 'plate-state',
      fields: { vehicle_event_type: 'BLOCKED' },
    });
  });

  it('sends a genuine APIv2 扣费结果通知 through a real 申请扣款', async () => {
    const result = await trigger('V2.PAY-RESULT', { before: ['--json'] });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      protocol: 'v2',
      event: 'v2.pay-result',
      status: 200,
      acknowledged: true,
    });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.notice).toMatchObject({
      kind: 'pay-result',
      fields: { trade_state: 'SUCCESS' },
    });
  });

  it('finds the sandbox from a --config whose baseUrl is on this machine', async () => {
    const config = writeConfig(sandbox, tempDir());
    const result = await runBin([
      '--config',
      config,
      'trigger',
      'TRANSACTION.FAIL',
      '--forward-to',
      receiver.url,
    ]);
    expect(result.code).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('merges --data into the resource', async () => {
    const result = await trigger('TRANSACTION.SUCCESS', { after: ['--data', '{"out_trade_no":"MINE-1"}'] });
    expect(result.code).toBe(0);
    expect(
      (receiver.received[0]!.notice as { resource: { out_trade_no: string } }).resource.out_trade_no,
    ).toBe('MINE-1');
  });

  it('exits 1 and prints the reply when the receiver does not acknowledge', async () => {
    receiver.settings.status = 500;
    const result = await trigger('MALL_REFUND.SUCCESS');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(': 500 NOT acknowledged');
    expect(result.stdout).toContain('{"code":"FAIL","message":"busy"}');
  });

  it('refuses an unknown event naming close ones: exit 2, nothing sent', async () => {
    const result = await trigger('TRANSACTION.SUCESS');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('did you mean TRANSACTION.SUCCESS');
    expect(receiver.received).toHaveLength(0);
  });

  it('needs a sandbox: exit 2 saying how to start one', async () => {
    const result = await runBin(['trigger', 'TRANSACTION.SUCCESS', '--forward-to', receiver.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--sandbox-url or WXPARK_SANDBOX_URL (start one with `wxpark sandbox`)');
  });

  it('--list names every event of the three families', async () => {
    const result = await runBin(['trigger', '--list']);
    expect(result.code).toBe(0);
    for (const event of [...v3Events, 'v2.plate-state', 'v2.pay-result'])
      expect(result.stdout).toContain(event);
  });
});

describe('wxpark listen', () => {
  it('forwards every notice the sandbox sends, whatever its notify_url, and prints each delivery and reply', async () => {
    const listen = startBin(['listen', '--forward-to', receiver.url, '--sandbox-url', sandbox.url], /Ready:/);
    await listen.started;
    // A payment whose notify_url points elsewhere: listen brings its 扣费结果通知 to the receiver.
    const merchant = sandbox.config.merchants.find((m) => !m.subMerchants?.length)!;
    const owner = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!;
    const client = createClient(
      { baseUrl: sandbox.url, backupBaseUrls: [], v2: { apiKey: merchant.v2ApiKey } },
      [vehicleV2],
    );
    await client.v2.vehicle.pay.payapply({
      appid: merchant.appId,
      mch_id: merchant.mchId,
      body: '停车费',
      out_trade_no: 'LISTEN-1',
      total_fee: 100,
      spbill_create_ip: '127.0.0.1',
      notify_url: 'https://merchant.invalid/notify',
      openid: owner.openid!,
      trade_scene: 'PARKING',
      scene_info: {
        start_time: new Date(Date.now() - 60_000),
        end_time: new Date(),
        charging_time: '60',
        plate_number: owner.plate_number!,
        parking_name: '停车场',
        deduct_mode: 'AUTOPAY',
        support_deduct_mode: 'DEDUCT_ALL',
      },
    });
    await sandbox.sendV3Notice({
      url: 'https://merchant.invalid/v3',
      event_type: 'MALL_AUTH.ACTIVATE_CARD',
      resource: { openid: 'o1', code: 'C1', mchid: merchant.mchId, auth_type: 'REGISTERED_MODE' },
    });
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => listen.output.stdout, { timeout: 5_000 }).toContain('MALL_AUTH.ACTIVATE_CARD');
    expect(listen.output.stdout).toMatch(/v2\.pay-result \(v2 LISTEN-1\) → .*: 200 acknowledged/);
    expect(listen.output.stdout).toMatch(
      /MALL_AUTH\.ACTIVATE_CARD \(v3 [0-9a-f-]{36}\) → .*: 204 acknowledged/,
    );
    expect(await listen.stop()).toBe(0);
    // Stopped: the sandbox sends to each notify_url again.
    const target = await (await fetch(`${sandbox.url}/__sandbox/notice-target`)).json();
    expect(target).toEqual({ url: null });
  });

  it('starts a sandbox of its own when given none, and prints its URL', async () => {
    const listen = startBin(
      ['listen', '--forward-to', receiver.url, '--port', '0'],
      /Ready: every notice from (http:\/\/127\.0\.0\.1:\d+)/,
    );
    const [, url] = await listen.started;
    expect(listen.output.stderr).toContain(`sandbox listening on ${url}`);
    const config = (await (await fetch(`${url}/__sandbox/config`)).json()) as { merchants: unknown[] };
    expect(config.merchants.length).toBeGreaterThan(0);
    expect(await listen.stop()).toBe(0);
  });

  it('refuses a --forward-to that is not a URL: exit 2', async () => {
    const result = await runBin(['listen', '--forward-to', 'localhost:3000', '--sandbox-url', sandbox.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--forward-to: expected an http(s) URL');
  });
});
