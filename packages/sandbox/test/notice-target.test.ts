import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { startReceiver } from './helpers.ts';

let sandbox: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  sandbox = await startSandbox();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await sandbox.close();
});

function target(method: 'GET' | 'PUT', body?: unknown) {
  return fetch(`${sandbox.url}/__sandbox/notice-target`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

describe('PUT /__sandbox/notice-target', () => {
  it('sends every callback to the target instead of its notify_url, until set back to null', async () => {
    expect(await (await target('GET')).json()).toEqual({ url: null });
    expect((await target('PUT', { url: receiver.url })).status).toBe(200);
    const delivery = await sandbox.sendV3Notice({
      url: 'http://127.0.0.1:9/unreachable',
      event_type: 'MALL_AUTH.ACTIVATE_CARD',
      resource: { openid: 'o1' },
    });
    expect(delivery.status).toBe(200);
    expect(JSON.parse((await receiver.next()).body).event_type).toBe('MALL_AUTH.ACTIVATE_CARD');

    expect(await (await target('PUT', { url: null })).json()).toEqual({ url: null });
    await expect(
      sandbox.sendV3Notice({ url: 'http://127.0.0.1:9/unreachable', event_type: 'X.Y', resource: {} }),
    ).rejects.toThrow(/callback to http:\/\/127\.0\.0\.1:9\/unreachable failed/);
  });

  it('refuses a target that is not an http(s) URL with 400', async () => {
    const bad = await target('PUT', { url: 'ftp://example.com' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('url: expected an http(s) URL');
  });
});
