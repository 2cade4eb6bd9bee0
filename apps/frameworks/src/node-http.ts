import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NoticeHandlers, RunningApp } from './notices.ts';

/** The app's own routes, reading JSON as such apps do. */
async function yourOtherRoutes(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/api/orders') return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const received: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received }));
}

export async function startNodeHttp({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  // #region recipe: node-http
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/wxpay/v2/notify') return void vehicleNotices.node(req, res);
    if (req.method === 'POST' && req.url === '/wxpay/v3/parking/notify')
      return void parkingNotices.node(req, res);
    if (req.method === 'POST' && req.url === '/wxpay/v3/mall/notify') return void mallNotices.node(req, res);
    void yourOtherRoutes(req, res);
  });
  // #endregion
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
