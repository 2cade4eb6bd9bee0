import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { hasAnsi, runBin, tempDir, useSandbox, writeConfig } from './helpers.ts';

const sandbox = await useSandbox();
const dir = tempDir();
const config = writeConfig(sandbox, dir);
const merchant = sandbox.config.merchants[0]!;
/** Runs `wxpark --config <the sandbox's config> call …args`. */
const callRoute = (args: string[], options?: Parameters<typeof runBin>[1]) =>
  runBin(['--config', config, 'call', ...args], options);
const lot = sandbox.config.parkingLots!.find((l) => l.mchId === merchant.mchId)!;

beforeEach(() => sandbox.clearRequests());

const entry = {
  out_serial_number: 'CLI-ENTRY-1',
  parking_id: lot.wx_parking_lot_id,
  plate_number: '粤B888888',
  enter_timestamp: Math.floor(Date.now() / 1000),
  plate_color: 'PLATE_COLOR_BLUE',
  car_type: 'PLATE_TYPE_TEMPORARY',
  vehicle_type: 'VEHICLE_TYPE_SMALL',
  entrance_number: '1',
  entrance_name: '东门',
};

describe('wxpark call', () => {
  it('makes an APIv3 call and prints the verified answer and its Request-ID', async () => {
    const result = await callRoute(['v3/parking/reminders/entry', '--data', JSON.stringify(entry)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).serial_number).toMatch(/\S/);
    expect(result.stderr).toMatch(/✔ 200 POST \/v3\/parking\/reminders\/entry \(verified\) · Request-ID \S+/);
    expect(sandbox.requests).toHaveLength(1);
  });

  it('reads --data @file and fills appid and mch_id of APIv2 calls from the settings', async () => {
    const file = join(dir, 'querystate.json');
    writeFileSync(file, JSON.stringify({ trade_scene: 'PARKING', plate_number: '粤B888888' }));
    const result = await callRoute(['/vehicle/pay/querystate', '--data', `@${file}`]);
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer).toMatchObject({ result_code: 'SUCCESS', user_state: 'NORMAL', mch_id: merchant.mchId });
    expect(sandbox.requests[0]!.body).toContain(`<appid><![CDATA[${merchant.appId}]]></appid>`);
  });

  it('reads the data from stdin with - and takes credentials from the environment', async () => {
    const result = await runBin(['--json', 'call', 'v3/parking/reminders/parking-lot', '-'], {
      input: JSON.stringify({ out_parking_lot_id: lot.out_parking_lot_id }),
      env: {
        WXPAY_BASE_URL: sandbox.url,
        WXPAY_MCH_ID: merchant.mchId,
        WXPAY_V3_SERIAL_NO: merchant.v3!.serialNo,
        WXPAY_V3_PRIVATE_KEY_FILE: join(dir, 'apiclient_key.pem'),
        WXPAY_PUBLIC_KEY_ID: sandbox.config.platform.publicKeyId,
        WXPAY_PUBLIC_KEY_FILE: join(dir, 'wechatpay_public_key.pem'),
      },
    });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ ok: true, route: 'v3/parking/reminders/parking-lot', status: 200 });
    expect(document.requestId).toMatch(/\S/);
    expect(document.data.wx_parking_lot_id).toBe(lot.wx_parking_lot_id);
  });

  it('--dry-run prints the signed request with its signature masked, and sends nothing', async () => {
    const result = await callRoute([
      'v3/parking/reminders/entry',
      '--dry-run',
      '--data',
      JSON.stringify(entry),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^POST ${sandbox.url}/v3/parking/reminders/entry`));
    expect(result.stdout).toMatch(
      /authorization: WECHATPAY2-SHA256-RSA2048 mchid="\d+",.*signature="[^"]{6}…\(masked\)"/,
    );
    expect(result.stdout).toContain('"out_serial_number":"CLI-ENTRY-1"');
    expect(result.stderr).toContain('nothing was sent');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('--dry-run in certificate mode signs offline: no /v3/certificates download, nothing sent', async () => {
    const certificateMode = writeConfig(sandbox, dir, {}, ['publicKeyId', 'publicKeyFile']);
    const result = await runBin([
      '--config',
      certificateMode,
      'call',
      'v3/parking/reminders/entry',
      '--dry-run',
      '--data',
      JSON.stringify(entry),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^POST .*\/v3\/parking\/reminders\/entry/);
    expect(result.stdout + result.stderr).not.toContain(merchant.v3!.apiV3Key);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('--dry-run of an APIv2 call masks the sign and never prints the key', async () => {
    const result = await callRoute([
      'v2/vehicle/pay/querystate',
      '--dry-run',
      '--data',
      '{"trade_scene":"PARKING","plate_number":"粤B888888"}',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/<sign><!\[CDATA\[[0-9A-F]{6}…\(masked\)\]\]><\/sign>/);
    expect(result.stdout + result.stderr).not.toContain(merchant.v2ApiKey);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses an unknown route in one line naming close matches: exit 2, nothing sent', async () => {
    const result = await callRoute(['v3/parking/reminder/entry', '--data', '{}']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      'unknown route "v3/parking/reminder/entry"; did you mean v3/parking/reminders/entry',
    );
    expect(result.stdout).toBe('');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses invalid JSON in one line saying where: exit 2, nothing sent', async () => {
    const result = await callRoute(['v3/parking/reminders/entry', '--data', '{"out_serial_number":']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/INVALID_JSON: --data: invalid JSON \(.+\)/);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses --data @file from an endless source after reading at most its cap: exit 2, nothing sent', async () => {
    const started = performance.now();
    const result = await callRoute(['v3/parking/reminders/entry', '--data', '@/dev/zero']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('INPUT_TOO_LARGE: --data: /dev/zero is larger than 1048576 bytes');
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses missing credentials in one line naming the variables: exit 2, nothing sent', async () => {
    const result = await runBin(['call', 'v3/parking/reminders/entry', '--data', JSON.stringify(entry)], {
      env: { WXPAY_BASE_URL: sandbox.url, WXPAY_MCH_ID: merchant.mchId },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      'MISSING_CREDENTIALS: APIv3 calls need WXPAY_V3_SERIAL_NO, WXPAY_V3_PRIVATE_KEY_FILE, WXPAY_PUBLIC_KEY_ID, WXPAY_PUBLIC_KEY_FILE',
    );
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses data the route rejects, naming the field: exit 2, nothing sent', async () => {
    const result = await callRoute([
      'v3/parking/reminders/entry',
      '--data',
      JSON.stringify({ ...entry, plate_color: 'BLUE' }),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /VALIDATION_FAILED: plate_color must be one of .*"PLATE_COLOR_BLUE".*, received /,
    );
    expect(sandbox.requests).toHaveLength(0);
  });

  it('reports a WeChat Pay refusal with its code and Request-ID: exit 1', async () => {
    sandbox.failNext({ status: 429, code: 'FREQUENCY_LIMITED' });
    const result = await runBin([
      '--config',
      config,
      '--json',
      'call',
      'v3/parking/reminders/entry',
      '--data',
      JSON.stringify(entry),
    ]);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.ok).toBe(false);
    expect(document.error.code).toBe('FREQUENCY_LIMITED');
    expect(document.error.requestId).toMatch(/\S/);
  });

  it('refuses an answer whose signature does not verify: exit 1, no data printed', async () => {
    sandbox.setHostile('bad-sign');
    const result = await callRoute([
      'v3/parking/reminders/entry',
      '--data',
      JSON.stringify({ ...entry, out_serial_number: 'CLI-ENTRY-2' }),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/✖ SIGNATURE_MISMATCH: not verified/);
  });

  it('--list names every composed route, and never colours a pipe', async () => {
    const result = await runBin(['call', '--list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('v2/vehicle/pay/notification');
    expect(result.stdout).toContain('v3/parking/reminders/entry');
    expect(result.stdout).toContain('v3/businesscircle/parkings');
    expect(hasAnsi(result.stdout + result.stderr)).toBe(false);
  });
});
