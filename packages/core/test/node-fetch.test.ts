import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ky, { isNetworkError } from 'ky';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, createNodeFetch, directRequestOption } from '../src/node-fetch.ts';
import { isUnreachable } from '../src/transport.ts';

const servers: Server[] = [];

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('createNodeFetch', () => {
  it('sends the method, headers and body of a ky Request and returns the answer bytes as received', async () => {
    let seen:
      | { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }
      | undefined;
    const url = await listen(async (req, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers, body: await readAll(req) };
      res.writeHead(200, { 'content-type': 'application/json', 'wechatpay-nonce': 'abc' });
      res.end(Buffer.from('{"名":"停车"}\n', 'utf8'));
    });
    const http = ky.create({ fetch: createNodeFetch(), throwHttpErrors: false, retry: 0 });
    const answer = await http(`${url}/v3/path?a=1&b=%20`, {
      method: 'POST',
      headers: { authorization: 'WECHATPAY2 x', 'content-type': 'application/json' },
      body: '{"plate":"粤B888888"}',
    });
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/v3/path?a=1&b=%20');
    expect(seen?.headers.authorization).toBe('WECHATPAY2 x');
    expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength('{"plate":"粤B888888"}')));
    expect(seen?.body).toBe('{"plate":"粤B888888"}');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('wechatpay-nonce')).toBe('abc');
    const sent = new Uint8Array(Buffer.from('{"名":"停车"}\n', 'utf8'));
    expect(bodyOf(answer)).toEqual(sent);
    expect(new Uint8Array(await answer.arrayBuffer())).toEqual(sent);
  });

  it('sends a direct request beside ky: its own headers, body and signal, under the base URL path, the answer bytes in bodyOf', async () => {
    let seen:
      | { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }
      | undefined;
    const url = await listen(async (req, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers, body: await readAll(req) };
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'r-1' });
      res.end('{"名":"停车"}');
    });
    const http = ky.create({ fetch: createNodeFetch(), throwHttpErrors: false, retry: 0 });
    const body = '{"plate":"粤B888888"}';
    const answer = await http(`${url}/gateway/v3/path?a=%20`, {
      method: 'POST',
      [directRequestOption]: {
        base: `${url}/gateway`,
        path: '/v3/path?a=%20',
        method: 'POST',
        headers: { authorization: 'WECHATPAY2 x', 'content-type': 'application/json' },
        body,
        signal: new AbortController().signal,
      },
    } as Parameters<typeof http>[1]);
    expect(seen).toMatchObject({ method: 'POST', url: '/gateway/v3/path?a=%20', body });
    expect(seen?.headers.authorization).toBe('WECHATPAY2 x');
    expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('request-id')).toBe('r-1');
    expect(new TextDecoder().decode(bodyOf(answer))).toBe('{"名":"停车"}');
  });

  it('refuses a redirect answering a direct request', async () => {
    const url = await listen((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    const error = await createNodeFetch()(`${url}/x`, {
      [directRequestOption]: {
        base: url,
        path: '/x',
        method: 'GET',
        headers: {},
        signal: new AbortController().signal,
      },
    } as RequestInit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(isUnreachable(error)).toBe(false);
  });

  it('answers a 204 with no body', async () => {
    const url = await listen((_req, res) => res.writeHead(204).end());
    const answer = await createNodeFetch()(`${url}/x`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeNull();
  });

  it('rejects a refused connection as fetch does, with the connect error as cause (so failover applies)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await createNodeFetch()(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    expect((error as { cause?: { code?: string; syscall?: string } }).cause).toMatchObject({
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
    expect(isUnreachable(error)).toBe(true);
  });

  it('refuses an answer whose declared length is over the cap, without reading it', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': '2048' });
      res.end(Buffer.alloc(2048));
    });
    const error = await createNodeFetch({ maxBodyBytes: 1024 })(`${url}/x`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('RESPONSE_TOO_LARGE');
  });

  it('stops reading a chunked answer once it passes the cap', async () => {
    let closed = false;
    const url = await listen((req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(Buffer.alloc(512)), 5);
      req.socket.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    const error = await createNodeFetch({ maxBodyBytes: 4096 })(`${url}/x`).catch((e: unknown) => e);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('RESPONSE_TOO_LARGE');
    await expect.poll(() => closed).toBe(true);
  });

  it('rejects with the signal reason and closes the connection when aborted while waiting', async () => {
    let closed = false;
    const url = await listen((req) => req.socket.on('close', () => (closed = true)));
    const controller = new AbortController();
    const pending = createNodeFetch()(`${url}/x`, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('stop')), 50);
    expect(((await pending) as Error).message).toBe('stop');
    await expect.poll(() => closed).toBe(true);
  });

  it('rejects when aborted while the body is still arriving', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const controller = new AbortController();
    const pending = createNodeFetch()(`${url}/x`, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('too slow')), 50);
    expect(((await pending) as Error).message).toBe('too slow');
  });

  it('reports an answer cut off mid-body as a network error ky recognises', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const http = ky.create({ fetch: createNodeFetch(), throwHttpErrors: false, retry: 0 });
    const error = await http(`${url}/x`).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect(isUnreachable(error)).toBe(false);
  });

  it("refuses a redirect when the request says redirect: 'error'", async () => {
    const url = await listen((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    const error = await createNodeFetch()(`${url}/x`, { redirect: 'error' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(isUnreachable(error)).toBe(false);
  });

  it('keeps one connection alive across sequential requests', async () => {
    let connections = 0;
    const url = await listen((_req, res) => res.end('ok'));
    servers.at(-1)!.on('connection', () => connections++);
    const fetch = createNodeFetch();
    for (let i = 0; i < 10; i++) await (await fetch(`${url}/x`, { method: 'POST', body: 'x' })).text();
    expect(connections).toBe(1);
  });
});
