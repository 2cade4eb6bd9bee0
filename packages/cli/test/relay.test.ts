import type { ServerResponse } from 'node:http';
import { listen } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { type Delivery, describeNotice, maxReplyBytes, startRelay } from '../src/relay.ts';

/** Writes 64 KiB chunks for as long as the socket stays open; returns how many bytes it managed to write. */
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

describe('the relay of wxpark listen', () => {
  it("stops reading a receiver's endless reply at the cap, marks it cut, and answers the sandbox at once", async () => {
    const written = { bytes: 0 };
    const receiver = await listen((_, response) => endless(response, written));
    const deliveries: Delivery[] = [];
    const relay = await startRelay(receiver.url, (delivery) => deliveries.push(delivery));
    try {
      const started = performance.now();
      const answer = await fetch(relay.url, { method: 'POST', body: '{"id":"N1","event_type":"X.Y"}' });
      const reply = await answer.text();
      const ms = performance.now() - started;
      // Without a cap the relay would read until its 10 s forward timeout, growing without bound.
      expect(ms).toBeLessThan(8_000);
      expect(answer.status).toBe(200);
      expect(Buffer.byteLength(reply)).toBeLessThanOrEqual(maxReplyBytes + 100);
      expect(reply).toMatch(/\[reply cut at 65536 bytes\]$/);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]!.reply).toBe(reply);
      expect(deliveries[0]!.acknowledged).toBe(true);
      // The relay cancelled the stream: the receiver could not push more than socket buffers hold.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(written.bytes).toBeLessThan(32 * 1024 * 1024);
    } finally {
      await relay.close();
    }
  });

  it('passes a reply under the cap on unchanged', async () => {
    const receiver = await listen((_, response) => response.writeHead(204).end());
    const relay = await startRelay(receiver.url, () => {});
    try {
      const answer = await fetch(relay.url, { method: 'POST', body: '{}' });
      expect(answer.status).toBe(204);
      expect(await answer.text()).toBe('');
    } finally {
      await relay.close();
    }
  });
});

describe('describeNotice', () => {
  it('names an APIv2 退款结果通知 by its req_info, and the other APIv2 notices by their fields', () => {
    expect(describeNotice('<xml><return_code>SUCCESS</return_code><req_info>AAAA</req_info></xml>')).toEqual({
      protocol: 'v2',
      event: 'v2.refund',
    });
    expect(describeNotice('<xml><out_trade_no>T1</out_trade_no></xml>')).toEqual({
      protocol: 'v2',
      event: 'v2.pay-result',
      id: 'T1',
    });
  });
});
