// @wxpark/cli: `npx wxpark --help` from the installed tarball, then one real APIv3 call (查询停车场信息) with
// `wxpark call` against the sandbox, credentials from the environment, and an unknown route refused (exit 2).
// Written in the subset of JavaScript that is also strict TypeScript (see signer.mjs).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exitCodes } from '@wxpark/cli';

export async function check() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/check-install.mjs, not by turbo
  const sandbox = JSON.parse(process.env.WXPARK_SANDBOX ?? '{}');
  const v3 = sandbox.v3.parking;
  const help = spawnSync('npx', ['--no-install', 'wxpark', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, `npx wxpark --help exited ${help.status}: ${help.stderr}`);
  assert.match(help.stdout, /Usage: wxpark/, 'the help names the command');

  // The bin as installed, run by the Node running this check (npx above used the PATH's).
  const manifestPath = join('node_modules', '@wxpark', 'cli', 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bin = join(dirname(manifestPath), manifest.bin.wxpark);
  writeFileSync('apiclient_key.pem', v3.privateKey);
  writeFileSync('wechatpay_public_key.pem', v3.publicKey);
  const env = {
    PATH: process.env.PATH,
    WXPAY_BASE_URL: sandbox.url,
    WXPAY_MCH_ID: v3.mchId,
    WXPAY_V3_SERIAL_NO: v3.serialNo,
    WXPAY_V3_PRIVATE_KEY_FILE: 'apiclient_key.pem',
    WXPAY_PUBLIC_KEY_ID: v3.publicKeyId,
    WXPAY_PUBLIC_KEY_FILE: 'wechatpay_public_key.pem',
  };
  const data = JSON.stringify({ wx_parking_lot_id: v3.parkingId });
  const call = spawnSync(
    process.execPath,
    [bin, '--json', 'call', 'v3/parking/reminders/parking-lot', '--data', data],
    {
      encoding: 'utf8',
      env,
    },
  );
  assert.equal(call.status, exitCodes.ok, `wxpark call exited ${call.status}: ${call.stdout}${call.stderr}`);
  const answer = JSON.parse(call.stdout);
  assert.equal(answer.data.wx_parking_lot_id, v3.parkingId, 'the verified answer names the lot');
  assert.match(String(answer.requestId), /\S/, 'the Request-ID is printed');

  const unknown = spawnSync(process.execPath, [bin, 'call', 'v3/parking/reminder/entry'], {
    encoding: 'utf8',
    env,
  });
  assert.equal(unknown.status, exitCodes.usage, 'an unknown route is a usage error');
  assert.match(unknown.stderr, /did you mean v3\/parking\/reminders\/entry/);
  return `npx wxpark --help ok; wxpark call 查询停车场信息 answered HTTP ${answer.status} (Request-ID ${answer.requestId}); unknown route exit 2`;
}
