import type { ServerResponse } from 'node:http';
import { closedUrl, listen } from '@wxpark/test-utils';
import { XmlError } from '@wxpark/xml';
import { describe, expect, it } from 'vitest';
import { TransportError, WxparkError } from '../src/errors.ts';
import { resolveOptions } from '../src/options.ts';
import { testClient } from './helpers.ts';

describe('test traffic never reaches production', () => {
  it('has no backup host when baseUrl is given without backupBaseUrls', async () => {
    const host = await closedUrl();
    const attempted: string[] = [];
    const recording: typeof fetch = (input, init) => {
      attempted.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    const client = testClient(host, { backupBaseUrls: undefined, fetch: recording });
    for (const call of [
      () => client.v3['core-test'].entry({}),
      () => client.v3['core-test'].item({}),
      () => client.v2['core-test'].notification({}),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(TransportError.isInstance(error)).toBe(true);
      expect((error as TransportError).code).toBe('UNREACHABLE');
      for (const attempt of (error as TransportError).attempts)
        expect(attempt.url.startsWith(`${host}/`)).toBe(true);
      expect((error as TransportError).message).not.toContain('weixin.qq.com');
    }
    expect(attempted.length).toBeGreaterThan(0);
    for (const url of attempted) expect(url.startsWith(`${host}/`)).toBe(true);
  });

  it('keeps the production pair only when neither baseUrl nor backupBaseUrls is given', () => {
    const hosts = (options: Parameters<typeof resolveOptions>[0]) => {
      const resolved = resolveOptions(options);
      return [resolved.baseUrl, ...resolved.backupBaseUrls];
    };
    expect(hosts({})).toEqual(['https://api.mch.weixin.qq.com', 'https://api2.mch.weixin.qq.com']);
    expect(hosts({ baseUrl: 'http://127.0.0.1:3000' })).toEqual(['http://127.0.0.1:3000']);
    expect(hosts({ baseUrl: 'http://127.0.0.1:3000', backupBaseUrls: ['http://127.0.0.1:3001'] })).toEqual([
      'http://127.0.0.1:3000',
      'http://127.0.0.1:3001',
    ]);
  });
});

/** Sends headers at once, then one byte every 100 ms for 20 s. */
function trickle(res: ServerResponse, contentType: string): void {
  res.writeHead(200, { 'content-type': contentType });
  res.write(' ');
  const timer = setInterval(() => res.write(' '), 100);
  const stop = setTimeout(() => res.end(), 20_000);
  res.on('close', () => {
    clearInterval(timer);
    clearTimeout(stop);
  });
}

/** Streams `total` bytes with backpressure, counting what was actually handed to the socket. */
function flood(res: ServerResponse, total: number, declareLength: boolean, sent: { bytes: number }): void {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  res.writeHead(200, {
    'content-type': 'text/plain',
    ...(declareLength ? { 'content-length': String(total) } : {}),
  });
  const pump = () => {
    while (sent.bytes < total && !res.destroyed) {
      sent.bytes += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

describe('a timeout bounds the whole attempt, body included', () => {
  for (const protocol of ['v2', 'v3'] as const) {
    it(`fails a ${protocol} call whose body trickles within timeout + 1 s`, async () => {
      const server = await listen((_req, res) =>
        trickle(res, protocol === 'v2' ? 'text/xml' : 'application/json'),
      );
      const client = testClient(server.url, { timeout: 800 });
      const started = Date.now();
      const error = await (protocol === 'v2'
        ? client.v2['core-test'].notification({})
        : client.v3['core-test'].entry({})
      ).catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(TransportError.isInstance(error)).toBe(true);
      expect((error as TransportError).code).toBe('TIMEOUT');
      expect((error as TransportError).hint).toMatch(/may have arrived/);
      expect(elapsed).toBeLessThan(1_800);
    });
  }
});

it('refuses a per-call timeout that is not a positive integer, before sending', async () => {
  let hits = 0;
  const server = await listen((_req, res) => {
    hits++;
    res.end();
  });
  const error = await testClient(server.url)
    .v3['core-test'].entry({}, { timeout: Number.NaN })
    .catch((e: unknown) => e);
  expect((error as { code?: string }).code).toBe('VALIDATION_FAILED');
  expect((error as Error).message).toContain('config.timeout');
  expect(hits).toBe(0);
});

describe('a response body has a size cap', () => {
  for (const [protocol, declareLength] of [
    ['v2', true],
    ['v2', false],
    ['v3', true],
    ['v3', false],
  ] as const) {
    it(`refuses a 64 MiB ${protocol} response (${declareLength ? 'with' : 'without'} Content-Length), cutting the connection with memory bounded`, async () => {
      const sent = { bytes: 0 };
      const server = await listen((_req, res) => flood(res, 64 * 1024 * 1024, declareLength, sent));
      const client = testClient(server.url, { timeout: 15_000 });
      const baseline = process.memoryUsage().arrayBuffers;
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }, 5);
      const error = await (protocol === 'v2'
        ? client.v2['core-test'].notification({})
        : client.v3['core-test'].entry({})
      ).catch((e: unknown) => e);
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      expect(TransportError.isInstance(error)).toBe(true);
      expect((error as TransportError).code).toBe('RESPONSE_TOO_LARGE');
      expect((error as TransportError).hint).toMatch(/may have been processed/);
      // The default cap is 4 MiB; socket buffers add a few more, but never the 64 MiB sent.
      expect(sent.bytes).toBeLessThan(32 * 1024 * 1024);
      expect(peak - baseline).toBeLessThan(32 * 1024 * 1024);
    });
  }

  it('reads a body just under the cap in full', async () => {
    const body = 'x'.repeat(2048);
    const server = await listen((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/plain' }).end(body),
    );
    const client = testClient(server.url, { maxResponseBytes: 4096 });
    const error = await client.v3['core-test'].entry({}).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(404);
  });
});

describe('an answer that cannot be read', () => {
  for (const [what, body] of [
    ['is not XML', '<xml><return_code>SUCCESS</return_code>'],
    ['declares a DOCTYPE', '<!DOCTYPE xml [<!ENTITY e "x">]><xml><return_code>&e;</return_code></xml>'],
  ] as const) {
    it(`is a MALFORMED_RESPONSE naming the route and saying it reached WeChat Pay, when an APIv2 answer ${what}`, async () => {
      const server = await listen((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(body);
      });
      const error = await testClient(server.url)
        .v2['core-test'].notification({})
        .catch((e: unknown) => e);
      expect(WxparkError.isInstance(error)).toBe(true);
      expect(XmlError.isInstance(error)).toBe(false);
      expect((error as WxparkError).code).toBe('MALFORMED_RESPONSE');
      expect((error as WxparkError).message).toContain('/core-test/notification');
      expect((error as WxparkError).hint).toMatch(/reached WeChat Pay/);
      expect(XmlError.isInstance((error as Error).cause)).toBe(true);
    });
  }
});
