import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { bodyParser } from '@koa/bodyparser';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createFastifyNoticePlugin, createV3NoticeHandler, type WxparkError } from '../src/index.ts';
import { createTestV3Notice, testNoticeKeys } from '../src/testing.ts';
import { listen, post } from './notice-helpers.ts';

const keys = testNoticeKeys();

function setup() {
  const seen: string[] = [];
  const errors: WxparkError[] = [];
  const handler = createV3NoticeHandler({
    verifier: keys.verifier,
    apiV3Key: keys.apiV3Key,
    onNotice: (notice) => void seen.push(notice.id),
    onError: (error) => errors.push(error as WxparkError),
  });
  return { handler, seen, errors };
}

function notice() {
  return createTestV3Notice({
    event_type: 'MALL_AUTH.ACTIVATE_CARD',
    resource: { openid: 'o1', code: 'c1' },
  });
}

async function honoServer(app: Hono): Promise<string> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('.koa(ctx)', () => {
  it('verifies ctx.request.rawBody after a global body parser, and answers through ctx', async () => {
    const { handler, seen } = setup();
    const app = new Koa();
    app.use(bodyParser());
    app.use(async (ctx) => {
      if (ctx.path === '/notify') await handler.koa(ctx);
    });
    const delivery = notice();
    expect((await post(`${await listen(app.callback())}/notify`, delivery)).status).toBe(204);
    expect(seen).toEqual([delivery.id]);
  });

  it('reads ctx.req when no body parser ran, and sends a refusal with its JSON body', async () => {
    const { handler, seen, errors } = setup();
    const app = new Koa();
    app.use((ctx) => handler.koa(ctx));
    const url = await listen(app.callback());
    const delivery = notice();
    expect((await post(url, delivery)).status).toBe(204);
    const forged = await post(url, { ...delivery, body: delivery.body.replace('"id":"', '"id":"x') });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body)).toEqual({ code: 'FAIL', message: 'SIGNATURE_MISMATCH' });
    expect(seen).toEqual([delivery.id]);
    expect(errors).toHaveLength(1);
  });
});

describe('.hono(c)', () => {
  it('uses the text a middleware already read through c.req, given c or c.req', async () => {
    const { handler, seen } = setup();
    const app = new Hono();
    app.use(async (c, next) => {
      await c.req.text();
      await next();
    });
    app.post('/notify/c', (c) => handler.hono(c));
    app.post('/notify/req', (c) => handler.hono(c.req));
    const url = await honoServer(app);
    const [first, second] = [notice(), notice()];
    expect((await post(`${url}/notify/c`, first)).status).toBe(204);
    expect((await post(`${url}/notify/req`, second)).status).toBe(204);
    expect(seen).toEqual([first.id, second.id]);
  });

  it('reads the raw request when nothing read it, and refuses a body only kept as form data', async () => {
    const { handler, seen, errors } = setup();
    const app = new Hono();
    app.post('/notify', (c) => handler.hono(c));
    app.post('/parsed', async (c) => {
      await c.req.formData().catch(() => undefined);
      return handler.hono(c);
    });
    const url = await honoServer(app);
    const delivery = notice();
    expect((await post(`${url}/notify`, delivery)).status).toBe(204);
    expect(seen).toEqual([delivery.id]);
    const form = await fetch(`${url}/parsed`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    expect(form.status).toBe(500);
    expect(errors.map((e) => e.code)).toEqual(['BODY_ALREADY_READ']);
  });
});

describe('createFastifyNoticePlugin', () => {
  it('registers notice routes with a raw parser in their own scope, leaving the app its JSON parser', async () => {
    const { handler, seen } = setup();
    const app = Fastify();
    app.post('/orders', async (request) => ({ parsed: request.body }));
    app.register(createFastifyNoticePlugin({ routes: { '/notify': handler } }), { prefix: '/wxpay' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(() => app.close());
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const delivery = notice();
    expect((await post(`${url}/wxpay/notify`, delivery)).status).toBe(204);
    // Any content type reaches the handler as bytes: an XML label is verified, not answered 415.
    const relabelled = notice();
    const xml = await post(`${url}/wxpay/notify`, {
      body: relabelled.body,
      headers: { ...relabelled.headers, 'content-type': 'text/xml' },
    });
    expect(xml.status).toBe(204);
    expect(seen).toEqual([delivery.id, relabelled.id]);
    const other = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await other.json()).toEqual({ parsed: { a: 1 } });
    const xmlElsewhere = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<xml/>',
    });
    expect(xmlElsewhere.status).toBe(415);
  });
});
