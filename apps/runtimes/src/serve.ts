import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running loopback server of the runtime under test. */
export interface SmokeServer {
  url: string;
  runtime: string;
  close(): Promise<void>;
}

type FetchHandler = (request: Request) => Promise<Response>;

interface BunRuntime {
  version: string;
  serve(options: { port: number; hostname: string; fetch: FetchHandler }): {
    port: number;
    stop(closeActive?: boolean): Promise<void>;
  };
}

interface DenoRuntime {
  version: { deno: string };
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: FetchHandler,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}

/**
 * Serves a Fetch handler with the runtime's own server (Bun.serve, Deno.serve), so the handlers' Fetch entry
 * meets that runtime's Request; on Node, node:http with a minimal bridge.
 */
export async function serve(handler: FetchHandler): Promise<SmokeServer> {
  const { Bun, Deno } = globalThis as { Bun?: BunRuntime; Deno?: DenoRuntime };
  if (Bun) {
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
    return {
      url: `http://127.0.0.1:${server.port}`,
      runtime: `bun ${Bun.version}`,
      close: () => server.stop(true),
    };
  }
  if (Deno) {
    const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, handler);
    return {
      url: `http://127.0.0.1:${server.addr.port}`,
      runtime: `deno ${Deno.version.deno}`,
      close: () => server.shutdown(),
    };
  }
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = await handler(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method ?? 'GET',
        headers: Object.entries(req.headers).flatMap(([name, value]) =>
          typeof value === 'string' ? [[name, value] as [string, string]] : [],
        ),
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runtime: `node ${process.versions.node}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
