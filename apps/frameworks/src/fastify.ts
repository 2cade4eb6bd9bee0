import Fastify from 'fastify';
import type { NoticeHandlers, RunningApp } from './notices.ts';

/** An app with Fastify's default parsers on its own routes, and the notice routes in a scope of their own. */
export async function startFastify({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  // #region recipe
  const app = Fastify();
  await app.register(async (scope) => {
    // The handlers read the body themselves: in this scope only, leave the stream unread.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.post('/wxpay/v2/notify', (request, reply) => vehicleNotices.node(request.raw, reply.hijack().raw));
    scope.post('/wxpay/v3/parking/notify', (request, reply) =>
      parkingNotices.node(request.raw, reply.hijack().raw),
    );
    scope.post('/wxpay/v3/mall/notify', (request, reply) =>
      mallNotices.node(request.raw, reply.hijack().raw),
    );
  });
  // #endregion
  app.post('/api/orders', async (request) => ({ received: request.body }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}
