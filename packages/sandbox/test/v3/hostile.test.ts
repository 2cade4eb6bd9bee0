import { merchantsOf, useSandbox } from '@wxpark/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { callV2, parkingNotification, plateIn, verifies } from '../helpers.ts';
import { callV3, verifyAnswer } from '../v3-helpers.ts';

const sandbox = await useSandbox();
beforeEach(() => sandbox.clearRequests());

function query() {
  const { direct } = merchantsOf(sandbox);
  const member = sandbox.config.mallMembers![0]!;
  const url = `/v3/businesscircle/user-authorizations/${member.openid}?appid=${sandbox.config.brands![0]!.appId}`;
  return callV3(sandbox, direct, 'GET', url);
}

async function signerCode(
  answer: { headers: Headers; text: string },
  windowSeconds?: number,
): Promise<string> {
  try {
    await verifyAnswer(sandbox, answer, windowSeconds === undefined ? {} : { windowSeconds });
    return 'VERIFIED';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('hostile APIv3 answers', () => {
  it("'bad-sign' answers a well-formed signature, by the genuine key's name, that does not verify", async () => {
    sandbox.setHostile('bad-sign');
    const answer = await query();
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ authorize_state: 'AUTHORIZED' });
    expect(answer.headers.get('wechatpay-serial')).toBe(sandbox.config.platform.publicKeyId);
    expect(answer.headers.get('wechatpay-signature')).toMatch(/^[A-Za-z0-9+/]{342}==$/);
    expect(await signerCode(answer)).toBe('SIGNATURE_MISMATCH');
  });

  it("'no-sign' answers without any Wechatpay-* header, keeping Request-ID", async () => {
    sandbox.setHostile('no-sign');
    const answer = await query();
    expect(answer.status).toBe(200);
    expect([...answer.headers.keys()].filter((name) => name.startsWith('wechatpay-'))).toEqual([]);
    expect(answer.headers.get('request-id')).toMatch(/^08/);
    expect(await signerCode(answer)).toBe('MISSING_HEADER');
  });

  it("'wrong-key-sign' answers a correct signature made with a key nobody holds", async () => {
    sandbox.setHostile('wrong-key-sign');
    const answer = await query();
    expect(answer.headers.get('wechatpay-serial')).toBe(sandbox.config.platform.publicKeyId);
    expect(await signerCode(answer)).toBe('SIGNATURE_MISMATCH');
  });

  it("'signtest' answers a WECHATPAY/SIGNTEST/ probe signature", async () => {
    sandbox.setHostile('signtest');
    const answer = await query();
    expect(answer.headers.get('wechatpay-signature')).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(await signerCode(answer)).toBe('SIGNATURE_PROBE');
  });

  it("'stale-timestamp' answers a correct signature whose timestamp is 10 minutes old", async () => {
    sandbox.setHostile('stale-timestamp');
    const answer = await query();
    const age = Date.now() / 1000 - Number(answer.headers.get('wechatpay-timestamp'));
    expect(age).toBeGreaterThanOrEqual(599);
    expect(age).toBeLessThan(610);
    expect(await signerCode(answer)).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(await signerCode(answer, 900)).toBe('VERIFIED');
  });

  it("'unknown-serial' answers under a key id nobody knows, of the current mode's kind", async () => {
    sandbox.setHostile('unknown-serial');
    const publicKeyMode = await query();
    expect(publicKeyMode.headers.get('wechatpay-serial')).toMatch(/^PUB_KEY_ID_\d+$/);
    expect(publicKeyMode.headers.get('wechatpay-serial')).not.toBe(sandbox.config.platform.publicKeyId);
    expect(await signerCode(publicKeyMode)).toBe('UNKNOWN_SERIAL');

    sandbox.setKeyMode('certificate');
    try {
      sandbox.setHostile('unknown-serial');
      const certificateMode = await query();
      const serial = certificateMode.headers.get('wechatpay-serial')!;
      expect(serial).toMatch(/^[0-9A-F]{40}$/);
      expect(sandbox.config.platform.certificates.map((c) => c.serialNo)).not.toContain(serial);
      expect(await signerCode(certificateMode)).toBe('UNKNOWN_SERIAL');
    } finally {
      sandbox.setKeyMode('public-key');
    }
  });

  it("'garbage' answers a body that is not JSON", async () => {
    sandbox.setHostile('garbage');
    const answer = await query();
    expect(answer.status).toBe(200);
    expect(answer.json).toBeUndefined();
    expect(answer.text).not.toBe('');
  });

  it("'drop' closes the connection after recording the request; 'slow' answers correctly later", async () => {
    sandbox.setHostile('drop');
    await expect(query()).rejects.toThrow();
    expect(sandbox.requests).toHaveLength(1);
    sandbox.setHostile('slow', { delayMs: 300 });
    const started = Date.now();
    const answer = await query();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await signerCode(answer)).toBe('VERIFIED');
  });

  it('spoils error answers too', async () => {
    sandbox.setHostile('signtest');
    const { direct } = merchantsOf(sandbox);
    const answer = await callV3(sandbox, direct, 'GET', '/v3/certificates');
    expect(answer.status).toBe(404);
    expect(await signerCode(answer)).toBe('SIGNATURE_PROBE');
  });

  it('leaves APIv2 answers alone in the APIv3-only modes, still using up the turn', async () => {
    const { direct } = merchantsOf(sandbox);
    for (const mode of ['signtest', 'stale-timestamp', 'unknown-serial'] as const) {
      sandbox.setHostile(mode);
      const answer = await callV2(
        sandbox,
        '/vehicle/pay/notification',
        parkingNotification(direct, plateIn(sandbox, 'NORMAL')),
        direct.v2ApiKey,
      );
      expect(verifies(answer.fields, direct.v2ApiKey)).toBe(true);
    }
    expect(await signerCode(await query())).toBe('VERIFIED');
  });
});
