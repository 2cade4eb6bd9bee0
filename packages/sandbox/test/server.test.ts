import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createListener } from '../src/http/listener.ts';
import { textReply } from '../src/http/reply.ts';
import { createRouter } from '../src/http/router.ts';
import { generateSandboxConfig, startSandbox } from '../src/index.ts';
import { createState } from '../src/state.ts';
import { callV2, merchantsOf, parkingNotification, signedXml } from './helpers.ts';

function get(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

describe('the server', () => {
  it('listens on a free loopback port and gives its URL without a trailing slash', async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${sandbox.url}/__sandbox/config`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('close() resolves promptly while a keep-alive client connection is open', async () => {
    const sandbox = await startSandbox();
    const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
    try {
      expect(await get(agent, `${sandbox.url}/__sandbox/config`)).toBe(200);
      const started = Date.now();
      await sandbox.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(fetch(`${sandbox.url}/__sandbox/config`)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });

  it('close() resolves during a slow answer and can be called twice', async () => {
    const sandbox = await startSandbox();
    const { direct } = merchantsOf(sandbox);
    sandbox.setHostile('slow', { delayMs: 60_000 });
    const pending = callV2(
      sandbox,
      '/vehicle/pay/notification',
      parkingNotification(direct, '粤B888888'),
      direct.v2ApiKey,
    );
    await expect.poll(() => sandbox.requests.length).toBe(1);
    const started = Date.now();
    await Promise.all([sandbox.close(), sandbox.close()]);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it('survives a client that gives up during a slow answer', async () => {
    const sandbox = await startSandbox();
    try {
      const { direct } = merchantsOf(sandbox);
      const body = parkingNotification(direct, '粤B888888');
      sandbox.setHostile('slow', { delayMs: 200 });
      const url = `${sandbox.url}/vehicle/pay/notification`;
      await expect(
        fetch(url, {
          method: 'POST',
          body: signedXml(body, direct.v2ApiKey),
          signal: AbortSignal.timeout(50),
        }),
      ).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await callV2(sandbox, '/vehicle/pay/notification', body, direct.v2ApiKey);
      expect(answer.fields.result_code).toBe('SUCCESS');
    } finally {
      await sandbox.close();
    }
  });

  it('answers 404 for an unknown path and still records it', async () => {
    const sandbox = await startSandbox();
    try {
      const response = await fetch(`${sandbox.url}/pay/unifiedorder`, { method: 'POST', body: '<xml/>' });
      expect(response.status).toBe(404);
      expect(sandbox.requests.map((r) => r.path)).toEqual(['/pay/unifiedorder']);
    } finally {
      await sandbox.close();
    }
  });

  it('logs one line per request', async () => {
    const lines: string[] = [];
    const sandbox = await startSandbox({ log: (line) => lines.push(line) });
    try {
      const { direct } = merchantsOf(sandbox);
      await callV2(
        sandbox,
        '/vehicle/pay/notification',
        parkingNotification(direct, '粤Z000000'),
        direct.v2ApiKey,
      );
      await fetch(`${sandbox.url}/__sandbox/requests`);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        /POST \/vehicle\/pay\/notification 200 \d+ms FAIL INVALID_REQUEST 车牌未开通车主服务$/,
      );
      expect(lines[1]).toMatch(/GET \/__sandbox\/requests 200 \d+ms$/);
    } finally {
      await sandbox.close();
    }
  });

  it('runs with a given configuration and refuses one it cannot use, naming the field', async () => {
    const config = generateSandboxConfig();
    const sandbox = await startSandbox({ config });
    try {
      // Everything as given, except that WeChat Pay's private keys stay inside the sandbox.
      const { privateKey: _key, ...platform } = config.platform;
      expect(sandbox.config).toEqual({
        ...config,
        platform: { ...platform, certificates: platform.certificates.map(({ privateKey: _k, ...c }) => c) },
      });
      expect(JSON.stringify(sandbox.config.platform)).not.toContain('PRIVATE KEY');
    } finally {
      await sandbox.close();
    }
    const badKey = { ...config, merchants: [{ ...config.merchants[0]!, v2ApiKey: 'short' }] };
    await expect(startSandbox({ config: badKey })).rejects.toThrow(/merchants\[0\]\.v2ApiKey/);
  });

  it('rejects when the port is taken', async () => {
    const first = await startSandbox();
    try {
      const port = Number(new URL(first.url).port);
      await expect(startSandbox({ port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  it('turns a handler exception into a plain-text 500 and keeps serving', async () => {
    const state = createState(generateSandboxConfig(), () => {});
    const router = createRouter();
    router.add('POST', '/boom', 'api', () => {
      throw new Error('kaboom');
    });
    router.add('GET', '/fine', 'api', () => textReply(200, 'fine'));
    const listener = createListener(state, router);
    const server = createServer((req, res) => void listener(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const boom = await fetch(`${base}/boom`, { method: 'POST' });
      expect(boom.status).toBe(500);
      expect(boom.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await boom.text()).toContain('kaboom');
      expect(await (await fetch(`${base}/fine`)).text()).toBe('fine');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
