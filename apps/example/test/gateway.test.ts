import { join } from 'node:path';
import { startSandbox } from '@wxpark/sandbox';
import { closedUrl, tempDir } from '@wxpark/test-utils';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../src/app.ts';
import { sandboxConfig } from '../src/sandbox-config.ts';
import { SqliteGateStore } from '../src/store/sqlite.ts';
import type { GateStore } from '../src/store/types.ts';

const dir = tempDir('wxpark-gateway-');

/**
 * Runs `use` against a v2 gateway on a new SQLite store (the file `name` in this file's folder) whose WeChat
 * Pay host refuses connections, closing both after.
 */
async function onDeadHost(name: string, use: (app: { url: string }, store: GateStore) => Promise<void>) {
  const store = new SqliteGateStore(join(dir, name));
  const app = await startGateway(
    {
      client: { v2: { apiKey: 'k'.repeat(32) }, baseUrl: await closedUrl(), backupBaseUrls: [] },
      targets: { parkingName: '示例停车场', v2: { appid: 'wx1', mch_id: '1900000100', free_time: '900' } },
    },
    store,
    { port: 0, poll: false },
  );
  try {
    await use(app, store);
  } finally {
    await app.close();
    await store.close();
  }
}

/** POSTs a gate entry of 粤B888888, a small car whose plate colour is `plate_color`. */
function enter(app: { url: string }, plate_color: string): Promise<Response> {
  return fetch(`${app.url}/gate/entry`, {
    method: 'POST',
    body: JSON.stringify({ plate_number: '粤B888888', plate_color, vehicle_type: 'VEHICLE_TYPE_SMALL' }),
  });
}

describe('gate routes', () => {
  it('keeps a call pending with a one-line cause when WeChat Pay cannot be reached', () =>
    onDeadHost('unreachable.sqlite', async (app, store) => {
      const answer = await enter(app, 'PLATE_COLOR_BLUE');
      const body = (await answer.json()) as { calls: { status: string; error: string }[] };
      expect(body.calls[0]?.status).toBe('pending');
      expect(body.calls[0]?.error).toMatch(/^TransportError UNREACHABLE: /);
      expect(body.calls[0]?.error).not.toContain('\n');
      expect(await store.listCalls({ status: 'pending' })).toHaveLength(1);
    }));

  it('refuses a malformed gate event with the field named, and records nothing', () =>
    onDeadHost('invalid.sqlite', async (app, store) => {
      const answer = await enter(app, 'BLUE');
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: string }).error).toMatch(/plate_color/);
      expect(await store.listCalls()).toHaveLength(0);
    }));
});

describe('the outbox wire guard', () => {
  it('refuses, unsent, an attempt whose bytes differ from the body stored by the first attempt', async () => {
    const sandbox = await startSandbox({ port: 0 });
    const store = new SqliteGateStore(join(dir, 'guard.sqlite'));
    try {
      const config = sandboxConfig(sandbox);
      const plate = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!
        .plate_number!;
      // A call a dead instance sent once: its stored body is not what this payload signs to (a changed key).
      const { calls } = await store.recordEntry(
        {
          out_serial_number: 'PGUARD0001',
          plate_number: plate,
          plate_color: 'PLATE_COLOR_BLUE',
          entered_at: Date.now(),
        },
        [
          {
            route: 'v2/vehicle/pay/notification',
            payload: {
              appid: config.targets.v2!.appid,
              mch_id: config.targets.v2!.mch_id,
              nonce_str: 'fixednonce0001',
              trade_scene: 'PARKING',
              scene_info: {
                start_time: '20261130080000',
                plate_number: plate,
                parking_name: '示例停车场',
                free_time: '900',
              },
            },
          },
        ],
        { owner: 'dead', leaseMs: 1 },
      );
      await store.saveBody(calls[0]!.id, '<xml><sign>signed-with-another-key</sign></xml>');
      sandbox.clearRequests();
      const app = await startGateway(config, store, { port: 0, outbox: { pollMs: 50 } });
      try {
        await expect.poll(async () => (await store.listCalls({ status: 'failed' })).length).toBe(1);
        const [failed] = await store.listCalls({ status: 'failed' });
        expect(failed?.error_code).toBe('BODY_CHANGED');
        expect(sandbox.requests).toHaveLength(0);
      } finally {
        await app.close();
      }
    } finally {
      await store.close();
      await sandbox.close();
    }
  });
});
