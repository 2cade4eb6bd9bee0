import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { addAdminRoutes } from '../admin/routes.ts';
import { addInspectorRoutes } from '../inspector/routes.ts';
import { completeSandboxConfig, generateSandboxConfig, parseSandboxConfig } from '../keys/config.ts';
import { createSandboxTls } from '../keys/tls.ts';
import { sendPlateStateNotice } from '../notices/v2.ts';
import { sendV3Notice } from '../notices/v3.ts';
import { createState } from '../state.ts';
import type { Sandbox, SandboxOptions } from '../types.ts';
import { addV2Routes } from '../v2/routes.ts';
import { addV3Routes } from '../v3/routes.ts';
import { createListener } from './listener.ts';
import { createRouter } from './router.ts';

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts a local WeChat Pay simulator on node:http: the APIv2 car-owner platform (车主平台) and the APIv3
 * parking and business-circle APIs, with signed answers, callbacks to the merchant and switchable hostile
 * behaviour.
 *
 * @throws `SandboxConfigError` when `config` cannot be used, `SandboxUsageError` for an unknown `keyMode`;
 * the listen error when the port is taken.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { port = 0, host = '127.0.0.1', log = () => {}, keyMode = 'public-key' } = options;
  const config = completeSandboxConfig(
    options.config === undefined ? generateSandboxConfig() : parseSandboxConfig(options.config),
  );
  const state = createState(config, log, keyMode);
  const router = createRouter();
  addV2Routes(router, state);
  addV3Routes(router, state);
  addAdminRoutes(router, state);
  addInspectorRoutes(router, state);

  const listener = createListener(state, router, options.rateLimit);
  const serve = (request: IncomingMessage, response: ServerResponse) => {
    void listener(request, response);
  };
  const servers: Server[] = [createServer(serve)];
  // Same routes and state over TLS. A client certificate is asked for on every connection but not required
  // by the handshake: the routes that need one (/secapi/…) refuse its absence themselves, as WeChat's do.
  const tls = options.https ? createSandboxTls(config.merchants.map((m) => m.mchId)) : undefined;
  if (tls) {
    servers.push(
      createHttpsServer({ ...tls.server, ca: tls.ca, requestCert: true, rejectUnauthorized: false }, serve),
    );
  }
  // Tracked so close() can end idle keep-alive connections instead of waiting for their timeout.
  const sockets = new Set<Socket>();
  for (const server of servers) {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const urls: string[] = [];
  try {
    for (const [index, server] of servers.entries()) {
      await listen(server, index === 0 ? port : 0, host);
      const { port: actualPort } = server.address() as AddressInfo;
      urls.push(`${index === 0 ? 'http' : 'https'}://${hostPart}:${actualPort}`);
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  const [url, httpsUrl] = urls as [string, string | undefined];
  let closing: Promise<void> | undefined;

  return {
    url,
    ...(httpsUrl && tls ? { httpsUrl, tls } : {}),
    get config() {
      return state.config;
    },
    get requests() {
      return state.requests.slice();
    },
    clearRequests() {
      state.requests.length = 0;
    },
    setVehicleUser(user) {
      state.setVehicleUser(user);
    },
    setHostile(mode, hostileOptions) {
      state.hostile.push(mode, hostileOptions);
    },
    sendPlateStateNotice(plate_number, event) {
      return sendPlateStateNotice(state, plate_number, event);
    },
    get keyMode() {
      return state.v3.keyring.mode;
    },
    setKeyMode(mode) {
      state.v3.keyring.setMode(mode);
    },
    rotatePlatformCertificate() {
      return state.v3.keyring.rotate();
    },
    retirePlatformCertificate(serialNo) {
      state.v3.keyring.retire(serialNo);
    },
    failNext(failure) {
      state.v3.failures.push(failure);
    },
    overrideNextAnswer(override) {
      state.answerOverrides.push(override);
    },
    setRefundOutcome(status, outcomeOptions) {
      state.refundOutcomes.push(status, outcomeOptions);
    },
    sendV3Notice(notice) {
      return sendV3Notice(state, notice);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        state.shutdown.abort();
        let open = servers.length;
        for (const server of servers) {
          server.close(() => {
            if (--open === 0) resolve();
          });
          server.closeAllConnections();
        }
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
