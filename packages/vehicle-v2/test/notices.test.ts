import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFastifyNoticePlugin, type WxparkError } from '@wxpark/core';
import { parseXml } from '@wxpark/xml';
import Fastify from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  buildV2NoticeReply,
  createV2NoticeHandler,
  type DeclaredV2Notice,
  type V2NoticeHandlerOptions,
  verifyV2Notice,
} from '../src/index.ts';
import { createTestV2Notice, testNoticeKeys } from '../src/testing.ts';

const apiKey = testNoticeKeys().v2ApiKey;

/** Adds elements WeChat's signature does not cover (empty ones) just before `</xml>`. */
function withEmpty(body: string, ...names: string[]): string {
  return body.replace('</xml>', `${names.map((n) => `<${n}></${n}>`).join('')}</xml>`);
}

function setup(extra: Partial<V2NoticeHandlerOptions> = {}) {
  const seen: DeclaredV2Notice[] = [];
  const errors: WxparkError[] = [];
  const handler = createV2NoticeHandler({
    apiKey,
    onNotice: (notice) => void seen.push(notice),
    onError: (error) => errors.push(error as WxparkError),
    ...extra,
  });
  return { handler, seen, errors };
}

async function listen(handler: ReturnType<typeof setup>['handler']): Promise<string> {
  const server = createServer((req, res) => void handler.node(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
}

async function post(url: string, body: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return { status: response.status, returnCode: parseXml(await response.text()).return_code };
}

const injections = {
  'pay-result': ['vehicle_event_type', 'sub_mch_id', 'attach'],
  'plate-state': ['out_trade_no', 'sub_mch_id', 'vehicle_event_des'],
} as const;

describe('an empty element cannot change what an APIv2 notice is', () => {
  for (const kind of ['pay-result', 'plate-state'] as const) {
    it(`verifyV2Notice gives a ${kind} notice with empty elements added the same kind, fields and id`, () => {
      const { body } = createTestV2Notice({ kind });
      const genuine = verifyV2Notice(body, { apiKey });
      const injected = verifyV2Notice(withEmpty(body, ...injections[kind]), { apiKey });
      expect(genuine.kind).toBe(kind);
      expect(injected).toEqual(genuine);
      expect(Object.values(injected.fields)).not.toContain('');
    });

    it(`the node:http handler runs onNotice once for a ${kind} notice and its copy with empty elements`, async () => {
      const { handler, seen } = setup();
      const url = await listen(handler);
      const { body } = createTestV2Notice({ kind });
      expect(await post(url, body)).toEqual({ status: 200, returnCode: 'SUCCESS' });
      expect(await post(url, withEmpty(body, ...injections[kind]))).toEqual({
        status: 200,
        returnCode: 'SUCCESS',
      });
      expect(seen.map((n) => n.kind)).toEqual([kind]);
    });

    it(`the Fetch handler runs onNotice once for a ${kind} notice and its copy with empty elements`, async () => {
      const { handler, seen } = setup();
      const { body, headers } = createTestV2Notice({ kind });
      for (const copy of [withEmpty(body, ...injections[kind]), body]) {
        const answer = await handler.fetch(
          new Request('http://lot.test/notify', { method: 'POST', headers, body: copy }),
        );
        expect(answer.status).toBe(200);
        expect(await answer.text()).toBe(buildV2NoticeReply(true));
      }
      expect(seen).toHaveLength(1);
      expect(seen[0]?.kind).toBe(kind);
    });
  }

  it('refuses an empty <sign_type> over an MD5 signature (no downgrade through an empty element)', async () => {
    const { body } = createTestV2Notice({ kind: 'pay-result', signType: 'MD5', fields: { sign_type: '' } });
    expect(parseXml(body).sign_type).toBe('');
    expect(() => verifyV2Notice(body, { apiKey })).toThrow(
      expect.objectContaining({ code: 'SIGN_TYPE_MISMATCH' }),
    );
    const { handler, seen, errors } = setup();
    expect(await post(await listen(handler), body)).toEqual({ status: 401, returnCode: 'FAIL' });
    expect(seen).toEqual([]);
    expect(errors[0]?.code).toBe('SIGN_TYPE_MISMATCH');
  });

  it('verifies a notice without sign_type with the configured algorithm, and refuses an MD5 one under HMAC', () => {
    const hmac = createTestV2Notice({ kind: 'pay-result', fields: { sign_type: undefined } });
    expect(hmac.body).not.toContain('sign_type');
    expect(verifyV2Notice(hmac.body, { apiKey }).kind).toBe('pay-result');
    const md5 = createTestV2Notice({ kind: 'pay-result', signType: 'MD5', fields: { sign_type: undefined } });
    expect(() => verifyV2Notice(md5.body, { apiKey })).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_MISMATCH' }),
    );
    expect(verifyV2Notice(md5.body, { apiKey, signType: 'MD5' }).kind).toBe('pay-result');
  });

  it('refuses a stated sign_type that differs from the configured one', () => {
    const md5 = createTestV2Notice({ kind: 'plate-state', signType: 'MD5' });
    expect(() => verifyV2Notice(md5.body, { apiKey })).toThrow(
      expect.objectContaining({ code: 'SIGN_TYPE_MISMATCH' }),
    );
  });

  it('gives different plate events different ids, and WeChat retries of one event the same id', () => {
    const event = { vehicle_event_createtime: '20261130120000' };
    const first = verifyV2Notice(createTestV2Notice({ kind: 'plate-state', fields: event }).body, { apiKey });
    const retry = verifyV2Notice(createTestV2Notice({ kind: 'plate-state', fields: event }).body, { apiKey });
    const blocked = verifyV2Notice(
      createTestV2Notice({ kind: 'plate-state', fields: { ...event, vehicle_event_type: 'BLOCKED' } }).body,
      { apiKey },
    );
    expect(retry.id).toBe(first.id);
    expect(blocked.id).not.toBe(first.id);
  });
});

describe('createV2NoticeHandler', () => {
  it('accepts notices made by createTestV2Notice', async () => {
    const { handler, seen } = setup();
    const url = await listen(handler);
    for (const kind of ['plate-state', 'pay-result'] as const) {
      expect(await post(url, createTestV2Notice({ kind }).body)).toEqual({
        status: 200,
        returnCode: 'SUCCESS',
      });
    }
    expect(seen.map((n) => n.kind)).toEqual(['plate-state', 'pay-result']);
  });

  it('never hands an undeclared kind to onNotice: onError gets UNDECLARED_NOTICE and WeChat FAIL (500)', async () => {
    const { handler, seen, errors } = setup({ kinds: ['plate-state'] });
    const url = await listen(handler);
    expect(await post(url, createTestV2Notice({ kind: 'pay-result' }).body)).toEqual({
      status: 500,
      returnCode: 'FAIL',
    });
    const other = createTestV2Notice({
      kind: 'plate-state',
      fields: { vehicle_event_type: undefined, plate_number: undefined, vehicle_event_createtime: undefined },
    });
    expect(await post(url, other.body)).toEqual({ status: 500, returnCode: 'FAIL' });
    expect(seen).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['UNDECLARED_NOTICE', 'UNDECLARED_NOTICE']);
  });

  it('runs onNotice once for concurrent deliveries of one notice, answering each SUCCESS', async () => {
    let runs = 0;
    const { handler } = setup({
      onNotice: async () => {
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    });
    const url = await listen(handler);
    const { body } = createTestV2Notice({ kind: 'pay-result' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(url, body)));
    expect(answers.every((a) => a.status === 200 && a.returnCode === 'SUCCESS')).toBe(true);
    expect(runs).toBe(1);
  });

  it('is answered by the handler, not 415 by Fastify, through the Fastify notice plugin', async () => {
    const { handler, seen } = setup();
    const app = Fastify();
    app.register(createFastifyNoticePlugin({ routes: { '/wxpay/v2/notify': handler } }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(() => app.close());
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/wxpay/v2/notify`;
    expect(await post(url, createTestV2Notice({ kind: 'plate-state' }).body)).toEqual({
      status: 200,
      returnCode: 'SUCCESS',
    });
    expect(seen).toHaveLength(1);
  });
});
