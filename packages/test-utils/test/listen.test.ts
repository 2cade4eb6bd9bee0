import type { Server } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { closedUrl, listen } from '../src/index.ts';

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
