import { listen, listenFlood, useSandbox } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { maxReplyBytes } from '../src/notices/deliver.ts';

const sandbox = await useSandbox();

describe("the notice sender reads the receiver's reply capped", () => {
  it('stops at the cap on an endless reply, marks it cut, and the delivery ends at once', async () => {
    const receiver = await listenFlood();
    const started = performance.now();
    const delivery = await sandbox.sendV3Notice({ url: receiver.url, event_type: 'X.Y', resource: {} });
    // Uncapped, the read runs into the 10 s callback timeout and the delivery fails.
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(delivery.status).toBe(200);
    expect(delivery.body).toMatch(/\[reply cut at 65536 bytes\]$/);
    expect(Buffer.byteLength(delivery.body)).toBeLessThanOrEqual(maxReplyBytes + 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.written).toBeLessThan(32 * 1024 * 1024);
  });

  it('keeps a short reply whole', async () => {
    const receiver = await listen((_, response) => response.writeHead(200).end('{"code":"SUCCESS"}'));
    const delivery = await sandbox.sendV3Notice({ url: receiver.url, event_type: 'X.Y', resource: {} });
    expect(delivery.body).toBe('{"code":"SUCCESS"}');
  });
});
