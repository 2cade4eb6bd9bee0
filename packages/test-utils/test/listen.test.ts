import type { Server } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { closedUrl, listen, listenFlood } from '../src/index.ts';

describe('listen', () => {
  let fromTheTest: Server | undefined;

  it('serves on a free loopback port', async () => {
    const { url, server } = await listen((_req, res) => res.end('up'));
    fromTheTest = server;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(url)).text()).toBe('up');
    expect(server.listening).toBe(true);
  });

  it('has stopped the server of the previous test once that test finished', () => {
    expect(fromTheTest?.listening).toBe(false);
  });

  describe('started in beforeAll', () => {
    let shared: { url: string; server: Server };
    beforeAll(async () => {
      shared = await listen((_req, res) => res.end('shared'));
    });

    it('serves the first test', async () => {
      expect(await (await fetch(shared.url)).text()).toBe('shared');
    });

    it('still serves the next test of the file', async () => {
      expect(shared.server.listening).toBe(true);
      expect(await (await fetch(shared.url)).text()).toBe('shared');
    });
  });
});

it('closedUrl gives a loopback URL whose connections are refused', async () => {
  const error = await fetch(await closedUrl()).catch((e: unknown) => e);
  expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
});

it('listenFlood writes while the reader reads, and stops once the reader goes away', async () => {
  const receiver = await listenFlood();
  const closed = new Promise<void>((resolve) =>
    receiver.server.once('connection', (socket) => socket.once('close', () => resolve())),
  );
  const reader = (await fetch(receiver.url)).body!.getReader();
  let read = 0;
  while (read < 1024 * 1024) read += (await reader.read()).value!.length;
  await reader.cancel();
  await closed;
  const atClose = receiver.written;
  expect(atClose).toBeGreaterThanOrEqual(read);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(receiver.written).toBe(atClose);
});

it('listenFlood ends a reply of total bytes, declaring its length when asked', async () => {
  const receiver = await listenFlood({ total: 100_000, declareLength: true });
  const answer = await fetch(receiver.url);
  expect(answer.headers.get('content-length')).toBe('100000');
  expect((await answer.arrayBuffer()).byteLength).toBe(100_000);
  expect(receiver.written).toBe(100_000);
});
