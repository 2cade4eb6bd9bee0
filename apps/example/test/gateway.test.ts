import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedUrl } from '@wxpark/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../src/app.ts';
import { GateStore } from '../src/store.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wxpark-gateway-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A v2 gateway whose WeChat Pay host refuses connections. */
async function gatewayOnDeadHost(store: GateStore) {
  return startGateway(
    {
      client: { v2: { apiKey: 'k'.repeat(32) }, baseUrl: await closedUrl(), backupBaseUrls: [] },
      targets: { parkingName: '示例停车场', v2: { appid: 'wx1', mch_id: '1900000100', free_time: '900' } },
    },
    store,
    { port: 0 },
  );
}

describe('gate routes', () => {
  it('keeps a call pending with a one-line cause when WeChat Pay cannot be reached', async () => {
    const store = new GateStore(join(dir, 'unreachable.sqlite'));
    const app = await gatewayOnDeadHost(store);
    try {
      const answer = await fetch(`${app.url}/gate/entry`, {
        method: 'POST',
        body: JSON.stringify({
          plate_number: '粤B888888',
          plate_color: 'PLATE_COLOR_BLUE',
          vehicle_type: 'VEHICLE_TYPE_SMALL',
        }),
      });
      const body = (await answer.json()) as { calls: { status: string; error: string }[] };
      expect(body.calls[0]?.status).toBe('pending');
      expect(body.calls[0]?.error).toMatch(/^TransportError UNREACHABLE: /);
      expect(body.calls[0]?.error).not.toContain('\n');
      expect(store.pendingCalls()).toHaveLength(1);
    } finally {
      await app.close();
      store.close();
    }
  });

  it('refuses a malformed gate event with the field named, and records nothing', async () => {
    const store = new GateStore(join(dir, 'invalid.sqlite'));
    const app = await gatewayOnDeadHost(store);
    try {
      const answer = await fetch(`${app.url}/gate/entry`, {
        method: 'POST',
        body: JSON.stringify({
          plate_number: '粤B888888',
          plate_color: 'BLUE',
          vehicle_type: 'VEHICLE_TYPE_SMALL',
        }),
      });
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: string }).error).toMatch(/plate_color/);
      expect(store.allCalls()).toHaveLength(0);
    } finally {
      await app.close();
      store.close();
    }
  });
});
