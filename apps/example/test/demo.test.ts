import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

const main = new URL('../src/main.ts', import.meta.url).pathname;

it('runs the scripted demo on the embedded sandbox across every API, in one process', {
  timeout: 60_000,
}, () => {
  const run = spawnSync(
    process.execPath,
    ['--conditions=@wxpark/source', '--disable-warning=ExperimentalWarning', main, 'demo'],
    { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 50_000 },
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const out = run.stdout;
  expect(out).toMatch(/embedded WeChat Pay sandbox/);
  expect(out).toMatch(/APIv2 用户入场通知: user_state NORMAL/);
  expect(out).toMatch(/APIv2 用户入场通知: user_state BLOCK/);
  expect(out).toMatch(/APIv3 同步车辆入场通知: \{"serial_number":"[0-9A-Z]+"\} \(signature verified/);
  expect(out).toMatch(/APIv3 商圈会员停车状态同步: 204 No Content \(signature verified/);
  expect(out).toMatch(/APIv3 同步车辆出场通知: 204/);
  expect(out).toMatch(/callback plate-state .*verified, recorded/);
  expect(out).toMatch(/callback VEHICLE\.ENTRANCE_STATE_CHANGE .*verified, recorded/);
  expect(out).toMatch(/the same delivery again: verified, answered 204/);
  expect(out).toMatch(/forged copy .*refused with 401/);
  expect(out).toMatch(/APIv3 创建停车入场 \(微信支付分停车\): .*"state":"NORMAL"/);
  expect(out).toMatch(/APIv3 扣费受理 \(微信支付分停车\): .*"trade_state":"(ACCEPTED|SUCCESS)"/);
  expect(out).toMatch(/⇒ gate: RELEASE — /);
  expect(out).toMatch(/⇒ gate: HOLD — no WeChat Pay service can charge 1000 fen/);
  expect(out).not.toMatch(/FAILED|PENDING/);
});
