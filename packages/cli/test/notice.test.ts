import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createV2ApiKey, signV2 } from '@wxpark/signer';
import { createTestV2RefundNotice } from '@wxpark/vehicle-v2/testing';
import { buildXml } from '@wxpark/xml';
import { describe, expect, it } from 'vitest';
import { runBin, tempDir, useSandbox, writeConfig } from './helpers.ts';

const sandbox = await useSandbox();
const dir = tempDir();
const config = writeConfig(sandbox, dir);
const merchant = sandbox.config.merchants[0]!;
/** Runs `wxpark --config <the sandbox's config> notice verify …args`. */
const verifyNotice = (args: string[], options?: Parameters<typeof runBin>[1]) =>
  runBin(['--config', config, 'notice', 'verify', ...args], options);

/** A notice the sandbox really sent, captured as a user would: the raw body and the headers. */
async function captureV3(): Promise<{ body: string; headerArgs: string[] }> {
  const capture = await import('node:http').then(
    ({ createServer }) =>
      new Promise<{ url: string; close: () => void }>((resolve) => {
        const server = createServer((_, response) => response.writeHead(204).end());
        server.listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          resolve({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
        });
      }),
  );
  try {
    const delivery = await sandbox.sendV3Notice({
      url: capture.url,
      event_type: 'MALL_AUTH.ACTIVATE_CARD',
      resource: { openid: 'oCaptured', code: 'C1', mchid: merchant.mchId, auth_type: 'REGISTERED_MODE' },
    });
    const headerArgs = Object.entries(delivery.headers)
      .filter(([name]) => name.toLowerCase().startsWith('wechatpay-'))
      .flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    return { body: delivery.envelope, headerArgs };
  } finally {
    capture.close();
  }
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('wxpark notice verify (APIv3)', () => {
  it('verifies and decrypts a captured notice, printing its resource', async () => {
    const { body, headerArgs } = await captureV3();
    const result = await verifyNotice(['--file', write('v3.json', body), ...headerArgs]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ openid: 'oCaptured', code: 'C1' });
    expect(result.stderr).toMatch(
      /✔ verified and decrypted MALL_AUTH\.ACTIVATE_CARD \(id [0-9a-f-]{36}, signed by PUB_KEY_ID_\d+\)/,
    );
  });

  it('reads the body from stdin', async () => {
    const { body, headerArgs } = await captureV3();
    const result = await runBin(
      ['--config', config, '--json', 'notice', 'verify', '--file', '-', ...headerArgs],
      { input: body },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      protocol: 'v3',
      notice: { event_type: 'MALL_AUTH.ACTIVATE_CARD' },
    });
  });

  it('says the signature does not match when one byte of the body changed: exit 1', async () => {
    const { body, headerArgs } = await captureV3();
    const tampered = body.replace('"summary":"', '"summary":"!');
    const result = await verifyNotice(['--file', write('tampered.json', tampered), ...headerArgs]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✖ SIGNATURE_MISMATCH: not verified: (callback|notice): /);
    expect(result.stdout).toBe('');
  });

  it('says which headers are missing: exit 1', async () => {
    const { body } = await captureV3();
    const result = await verifyNotice([
      '--file',
      write('bare.json', body),
      '-H',
      `Wechatpay-Serial: ${sandbox.config.platform.publicKeyId}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MISSING_HEADER');
    expect(result.stderr).toContain('Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature');
  });

  it('says the APIv3 key is wrong when the signature verifies but the resource does not decrypt: exit 1', async () => {
    const { body, headerArgs } = await captureV3();
    const result = await runBin(
      ['--config', config, 'notice', 'verify', '--file', write('v3b.json', body), ...headerArgs],
      {
        env: { WXPAY_V3_API_KEY: merchant.v2ApiKey },
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'DECRYPT_FAILED: the signature verified, but the resource did not decrypt',
    );
    expect(result.stderr).toContain(
      "WXPAY_V3_API_KEY is not this merchant's APIv3 key (is it the APIv2 key?)",
    );
    expect(result.stderr).not.toContain(merchant.v2ApiKey);
  });

  it('says a stale notice is outside the window: exit 1', async () => {
    const { body, headerArgs } = await captureV3();
    const stale = headerArgs.map((arg) =>
      arg.toLowerCase().startsWith('wechatpay-timestamp:')
        ? `Wechatpay-Timestamp: ${Math.floor(Date.now() / 1000) - 3600}`
        : arg,
    );
    const result = await verifyNotice(['--file', write('stale.json', body), ...stale]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('refuses a header without a colon and a missing --file: exit 2', async () => {
    const noColon = await verifyNotice(['--file', write('x.json', '{}'), '-H', 'Wechatpay-Serial']);
    expect(noColon.code).toBe(2);
    expect(noColon.stderr).toContain('expected "Name: value"');
    const noFile = await verifyNotice([]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('--file');
  });
});

it('names a header given without a colon by its name only, never echoing its value (a signature)', async () => {
  const signature = 'c2lnbmF0dXJlLXZhbHVlLXRoYXQtbXVzdC1ub3QtYmUtZWNob2Vk';
  const result = await verifyNotice([
    '--file',
    write('y.json', '{}'),
    '-H',
    `Wechatpay-Signature ${signature}`,
  ]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--header Wechatpay-Signature');
  expect(result.stderr).toContain('expected "Name: value"');
  expect(result.stderr).not.toContain(signature.slice(0, 8));
});

describe('wxpark notice verify --v2', () => {
  const fields = {
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: 'n0nce',
    sign_type: 'HMAC-SHA256',
    plate_number: '粤B888888',
    vehicle_event_type: 'BLOCKED',
    vehicle_event_des: 'OVERDUE',
  };
  const signed = (key: string) =>
    buildXml({ ...fields, sign: signV2(fields, createV2ApiKey(key), 'HMAC-SHA256') });

  it('verifies an APIv2 notice with the APIv2 key and prints its fields', async () => {
    const result = await verifyNotice(['--v2', '--file', write('v2.xml', signed(merchant.v2ApiKey))]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      plate_number: '粤B888888',
      vehicle_event_type: 'BLOCKED',
    });
    expect(result.stderr).toContain('✔ verified APIv2 plate-state notice (HMAC-SHA256)');
  });

  it('says the sign does not match when signed with another key: exit 1', async () => {
    const result = await verifyNotice([
      '--v2',
      '--file',
      write('v2bad.xml', signed('0123456789abcdef0123456789abcdef')),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /SIGNATURE_MISMATCH: not verified: the APIv2 (callback|notice) sign does not match its fields/,
    );
  });

  it('decrypts an APIv2 退款结果通知 with the APIv2 key, prints its req_info fields and says it is not signed', async () => {
    const refund = createTestV2RefundNotice({
      apiKey: merchant.v2ApiKey,
      fields: { out_refund_no: 'R-CLI-1', refund_status: 'REFUNDCLOSE' },
    });
    const result = await runBin([
      '--config',
      config,
      'notice',
      'verify',
      '--v2',
      '--file',
      write('v2refund.xml', refund.body),
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      out_refund_no: 'R-CLI-1',
      refund_status: 'REFUNDCLOSE',
    });
    expect(result.stderr).toContain('✔ decrypted APIv2 refund notice');
    expect(result.stderr).toContain('WeChat does not sign it');
  });

  it('refuses a 退款结果通知 encrypted with another key: DECRYPT_FAILED, exit 1', async () => {
    const refund = createTestV2RefundNotice({ apiKey: '0123456789abcdef0123456789abcdef' });
    const result = await runBin([
      '--config',
      config,
      'notice',
      'verify',
      '--v2',
      '--file',
      write('v2refundbad.xml', refund.body),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DECRYPT_FAILED');
    expect(result.stderr).not.toContain(merchant.v2ApiKey);
  });

  it('needs the APIv2 key: exit 2', async () => {
    const result = await runBin([
      'notice',
      'verify',
      '--v2',
      '--file',
      write('v2c.xml', signed(merchant.v2ApiKey)),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('APIv2 notices need WXPAY_V2_API_KEY');
  });
});
