import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';
import { ApiError, type ClientOptions, createClient, TransportError, ValidationError } from '@wxpark/core';
import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { listen } from '@wxpark/test-utils';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  createV2NoticeHandler,
  type DeclaredV2Notice,
  type RefundResultNotice,
  readRefunds,
  vehicleV2,
} from '../src/index.ts';

let sandbox: Sandbox;
let stranger: Sandbox;
beforeAll(async () => {
  // A second sandbox only for its certificates: a genuine client certificate from another CA.
  [sandbox, stranger] = await Promise.all([startSandbox({ https: true }), startSandbox({ https: true })]);
});
afterAll(async () => {
  await Promise.all([sandbox.close(), stranger.close()]);
});

function direct() {
  return sandbox.config.merchants.find((m) => !m.subMerchants?.length)!;
}
function provider() {
  return sandbox.config.merchants.find((m) => m.subMerchants?.length)!;
}

function client(extra: Partial<ClientOptions> = {}, baseUrl = sandbox.httpsUrl!) {
  const m = direct();
  return createClient(
    {
      mchId: m.mchId,
      appId: m.appId,
      v2: { apiKey: m.v2ApiKey },
      clientCertificate: { ...sandbox.tls!.clients[m.mchId]!, ca: sandbox.tls!.ca },
      baseUrl,
      backupBaseUrls: [],
      ...extra,
    },
    [vehicleV2],
  );
}

let sequence = 0;

/** A deduction 申请扣款 accepted and WeChat made (trade_state SUCCESS). */
async function paidOrder(total_fee: number): Promise<string> {
  const m = direct();
  const user = sandbox.config.vehicleUsers.find(
    (u) => u.plate_number && u.openid && u.user_state === 'NORMAL',
  )!;
  const out_trade_no = `T${Date.now()}${sequence++}`;
  const plain = client({}, sandbox.url);
  await plain.v2.vehicle.pay.payapply({
    appid: m.appId,
    mch_id: m.mchId,
    body: '停车费',
    out_trade_no,
    total_fee,
    spbill_create_ip: '127.0.0.1',
    notify_url: 'http://127.0.0.1:9/unused',
    openid: user.openid!,
    trade_scene: 'PARKING',
    scene_info: {
      start_time: new Date(Date.now() - 3_600_000),
      end_time: new Date(),
      charging_time: '3600',
      plate_number: user.plate_number!,
      parking_name: '欢乐海岸停车场',
      deduct_mode: 'AUTOPAY',
      support_deduct_mode: 'DEDUCT_ALL',
    },
  });
  await expect
    .poll(
      async () =>
        (await plain.v2.transit.queryorder({ appid: m.appId, mch_id: m.mchId, out_trade_no })).data
          .trade_state,
    )
    .toBe('SUCCESS');
  return out_trade_no;
}

function refund(out_trade_no: string, refund_fee: number, total_fee: number, suffix = 'a') {
  const m = direct();
  return {
    appid: m.appId,
    mch_id: m.mchId,
    out_trade_no,
    out_refund_no: `R${out_trade_no}${suffix}`,
    total_fee,
    refund_fee,
  };
}

describe('APIv2 refunds over mutual TLS against the sandbox', () => {
  it('refunds a paid order with the PEM client certificate and reads the refund back from 查询退款', async () => {
    const out_trade_no = await paidOrder(1500);
    const c = client();
    const accepted = await c.v2.secapi.pay.refund({
      ...refund(out_trade_no, 500, 1500),
      refund_desc: '多收了',
    });
    expect(accepted.data).toMatchObject({ result_code: 'SUCCESS', refund_fee: '500', out_trade_no });
    expect(sandbox.requests.at(-1)!.path).toBe('/secapi/pay/refund');

    const m = direct();
    const queried = await client({}, sandbox.url).v2.pay.refundquery({
      appid: m.appId,
      mch_id: m.mchId,
      out_trade_no,
    });
    const [entry] = readRefunds(queried.data);
    expect(queried.data.refund_count).toBe('1');
    expect(entry).toMatchObject({ out_refund_no: `R${out_trade_no}a`, refund_fee: 500 });
    expect(['PROCESSING', 'SUCCESS']).toContain(entry!.refund_status);
  });

  it('receives the sandbox’s 退款结果通知: createV2NoticeHandler decrypts it and hands on the typed fields, SUCCESS then CHANGE', async () => {
    const m = direct();
    const seen: DeclaredV2Notice[] = [];
    const handler = createV2NoticeHandler({
      apiKey: m.v2ApiKey,
      kinds: ['refund'],
      onNotice: (notice) => void seen.push(notice),
    });
    const receiver = await listen((req, res) => void handler.node(req, res));
    const out_trade_no = await paidOrder(1500);
    const c = client();
    const notify_url = `${receiver.url}/refund-notify`;
    const first = await c.v2.secapi.pay.refund({ ...refund(out_trade_no, 500, 1500, 'n1'), notify_url });
    await expect.poll(() => seen.length).toBe(1);
    sandbox.setRefundOutcome('ABNORMAL');
    await c.v2.secapi.pay.refund({ ...refund(out_trade_no, 300, 1500, 'n2'), notify_url });
    await expect.poll(() => seen.length).toBe(2);
    const [success, abnormal] = seen.map((notice) => {
      if (notice.kind !== 'refund') throw new Error(`expected a refund notice, got ${notice.kind}`);
      expectTypeOf(notice.fields).toEqualTypeOf<RefundResultNotice>();
      return notice.fields;
    });
    expect(success).toMatchObject({
      out_trade_no,
      out_refund_no: `R${out_trade_no}n1`,
      refund_id: first.data.refund_id,
      refund_fee: '500',
      settlement_refund_fee: '500',
      refund_status: 'SUCCESS',
      refund_recv_accout: '支付用户的零钱',
    });
    expect(success!.success_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(abnormal).toMatchObject({ out_refund_no: `R${out_trade_no}n2`, refund_status: 'CHANGE' });
    expect(abnormal!.success_time).toBeUndefined();
    const queried = await client({}, sandbox.url).v2.pay.refundquery({
      appid: m.appId,
      mch_id: m.mchId,
      out_refund_no: `R${out_trade_no}n2`,
    });
    expect(readRefunds(queried.data)[0]!.refund_status).toBe('CHANGE');
  });

  it('adds partial refunds up to the total and refuses one past it (INVALID_REQUEST)', async () => {
    const out_trade_no = await paidOrder(1000);
    const c = client();
    await c.v2.secapi.pay.refund(refund(out_trade_no, 600, 1000, 'a'));
    await c.v2.secapi.pay.refund(refund(out_trade_no, 400, 1000, 'b'));
    const error = await c.v2.secapi.pay.refund(refund(out_trade_no, 1, 1000, 'c')).catch((e: unknown) => e);
    expect(ApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', signatureVerified: true });
    expect((error as ApiError).message).toMatch(/剩余可退 0 分/);
  });

  it('refunds a sub-merchant’s order for a service provider, with the provider’s certificate', async () => {
    const p = provider();
    const sub = p.subMerchants![0]!;
    const user = sandbox.config.vehicleUsers.find(
      (u) => u.plate_number && u.openid && u.user_state === 'NORMAL',
    )!;
    const options = {
      mchId: p.mchId,
      appId: p.appId,
      v2: { apiKey: p.v2ApiKey },
      clientCertificate: { ...sandbox.tls!.clients[p.mchId]!, ca: sandbox.tls!.ca },
      backupBaseUrls: [],
    };
    const plain = createClient({ ...options, baseUrl: sandbox.url }, [vehicleV2]);
    const out_trade_no = `TP${Date.now()}`;
    const scope = { appid: p.appId, mch_id: p.mchId, sub_mch_id: sub.subMchId };
    await plain.v2.vehicle.partnerpay.payapply({
      ...scope,
      ...(sub.subAppId ? { sub_appid: sub.subAppId } : {}),
      body: '停车费',
      out_trade_no,
      total_fee: 900,
      spbill_create_ip: '127.0.0.1',
      notify_url: 'http://127.0.0.1:9/unused',
      openid: user.openid!,
      trade_scene: 'PARKING',
      scene_info: {
        start_time: new Date(Date.now() - 3_600_000),
        end_time: new Date(),
        charging_time: '3600',
        plate_number: user.plate_number!,
        parking_name: 'P',
        deduct_mode: 'AUTOPAY',
        support_deduct_mode: 'DEDUCT_ALL',
      },
    });
    await expect
      .poll(
        async () =>
          (await plain.v2.transit.partnerpay.queryorder({ ...scope, out_trade_no })).data.trade_state,
      )
      .toBe('SUCCESS');
    const viaTls = createClient({ ...options, baseUrl: sandbox.httpsUrl! }, [vehicleV2]);
    const accepted = await viaTls.v2.secapi.pay.refund({
      ...scope,
      out_trade_no,
      out_refund_no: `R${out_trade_no}`,
      total_fee: 900,
      refund_fee: 300,
    });
    expect(accepted.data).toMatchObject({ sub_mch_id: sub.subMchId, refund_fee: '300' });
    // The direct merchant sees none of it.
    const m = direct();
    const theirs = await client({}, sandbox.url)
      .v2.pay.refundquery({ appid: m.appId, mch_id: m.mchId, out_trade_no })
      .catch((e: unknown) => e);
    expect(theirs).toMatchObject({ code: 'REFUNDNOTEXIST' });
  });

  it('opens a PKCS#12 client certificate with the merchant ID as its default passphrase', async () => {
    const m = direct();
    const { cert, key } = sandbox.tls!.clients[m.mchId]!;
    const p12 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(key),
      [forge.pki.certificateFromPem(cert)],
      m.mchId,
      {
        algorithm: '3des',
      },
    );
    const pfx = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
    const out_trade_no = await paidOrder(300);
    const c = client({ clientCertificate: { pfx, ca: sandbox.tls!.ca } });
    const accepted = await c.v2.secapi.pay.refund(refund(out_trade_no, 300, 300));
    expect(accepted.data.refund_fee).toBe('300');

    const wrong = (() => {
      try {
        return client({ clientCertificate: { pfx, passphrase: 'not-the-passphrase', ca: sandbox.tls!.ca } });
      } catch (error) {
        return error;
      }
    })();
    expect(ValidationError.isInstance(wrong)).toBe(true);
    expect(wrong).toMatchObject({ code: 'INVALID_OPTIONS', field: 'options.clientCertificate' });
    expect(String((wrong as Error).message)).not.toContain('not-the-passphrase');
  });

  it('is refused by the server when the client certificate comes from another CA', async () => {
    const m = direct();
    const foreign = stranger.tls!.clients[stranger.config.merchants[0]!.mchId]!;
    sandbox.clearRequests();
    const error = await client({ clientCertificate: { ...foreign, ca: sandbox.tls!.ca } })
      .v2.secapi.pay.refund(refund('T-ANY', 1, 1))
      .catch((e: unknown) => e);
    expect(ApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'HTTP_STATUS', status: 400, signatureVerified: false });
    expect(sandbox.requests.at(-1)?.path).toBe('/secapi/pay/refund');
    expect(m.mchId).not.toBe(stranger.config.merchants[0]!.mchId);
  });

  it('is refused by the server when no client certificate is sent', async () => {
    // Over TLS with the sandbox's CA trusted and no certificate offered, then over plain HTTP.
    const overTls = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = httpsRequest(
        `${sandbox.httpsUrl}/secapi/pay/refund`,
        { method: 'POST', ca: sandbox.tls!.ca },
        (incoming) => {
          let body = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => {
            body += chunk;
          });
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
        },
      );
      outgoing.once('error', reject);
      outgoing.end('<xml></xml>');
    });
    expect(overTls).toEqual({ status: 400, body: 'No required SSL certificate was sent' });
    const plain = await fetch(`${sandbox.url}/secapi/pay/refund`, { method: 'POST', body: '<xml></xml>' });
    expect(plain.status).toBe(400);
  });

  it('refuses another merchant’s certificate from the same CA (CERT_ERROR)', async () => {
    const other = sandbox.tls!.clients[provider().mchId]!;
    const error = await client({ clientCertificate: { ...other, ca: sandbox.tls!.ca } })
      .v2.secapi.pay.refund(refund('T-ANY', 1, 1))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CERT_ERROR' });
  });

  it('fails before any I/O when the client has no client certificate', async () => {
    const m = direct();
    const noCertificate = createClient(
      { mchId: m.mchId, v2: { apiKey: m.v2ApiKey }, baseUrl: sandbox.httpsUrl!, backupBaseUrls: [] },
      [vehicleV2],
    );
    sandbox.clearRequests();
    const error = await noCertificate.v2.secapi.pay.refund(refund('T-ANY', 1, 1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect((error as Error).message).toMatch(/clientCertificate/);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('sends the certificate only on the routes that need it: the others use the plain fetch', async () => {
    const out_trade_no = await paidOrder(200);
    const c = client();
    await c.v2.secapi.pay.refund(refund(out_trade_no, 100, 200, 'a'));
    await c.v2.secapi.pay.refund(refund(out_trade_no, 100, 200, 'b'));
    // 查询退款 goes through the client's plain fetch, which knows nothing of the certificate's agent (nor of
    // the sandbox CA it trusts): on the HTTPS listener it fails the server check.
    const m = direct();
    const viaPlainFetch = await c.v2.pay
      .refundquery({ appid: m.appId, mch_id: m.mchId, out_trade_no })
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(viaPlainFetch)).toBe(true);
    expect((viaPlainFetch as Error).message).toMatch(/SELF_SIGNED_CERT_IN_CHAIN/);
    const queried = await client({}, sandbox.url).v2.pay.refundquery({
      appid: m.appId,
      mch_id: m.mchId,
      out_trade_no,
    });
    expect(readRefunds(queried.data).map((r) => r.refund_fee)).toEqual([100, 100]);
  });

  it('makes the TLS set-up once per client: three calls, one handshake, each showing the certificate', async () => {
    const m = direct();
    const tls = sandbox.tls!;
    const seen: string[] = [];
    let handshakes = 0;
    const server = createHttpsServer(
      { ...tls.server, ca: tls.ca, requestCert: true, rejectUnauthorized: true },
      (request, response) => {
        const peer = (request.socket as TLSSocket).getPeerCertificate();
        seen.push(String(peer.subject?.CN));
        request.resume();
        request.on('end', () => response.writeHead(503).end('busy'));
      },
    );
    server.on('secureConnection', () => handshakes++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const c = client({}, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
      for (let i = 0; i < 3; i++) {
        const error = await c.v2.secapi.pay.refund(refund(`T-HS-${i}`, 1, 1)).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'HTTP_STATUS', status: 503 });
      }
      expect(seen).toEqual([m.mchId, m.mchId, m.mchId]);
      expect(handshakes).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps the certificate and key out of inspect output and errors', async () => {
    const m = direct();
    const { key } = sandbox.tls!.clients[m.mchId]!;
    const c = client();
    const keyLine = key.split('\n')[1]!;
    expect(inspect(c, { depth: 10 })).not.toContain(keyLine);
    const error = await c.v2.secapi.pay.refund(refund('T-NONE', 1, 1)).catch((e: unknown) => e);
    expect(inspect(error, { depth: 10 })).not.toContain(keyLine);
  });
});
