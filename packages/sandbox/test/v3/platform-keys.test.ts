import { X509Certificate } from 'node:crypto';
import {
  createApiV3Key,
  decryptResource,
  type EncryptedResource,
  loadPlatformCertificate,
  PlatformKeySet,
} from '@wxpark/signer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.ts';
import { callV3, platformKeys, v3MerchantsOf, verifyAnswer } from '../v3-helpers.ts';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.close());

interface CertificateEntry {
  serial_no: string;
  effective_time: string;
  expire_time: string;
  encrypt_certificate: EncryptedResource;
}

async function certificates(merchant = v3MerchantsOf(sandbox).direct) {
  const answer = await callV3(sandbox, merchant, 'GET', '/v3/certificates');
  return { answer, data: (answer.json?.data ?? []) as CertificateEntry[] };
}

function authorizationQuery(headers: Record<string, string> = {}) {
  const { direct } = v3MerchantsOf(sandbox);
  const member = sandbox.config.mallMembers![0]!;
  const url = `/v3/businesscircle/user-authorizations/${member.openid}?appid=${sandbox.config.brands![0]!.appId}`;
  return callV3(sandbox, direct, 'GET', url, undefined, { headers });
}

describe('key modes', () => {
  it("signs with the WeChat Pay public key by default ('public-key' mode)", async () => {
    expect(sandbox.keyMode).toBe('public-key');
    const answer = await authorizationQuery();
    expect(answer.headers.get('wechatpay-serial')).toBe(sandbox.config.platform.publicKeyId);
    expect(sandbox.config.platform.publicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    await verifyAnswer(sandbox, answer);
  });

  it("answers /v3/certificates 404 RESOURCE_NOT_EXISTS in 'public-key' mode, as for new merchants", async () => {
    const { answer } = await certificates();
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({
      code: 'RESOURCE_NOT_EXISTS',
      message: '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥',
    });
    await verifyAnswer(sandbox, answer);
  });

  it("signs with the newest platform certificate in 'certificate' mode", async () => {
    sandbox.setKeyMode('certificate');
    const answer = await authorizationQuery();
    const serial = answer.headers.get('wechatpay-serial')!;
    expect(serial).toBe(sandbox.config.platform.certificates.at(-1)!.serialNo);
    const certificateOnly = new PlatformKeySet(
      sandbox.config.platform.certificates.map((c) => loadPlatformCertificate(c.certificate)),
    );
    await verifyAnswer(sandbox, answer, { keys: certificateOnly });
  });

  it('signs a 204 over the empty body', async () => {
    sandbox.setKeyMode('certificate');
    const { direct } = v3MerchantsOf(sandbox);
    const brand = sandbox.config.brands![0]!;
    const member = sandbox.config.mallMembers!.find((m) => m.authorize_state === 'AUTHORIZED')!;
    const answer = await callV3(sandbox, direct, 'POST', '/v3/businesscircle/parkings', {
      brandid: brand.brandId,
      appid: brand.appId,
      openid: member.openid,
      plate_number: '粤B12345',
      state: 'IN',
      time: '2026-01-01T10:00:00+08:00',
    });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    await verifyAnswer(sandbox, answer);
  });

  it('answers with the key a request names in Wechatpay-Serial, whatever the mode (switch-over)', async () => {
    const { publicKeyId, certificates: certs } = sandbox.config.platform;
    sandbox.setKeyMode('certificate');
    const asked = await authorizationQuery({ 'Wechatpay-Serial': publicKeyId });
    expect(asked.headers.get('wechatpay-serial')).toBe(publicKeyId);
    await verifyAnswer(sandbox, asked);

    sandbox.setKeyMode('public-key');
    const certificate = await authorizationQuery({ 'Wechatpay-Serial': certs[0]!.serialNo.toLowerCase() });
    expect(certificate.headers.get('wechatpay-serial')).toBe(certs[0]!.serialNo);
    await verifyAnswer(sandbox, certificate);

    const unknown = await authorizationQuery({ 'Wechatpay-Serial': 'PUB_KEY_ID_0000' });
    expect(unknown.headers.get('wechatpay-serial')).toBe(publicKeyId);
  });

  it('refuses an unknown key mode', () => {
    expect(() => sandbox.setKeyMode('both' as never)).toThrow(
      /key mode: expected one of public-key, certificate/,
    );
  });
});

describe('GET /v3/certificates', () => {
  it('lists each certificate encrypted with the calling merchant’s own APIv3 key', async () => {
    sandbox.setKeyMode('certificate');
    const { direct, provider } = v3MerchantsOf(sandbox);
    const { answer, data } = await certificates(direct);
    expect(answer.status).toBe(200);
    await verifyAnswer(sandbox, answer);
    expect(data).toHaveLength(1);
    const [entry] = data;
    expect(entry!.encrypt_certificate).toMatchObject({
      algorithm: 'AEAD_AES_256_GCM',
      associated_data: 'certificate',
    });
    expect(entry!.encrypt_certificate.nonce).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(entry!.effective_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    const pem = decryptResource(entry!.encrypt_certificate, createApiV3Key(direct.v3.apiV3Key));
    const certificate = loadPlatformCertificate(pem);
    expect(certificate.id).toBe(entry!.serial_no);
    expect(new X509Certificate(pem).validToDate.getTime()).toBe(Date.parse(entry!.expire_time));
    expect(pem).toBe(sandbox.config.platform.certificates[0]!.certificate);
    // Only the merchant it was made for can read it.
    expect(() => decryptResource(entry!.encrypt_certificate, createApiV3Key(provider.v3.apiV3Key))).toThrow(
      expect.objectContaining({ code: 'DECRYPT_FAILED' }),
    );
    const other = await certificates(provider);
    const forProvider = other.data[0]!.encrypt_certificate;
    expect(decryptResource(forProvider, createApiV3Key(provider.v3.apiV3Key))).toBe(pem);
  });

  it('lists a rotated certificate at once and signs with it; the old one stays until retired', async () => {
    sandbox.setKeyMode('certificate');
    const old = sandbox.config.platform.certificates[0]!.serialNo;
    const { serialNo } = sandbox.rotatePlatformCertificate();
    expect(serialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(serialNo).not.toBe(old);

    const { answer, data } = await certificates();
    expect(data.map((d) => d.serial_no)).toEqual([old, serialNo]);
    expect(answer.headers.get('wechatpay-serial')).toBe(serialNo);
    await verifyAnswer(sandbox, answer, { keys: platformKeys(sandbox) });
    const { direct } = v3MerchantsOf(sandbox);
    const decrypted = data.map((d) =>
      loadPlatformCertificate(decryptResource(d.encrypt_certificate, createApiV3Key(direct.v3.apiV3Key))),
    );
    expect(decrypted.map((k) => k.id)).toEqual([old, serialNo]);
    // A client that still knows only the old certificate learns the new one from the list itself.
    await verifyAnswer(sandbox, answer, { keys: new PlatformKeySet(decrypted) });

    const askedOld = await authorizationQuery({ 'Wechatpay-Serial': old });
    expect(askedOld.headers.get('wechatpay-serial')).toBe(old);
    await verifyAnswer(sandbox, askedOld);

    sandbox.retirePlatformCertificate(old);
    expect((await certificates()).data.map((d) => d.serial_no)).toEqual([serialNo]);
    expect(sandbox.config.platform.certificates.map((c) => c.serialNo)).toEqual([serialNo]);
    const afterRetire = await authorizationQuery({ 'Wechatpay-Serial': old });
    expect(afterRetire.headers.get('wechatpay-serial')).toBe(serialNo);
  });

  it('refuses to retire an unknown certificate or the last one', () => {
    expect(() => sandbox.retirePlatformCertificate('ABCDEF')).toThrow(/serialNo: expected one of/);
    const only = sandbox.config.platform.certificates[0]!.serialNo;
    expect(() => sandbox.retirePlatformCertificate(only)).toThrow(/only platform certificate left/);
  });

  it('lists nothing for algorithm_type=SM2 and refuses an unknown algorithm_type', async () => {
    sandbox.setKeyMode('certificate');
    const { direct } = v3MerchantsOf(sandbox);
    const sm2 = await callV3(sandbox, direct, 'GET', '/v3/certificates?algorithm_type=SM2');
    expect(sm2.json).toEqual({ data: [] });
    const bad = await callV3(sandbox, direct, 'GET', '/v3/certificates?algorithm_type=DSA');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: 'algorithm_type', value: 'DSA', location: 'query' },
    });
  });
});
