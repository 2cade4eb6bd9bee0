import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { NoticeHandlers, RunningApp } from './notices.ts';

/** An app whose middleware reads every body as text first (a logger, a signature check of its own, …). */
export async function startHono({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  // #region recipe: hono
  const app = new Hono();
  app.use(async (c, next) => {
    if (c.req.method === 'POST') await c.req.text(); // e.g. a request logger
    await next();
  });
  // .hono(c) takes the text Hono cached for the middleware: c.req.raw is used up by now.
  app.post('/wxpay/v2/notify', (c) => vehicleNotices.hono(c));
  app.post('/wxpay/v3/parking/notify', (c) => parkingNotices.hono(c));
  app.post('/wxpay/v3/mall/notify', (c) => mallNotices.hono(c));
  // #endregion
  app.post('/api/orders', async (c) => c.json({ received: await c.req.json() }));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
