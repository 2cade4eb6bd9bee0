import { closedUrl, listen } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../src/errors.ts';
import { isUnreachable, type PreparedAttempt, Transport } from '../src/transport.ts';

function counter(withBody = true) {
  let count = 0;
  const prepare = async (): Promise<PreparedAttempt> => {
    count++;
    const headers = { 'x-attempt': String(count) };
    return withBody ? { path: '/echo', headers, body: `attempt ${count}` } : { path: '/echo', headers };
  };
  return { prepare, count: () => count };
}

// Every behaviour holds on both fetches: wxpark's own node:http fetch (the default, which gets the request beside
// ky's Request) and the global fetch a user can select (which gets it through ky's Request).
const fetches = [
  ['its own node:http fetch', undefined],
  ['the global fetch', globalThis.fetch],
] as const;

for (const [fetchName, fetch] of fetches) {
  function settings(baseUrl: string, backupBaseUrls: string[] = [], timeout = 2_000) {
    return {
      baseUrl,
      backupBaseUrls,
      timeout,
      maxResponseBytes: 1 << 20,
      retry: { limit: 2, maxRetryAfter: 5_000 },
      ...(fetch ? { fetch } : {}),
    };
  }

  describe(`Transport on ${fetchName}`, () => {
    it('sends the prepared path, headers and body as they are, and returns status, headers and body bytes', async () => {
      let seen: { url?: string; headers: Record<string, unknown>; body: string } | undefined;
      const { url } = await listen(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        seen = { url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        res.writeHead(200, { 'request-id': 'r-1', 'content-type': 'application/json' }).end('{"名":"停车"}');
      });
      const transport = new Transport(settings(url));
      const body = '{"plate_number":"粤B888888"}';
      const answer = await transport.send('POST', async () => ({
        path: '/v3/x?a=%20',
        headers: { authorization: 'WECHATPAY2 x', 'content-type': 'application/json' },
        body,
      }));
      expect(seen).toMatchObject({ url: '/v3/x?a=%20', body });
      expect(seen?.headers.authorization).toBe('WECHATPAY2 x');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('request-id')).toBe('r-1');
      expect(answer.body).toBe('{"名":"停车"}');
      expect(new TextDecoder().decode(answer.bytes)).toBe('{"名":"停车"}');
    });

    it('cuts an answer past maxResponseBytes as RESPONSE_TOO_LARGE', async () => {
      const { url } = await listen((_req, res) => {
        res.writeHead(200);
        res.end(Buffer.alloc(4096));
      });
      const transport = new Transport({ ...settings(url), maxResponseBytes: 1024 });
      const error = (await transport
        .send('POST', counter().prepare)
        .catch((e: unknown) => e)) as TransportError;
      expect(error).toBeInstanceOf(TransportError);
      expect(error.code).toBe('RESPONSE_TOO_LARGE');
    });

    it('stops at once when the caller aborts, with the caller’s reason', async () => {
      const { url } = await listen(() => {
        /* never answers */
      });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('caller gave up')), 50);
      const error = await new Transport(settings(url))
        .send('POST', counter().prepare, { signal: controller.signal })
        .catch((e: unknown) => e);
      expect((error as Error).message).toBe('caller gave up');
    });

    it('fails over to the backup host when the primary refuses the connection, signing the attempt afresh', async () => {
      const seen: string[] = [];
      const { url: backup } = await listen((req, res) => {
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
      const { url: primary } = await listen((req) => {
        hits++;
        req.socket.destroy();
      });
      const backupHits: number[] = [];
      const { url: backup } = await listen((_req, res) => {
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
      const { url: primary } = await listen((req, res) => {
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
      const { url: primary } = await listen((_req, res) => {
        hits++;
        res.writeHead(503).end('busy');
      });
      const answer = await new Transport(settings(primary)).send('POST', counter().prepare);
      expect(answer.status).toBe(503);
      expect(hits).toBe(1);
    });

    it('reports a timeout as TIMEOUT and does not fail over a POST that may have arrived', async () => {
      const { url: primary } = await listen(() => {
        /* never answers */
      });
      let backupHits = 0;
      const { url: backup } = await listen((_req, res) => {
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
      const { url: primary, server } = await listen((_req, res) => res.end('ok'));
      server.on('connection', () => connections++);
      const transport = new Transport(settings(primary));
      for (let i = 0; i < 20; i++) await transport.send('POST', counter().prepare);
      // undici may open a second socket while the first is being released; it must not open one per call.
      expect(connections).toBeLessThanOrEqual(2);
    });
  });
}

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
