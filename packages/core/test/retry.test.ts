import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.ts';
import { delay, isRetryable, parseRetryAfter } from '../src/retry.ts';
import { type PreparedAttempt, Transport } from '../src/transport.ts';
import { listen, signedV2Body, testClient } from './helpers.ts';

function transport(baseUrl: string, maxRetryAfter = 5_000) {
  return new Transport({
    baseUrl,
    backupBaseUrls: [],
    timeout: 5_000,
    maxResponseBytes: 1 << 20,
    retry: { limit: 2, maxRetryAfter },
  });
}
const get = async (): Promise<PreparedAttempt> => ({ path: '/x', headers: {} });

describe('one retry rule', () => {
  it('counts 408, 429, 500, 502, 503 and 504 as retryable, and 501 or 4xx as not', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(isRetryable({ status })).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 501, 505]) expect(isRetryable({ status })).toBe(false);
  });

  it('consults a WeChat code only when the body verified', () => {
    expect(isRetryable({ status: 200, code: 'SYSTEMERROR', verified: true })).toBe(true);
    expect(isRetryable({ status: 200, code: 'SYSTEMERROR', verified: false })).toBe(false);
    expect(isRetryable({ status: 200, code: 'SYSTEMERROR' })).toBe(false);
  });

  it('retries a GET answered 408 and reports the ApiError it ends in as retryable', async () => {
    let hits = 0;
    const server = await listen((_req, res) => {
      hits++;
      res.writeHead(408, { 'content-type': 'application/json' }).end('{"code":"TIMEOUT","message":"slow"}');
    });
    const error = await testClient(server.url)
      .v3['core-test'].item({})
      .catch((e: unknown) => e);
    expect(hits).toBe(3);
    expect(ApiError.isInstance(error)).toBe(true);
    expect((error as ApiError).isRetryable).toBe(true);
    expect((error as ApiError).signatureVerified).toBe(false);
    expect((error as ApiError).code).toBe('TIMEOUT');
  });

  it('treats 501 alike for APIv2 and APIv3: not retried, not retryable', async () => {
    let hits = 0;
    const server = await listen((_req, res) => {
      hits++;
      res.writeHead(501).end();
    });
    const client = testClient(server.url);
    const v3 = (await client.v3['core-test'].item({}).catch((e: unknown) => e)) as ApiError;
    const v2 = (await client.v2['core-test'].notification({}).catch((e: unknown) => e)) as ApiError;
    expect(hits).toBe(2);
    for (const error of [v2, v3]) {
      expect(error.code).toBe('HTTP_STATUS');
      expect(error.isRetryable).toBe(false);
    }
  });

  it('takes isRetryable from the status alone when an APIv2 failure body is unsigned', async () => {
    const failure = { return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR' };
    let signed = false;
    const server = await listen((_req, res) => {
      res.end(signed ? signedV2Body(failure) : signedV2Body(failure).replace(/<sign>.*<\/sign>/, ''));
    });
    const client = testClient(server.url);
    const unsigned = (await client.v2['core-test'].notification({}).catch((e: unknown) => e)) as ApiError;
    expect(unsigned.code).toBe('SYSTEMERROR');
    expect(unsigned.signatureVerified).toBe(false);
    expect(unsigned.isRetryable).toBe(false);
    signed = true;
    const verified = (await client.v2['core-test'].notification({}).catch((e: unknown) => e)) as ApiError;
    expect(verified.signatureVerified).toBe(true);
    expect(verified.isRetryable).toBe(true);
  });
});

describe('Retry-After', () => {
  it('reads both forms: seconds and an HTTP date', () => {
    const now = Date.parse('2026-11-30T08:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 08:00:02 GMT', now)).toBe(2_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 07:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('waits the seconds a 503 asks before retrying a GET', async () => {
    const times: number[] = [];
    const server = await listen((_req, res) => {
      times.push(Date.now());
      if (times.length === 1) res.writeHead(503, { 'retry-after': '1' }).end();
      else res.end('ok');
    });
    const answer = await transport(server.url).send('GET', get);
    expect(answer.status).toBe(200);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
  });

  it('waits until the HTTP date a 429 names before retrying a GET', async () => {
    const times: number[] = [];
    const server = await listen((_req, res) => {
      times.push(Date.now());
      // HTTP dates have whole seconds: two seconds ahead is at least one second of waiting.
      if (times.length === 1)
        res.writeHead(429, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() }).end();
      else res.end('ok');
    });
    const answer = await transport(server.url).send('GET', get);
    expect(answer.status).toBe(200);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
  });

  it('does not retry when Retry-After asks for longer than maxRetryAfter, and returns the answer', async () => {
    let hits = 0;
    const server = await listen((_req, res) => {
      hits++;
      res.writeHead(503, { 'retry-after': '120' }).end();
    });
    const started = Date.now();
    const answer = await transport(server.url, 1_000).send('GET', get);
    expect(answer.status).toBe(503);
    expect(hits).toBe(1);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('delay', () => {
  it('leaves no abort listener on the signal once it has waited', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 5; i++) await delay(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the reason when the signal aborts during the wait', async () => {
    const controller = new AbortController();
    const waiting = delay(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
