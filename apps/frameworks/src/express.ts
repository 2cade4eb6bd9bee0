import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NoticeHandlers, RunningApp } from './notices.ts';

async function listen(app: express.Express): Promise<RunningApp> {
  const server = await new Promise<Server>((resolve) => {
    const started: Server = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The notice routes registered before any body parser: the handlers read the request stream themselves. */
export function startExpressHandlerFirst({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  // #region recipe: express-handler-first
  const app = express();
  app.post('/wxpay/v2/notify', (req, res) => vehicleNotices.node(req, res));
  app.post('/wxpay/v3/parking/notify', (req, res) => parkingNotices.node(req, res));
  app.post('/wxpay/v3/mall/notify', (req, res) => mallNotices.node(req, res));
  app.use(express.json()); // the rest of the app parses as usual
  // #endregion
  app.post('/api/orders', (req, res) => void res.json({ received: req.body }));
  return listen(app);
}

/** `express.raw()` on the notice routes: the handlers verify the Buffer it left on `req.body`. */
export function startExpressRaw({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  // #region recipe: express-raw
  const app = express();
  const raw = express.raw({ type: () => true });
  app.post('/wxpay/v2/notify', raw, (req, res) => vehicleNotices.node(req, res));
  app.post('/wxpay/v3/parking/notify', raw, (req, res) => parkingNotices.node(req, res));
  app.post('/wxpay/v3/mall/notify', raw, (req, res) => mallNotices.node(req, res));
  // #endregion
  app.use(express.json());
  app.post('/api/orders', (req, res) => void res.json({ received: req.body }));
  return listen(app);
}

/**
 * `express.json()` mounted globally, before the notice routes. It parses the APIv3 (JSON) notices, so it
 * keeps their bytes with `verify`; the APIv2 (XML) notice passes it untouched and `express.raw()` on its
 * route reads it.
 */
export function startExpressJsonGlobal({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  // #region recipe: express-json-global
  const app = express();
  app.use(
    express.json({
      // Signatures cover the bytes as received: keep them beside the parsed body.
      verify: (req, _res, bytes) => void Object.assign(req, { rawBody: bytes }),
    }),
  );
  const raw = express.raw({ type: () => true });
  app.post('/wxpay/v2/notify', raw, (req, res) => vehicleNotices.node(req, res));
  app.post('/wxpay/v3/parking/notify', raw, (req, res) => parkingNotices.node(req, res));
  app.post('/wxpay/v3/mall/notify', raw, (req, res) => mallNotices.node(req, res));
  // #endregion
  app.post('/api/orders', (req, res) => void res.json({ received: req.body }));
  return listen(app);
}

/** The mistake the handlers must make loud: `express.json()` first and nothing kept. */
export function startExpressJsonGlobalBytesLost({
  vehicleNotices,
  parkingNotices,
  mallNotices,
}: NoticeHandlers): Promise<RunningApp> {
  const app = express();
  app.use(express.json());
  const raw = express.raw({ type: () => true });
  app.post('/wxpay/v2/notify', raw, (req, res) => vehicleNotices.node(req, res));
  app.post('/wxpay/v3/parking/notify', raw, (req, res) => parkingNotices.node(req, res));
  app.post('/wxpay/v3/mall/notify', raw, (req, res) => mallNotices.node(req, res));
  app.post('/api/orders', (req, res) => void res.json({ received: req.body }));
  return listen(app);
}
