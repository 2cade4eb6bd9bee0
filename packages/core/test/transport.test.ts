import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../src/errors.ts';
import { isUnreachable, type PreparedAttempt, Transport } from '../src/transport.ts';

const servers: Server[] = [];

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback URL on which nothing listens: connecting to it is refused. */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function counter(withBody = true) {
  let count = 0;
  const prepare = async (): Promise<PreparedAttempt> => {
    count++;
    const headers = { 'x-attempt': String(count) };
    return withBody ? { path: '/echo', headers, body: `attempt ${count}` } : { path: '/echo', headers };
  };
  return { prepare, count: () => count };
}

function settings(baseUrl: string, backupBaseUrls: string[] = [], timeout = 2_000) {
  return {
    baseUrl,
    backupBaseUrls,
    timeout,
    maxResponseBytes: 1 << 20,
    retry: { limit: 2, maxRetryAfter: 5_000 },
  };
}

describe('Transport', () => {
  it('fails over to the backup host when the primary refuses the connection, signing the attempt afresh', async () => {
    const seen: string[] = [];
    const backup = await listen((req, res) => {
      seen.push(String(req.headers['x-attempt']));
      res.end('ok');
    });
    const transport = new Transport(settings(await closedUrl(), [backup]));
    const { prepare, count } = counter();
    const answer = await transport.send('POST', prepare);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('ok');
    expect(count()).toBe(2);
    expect(seen).toEqual(['2']);
  });

  it('does not resend a POST whose connection broke after it was sent', async () => {
    let hits = 0;
    const primary = await listen((req) => {
      hits++;
      req.socket.destroy();
    });
    const backupHits: number[] = [];
    const backup = await listen((_req, res) => {
      backupHits.push(1);
      res.end('ok');
    });
    const transport = new Transport(settings(primary, [backup]));
    const error = await transport.send('POST', counter().prepare).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('NETWORK');
    expect((error as TransportError).attempts).toHaveLength(1);
    expect(hits).toBe(1);
    expect(backupHits).toHaveLength(0);
  });

  it('retries a GET on a 503 with a freshly prepared attempt each time', async () => {
    const seen: string[] = [];
    const primary = await listen((req, res) => {
      seen.push(String(req.headers['x-attempt']));
      if (seen.length < 3) {
        res.writeHead(503, { 'retry-after': '0' }).end('busy');
      } else {
        res.end('ok');
      }
    });
    const transport = new Transport(settings(primary));
    const answer = await transport.send('GET', counter(false).prepare);
    expect(answer.body).toBe('ok');
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('never retries a POST that got a 503', async () => {
    let hits = 0;
    const primary = await listen((_req, res) => {
      hits++;
      res.writeHead(503).end('busy');
    });
    const answer = await new Transport(settings(primary)).send('POST', counter().prepare);
    expect(answer.status).toBe(503);
    expect(hits).toBe(1);
  });

  it('reports a timeout as TIMEOUT and does not fail over a POST that may have arrived', async () => {
    const primary = await listen(() => {
      /* never answers */
    });
    let backupHits = 0;
    const backup = await listen((_req, res) => {
      backupHits++;
      res.end('ok');
    });
    const transport = new Transport(settings(primary, [backup], 300));
    const error = (await transport
      .send('POST', counter().prepare)
      .catch((e: unknown) => e)) as TransportError;
    expect(error.code).toBe('TIMEOUT');
    expect(error.hint).toMatch(/may have arrived/);
    expect(backupHits).toBe(0);
  });

  it('reports UNREACHABLE with every attempted host when no host answers', async () => {
    const first = await closedUrl();
    const second = await closedUrl();
    const error = (await new Transport(settings(first, [second]))
      .send('POST', counter().prepare)
      .catch((e: unknown) => e)) as TransportError;
    expect(error.code).toBe('UNREACHABLE');
    expect(error.attempts.map((a) => a.url)).toEqual([`${first}/echo`, `${second}/echo`]);
  });

  it('keeps connections alive across sequential calls', async () => {
    let connections = 0;
    const primary = await listen((_req, res) => res.end('ok'));
    servers.at(-1)!.on('connection', () => connections++);
    const transport = new Transport(settings(primary));
    for (let i = 0; i < 20; i++) await transport.send('POST', counter().prepare);
    // undici may open a second socket while the first is being released; it must not open one per call.
    expect(connections).toBeLessThanOrEqual(2);
  });
});

describe('isUnreachable', () => {
  const fetchFailed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });
  it('counts connect, DNS and TLS-handshake failures, which happen before the request is written', () => {
    expect(isUnreachable(fetchFailed({ code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(true);
    expect(isUnreachable(fetchFailed({ code: 'EHOSTUNREACH', syscall: 'connect' }))).toBe(true);
    expect(isUnreachable(fetchFailed({ code: 'ENOTFOUND', syscall: 'getaddrinfo' }))).toBe(true);
    expect(isUnreachable(fetchFailed({ code: 'CERT_HAS_EXPIRED' }))).toBe(true);
  });
  it('does not count the same socket codes raised after the request may have been written', () => {
    expect(isUnreachable(fetchFailed({ code: 'EHOSTUNREACH', syscall: 'read' }))).toBe(false);
    expect(isUnreachable(fetchFailed({ code: 'ENETUNREACH', syscall: 'write' }))).toBe(false);
    expect(isUnreachable(fetchFailed({ code: 'ECONNRESET', syscall: 'read' }))).toBe(false);
    expect(isUnreachable(fetchFailed({ code: 'EHOSTUNREACH' }))).toBe(false);
    expect(isUnreachable(new TypeError('fetch failed'))).toBe(false);
  });
});
