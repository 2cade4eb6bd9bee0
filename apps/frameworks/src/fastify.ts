import { createFastifyNoticePlugin } from '@wxpark/core';
import Fastify from 'fastify';
import type { NoticeHandlers, RunningApp } from './notices.ts';

/** An app with Fastify's default parsers on its own routes, and the notice routes in the plugin's scope. */
export async function startFastify({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  // #region recipe: fastify
  const app = Fastify();
  // Registered without fastify-plugin: its raw parser stays inside the plugin's scope.
  await app.register(
    createFastifyNoticePlugin({
      routes: {
        '/wxpay/v2/notify': vehicleNotices,
        '/wxpay/v3/parking/notify': parkingNotices,
        '/wxpay/v3/mall/notify': mallNotices,
      },
    }),
  );
  // #endregion
  app.post('/api/orders', async (request) => ({ received: request.body }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}
