// @wxpark/sandbox: the `wxpark-sandbox` bin (what `npx @wxpark/sandbox` runs) starts with generated keys and
// prints its URL and credentials; one real signed APIv2 call with those credentials, its inspector page, then
// SIGTERM. Then `startSandbox()`, the programmatic entry, on a free port.
// Written in the subset of JavaScript that is also strict TypeScript (see signer.mjs).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startSandbox } from '@wxpark/sandbox';

/** The APIv2 HMAC-SHA256 sign of [name, value] pairs, written from the published rule with node:crypto. */
function signV2(fields = [['', '']], key = '') {
  const text = fields
    .filter(([, value]) => value !== '')
    .sort(([a = ''], [b = '']) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return createHmac('sha256', key).update(`${text}&key=${key}`).digest('hex').toUpperCase();
}

function xml(fields = [['', '']]) {
  return `<xml>${fields.map(([name, value]) => `<${name}><![CDATA[${value}]]></${name}>`).join('')}</xml>`;
}

/** Starts the installed bin as npx would (node_modules/.bin), with PORT=0, and waits for its URL. */
function startBin() {
  const child = spawn(process.execPath, [join('node_modules', '.bin', 'wxpark-sandbox'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 20 s:\n${output}`)), 20_000);
    child.stdout.on('data', () => {
      const found = /listening on (http:\/\/\S+)/.exec(output);
      // The credentials come right after the URL line; wait for the last line of the banner.
      if (found && /admin: /.test(output)) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wxpark-sandbox exited (${code}) before listening:\n${output}`));
    });
  });
  return { child, ready, exited, output: () => output };
}

export async function check() {
  const bin = startBin();
  let detail = '';
  try {
    const url = String(await bin.ready);
    const merchant = /direct merchant\s+mch_id=(\d+) appid=(\S+) v2ApiKey=(\w{32})/.exec(bin.output());
    assert.ok(merchant, `the bin prints a direct merchant's credentials:\n${bin.output()}`);
    const [, mchId, appId, key] = merchant;
    const plate = /car owners: (\S+) NORMAL/.exec(bin.output())?.[1];
    assert.ok(plate, 'the bin prints the car owners');
    const fields = [
      ['appid', String(appId)],
      ['mch_id', String(mchId)],
      ['nonce_str', randomBytes(16).toString('hex')],
      ['sign_type', 'HMAC-SHA256'],
      ['version', '3.0'],
      ['trade_scene', 'PARKING'],
      ['plate_number', String(plate)],
    ];
    const answer = await fetch(`${url}/vehicle/pay/querystate`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: xml([...fields, ['sign', signV2(fields, String(key))]]),
    });
    const body = await answer.text();
    assert.match(body, /<result_code><!\[CDATA\[SUCCESS\]\]><\/result_code>/, body);
    assert.match(body, /<user_state><!\[CDATA\[NORMAL\]\]><\/user_state>/, body);
    const page = await fetch(`${url}/inspector`);
    assert.equal(page.status, 200, 'the inspector is served');
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    bin.child.kill('SIGTERM');
    assert.equal(await bin.exited, 0, 'SIGTERM stops it cleanly');
    detail = `wxpark-sandbox bin: signed 用户状态查询 for ${plate} answered NORMAL, /inspector served, SIGTERM exit 0`;
  } finally {
    if (bin.child.exitCode === null) bin.child.kill('SIGKILL');
  }

  const sandbox = await startSandbox({ port: 0 });
  try {
    const answer = await fetch(`${sandbox.url}/v3/certificates`);
    assert.equal(answer.status, 401, 'an unsigned APIv3 call is refused');
    assert.equal(answer.headers.get('wechatpay-serial'), sandbox.config.platform.publicKeyId);
  } finally {
    await sandbox.close();
  }
  return `${detail}; startSandbox(): unsigned /v3/certificates refused 401, signed with ${sandbox.config.platform.publicKeyId}`;
}
