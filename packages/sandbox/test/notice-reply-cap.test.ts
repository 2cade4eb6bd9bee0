import type { ServerResponse } from 'node:http';
import { listen } from '@wxpark/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { maxReplyBytes } from '../src/notices/deliver.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

/** Writes 64 KiB chunks for as long as the socket stays open, counting what it managed to write. */
function endless(response: ServerResponse, written: { bytes: number }): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  response.writeHead(200, { 'content-type': 'text/plain' });
  const pump = () => {
    while (!response.destroyed) {
      written.bytes += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
  };
  pump();
}

describe("the notice sender reads the receiver's reply capped", () => {
  it('stops at the cap on an endless reply, marks it cut, and the delivery ends at once', async () => {
    const written = { bytes: 0 };
    const receiver = await listen((_, response) => endless(response, written));
    const started = performance.now();
    const delivery = await sandbox.sendV3Notice({ url: receiver.url, event_type: 'X.Y', resource: {} });
    // Uncapped, the read runs into the 10 s callback timeout and the delivery fails.
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(delivery.status).toBe(200);
    expect(delivery.body).toMatch(/\[reply cut at 65536 bytes\]$/);
    expect(Buffer.byteLength(delivery.body)).toBeLessThanOrEqual(maxReplyBytes + 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(written.bytes).toBeLessThan(32 * 1024 * 1024);
  });

  it('keeps a short reply whole', async () => {
    const receiver = await listen((_, response) => response.writeHead(200).end('{"code":"SUCCESS"}'));
    const delivery = await sandbox.sendV3Notice({ url: receiver.url, event_type: 'X.Y', resource: {} });
    expect(delivery.body).toBe('{"code":"SUCCESS"}');
  });
});
