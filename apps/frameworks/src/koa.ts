import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { NoticeHandlers, RunningApp } from './notices.ts';

/** A global body parser (JSON and forms, as apps have it), and the notice routes after it. */
export async function startKoa({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  // #region recipe: koa
  const app = new Koa();
  app.use(bodyParser());
  const notices = new Map([
    ['/wxpay/v2/notify', vehicleNotices],
    ['/wxpay/v3/parking/notify', parkingNotices],
    ['/wxpay/v3/mall/notify', mallNotices],
  ]);
  app.use(async (ctx, next) => {
    const handler = ctx.method === 'POST' ? notices.get(ctx.path) : undefined;
    if (!handler) return next();
    await handler.koa(ctx); // the bytes the body parser kept in ctx.request.rawBody
  });
  // #endregion
  app.use((ctx) => {
    if (ctx.method === 'POST' && ctx.path === '/api/orders') ctx.body = { received: ctx.request.body };
  });
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
