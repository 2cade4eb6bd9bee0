import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, onTestFinished, TestRunner } from 'vitest';

/** A loopback server started by {@link listen}. */
export interface ListeningServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  server: Server;
}

// Servers started outside a test (in beforeAll) stay up for the file; this module is loaded once per test
// file, so the hook below stops them when that file's tests are done.
const forTheFile = new Set<Server>();
afterAll(() => Promise.all([...forTheFile].map(stop)));

function stop(server: Server): Promise<void> {
  forTheFile.delete(server);
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets would hold close() open until they time out.
    server.closeAllConnections();
  });
}

/**
 * Starts a node:http server on 127.0.0.1, on a free port, and stops it on its own: when the test that
 * started it finishes, or, started in a `beforeAll`, when the file's tests are done.
 *
 * @example
 * ```ts
 * const { url } = await listen((req, res) => res.writeHead(503).end());
 * ```
 */
export async function listen(handler?: RequestListener): Promise<ListeningServer> {
  const server = handler ? createServer(handler) : createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  if (TestRunner.getCurrentTest()) onTestFinished(() => stop(server));
  else forTheFile.add(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A loopback URL on which nothing listens: connecting to it is refused. */
export async function closedUrl(): Promise<string> {
  const { url, server } = await listen();
  await stop(server);
  return url;
}
