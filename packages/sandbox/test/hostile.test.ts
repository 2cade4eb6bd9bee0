import { merchantsOf, useSandbox } from '@wxpark/test-utils';
import { parseXml } from '@wxpark/xml';
import { beforeEach, describe, expect, it } from 'vitest';
import { callV2, parkingNotification, plateIn, signedXml, verifies } from './helpers.ts';

const sandbox = await useSandbox();
beforeEach(() => sandbox.clearRequests());

function entry() {
  const { direct } = merchantsOf(sandbox);
  return callV2(
    sandbox,
    '/vehicle/pay/notification',
    parkingNotification(direct, plateIn(sandbox, 'NORMAL')),
    direct.v2ApiKey,
  );
}
function key() {
  return merchantsOf(sandbox).direct.v2ApiKey;
}

describe('hostile answers', () => {
  it("'bad-sign' answers a well-formed sign that does not verify", async () => {
    sandbox.setHostile('bad-sign');
    const answer = await entry();
    expect(answer.fields.result_code).toBe('SUCCESS');
    expect(answer.fields.sign).toMatch(/^[0-9A-F]{64}$/);
    expect(verifies(answer.fields, key())).toBe(false);
  });

  it("'no-sign' answers a success without sign", async () => {
    sandbox.setHostile('no-sign');
    const answer = await entry();
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      user_state: 'NORMAL',
    });
    expect(answer.fields.sign).toBeUndefined();
  });

  it("'wrong-key-sign' answers a sign made with a key other than the merchant's", async () => {
    sandbox.setHostile('wrong-key-sign');
    const answer = await entry();
    expect(answer.fields.sign).toMatch(/^[0-9A-F]{64}$/);
    expect(verifies(answer.fields, key())).toBe(false);
  });

  it("'garbage' answers a body that is not XML", async () => {
    sandbox.setHostile('garbage');
    const { direct } = merchantsOf(sandbox);
    const response = await fetch(`${sandbox.url}/vehicle/pay/notification`, {
      method: 'POST',
      body: signedXml(parkingNotification(direct, plateIn(sandbox, 'NORMAL')), direct.v2ApiKey),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(() => parseXml(text)).toThrow();
  });

  it("'drop' closes the connection without an answer, after recording the request", async () => {
    sandbox.setHostile('drop');
    await expect(entry()).rejects.toThrow();
    expect(sandbox.requests).toHaveLength(1);
  });

  it("'slow' answers correctly after the delay", async () => {
    sandbox.setHostile('slow', { delayMs: 300 });
    const started = Date.now();
    const answer = await entry();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(verifies(answer.fields, key())).toBe(true);
  });

  it('spoils exactly `count` answers, modes in the order they were set, then answers normally', async () => {
    sandbox.setHostile('no-sign', { count: 2 });
    sandbox.setHostile('bad-sign');
    const answers = [await entry(), await entry(), await entry(), await entry()];
    expect(answers.map((a) => a.fields.sign === undefined)).toEqual([true, true, false, false]);
    expect(answers.map((a) => a.fields.sign !== undefined && verifies(a.fields, key()))).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });

  it('leaves an unsigned answer unsigned, still using up the turn', async () => {
    sandbox.setHostile('bad-sign');
    const failed = await callV2(
      sandbox,
      '/vehicle/pay/notification',
      parkingNotification(merchantsOf(sandbox).direct, '粤B888888'),
      'K'.repeat(32),
    );
    expect(failed.fields.err_code).toBe('SIGNERROR');
    expect(failed.fields.sign).toBeUndefined();
    expect(verifies((await entry()).fields, key())).toBe(true);
  });

  it('leaves admin answers alone and keeps the turn for the next API answer', async () => {
    sandbox.setHostile('garbage');
    expect(await (await fetch(`${sandbox.url}/__sandbox/config`)).json()).toEqual(sandbox.config);
    const response = await fetch(`${sandbox.url}/vehicle/pay/notification`, { method: 'POST', body: '' });
    const text = await response.text();
    expect(() => parseXml(text)).toThrow();
  });

  it('refuses an unknown mode or a count that is not a positive integer', () => {
    expect(() => sandbox.setHostile('evil' as never)).toThrow(/hostile mode/);
    expect(() => sandbox.setHostile('drop', { count: 0 })).toThrow(/count/);
  });
});
