import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: 4 });
});
afterAll(() => sandbox.close());

const post = (path: string) => fetch(`${sandbox.url}${path}`, { method: 'POST', body: '<xml></xml>' });

it('answers calls beyond rateLimit per second with 429 FREQUENCY_LIMITED and Retry-After, then serves again', async () => {
  const answers = await Promise.all(Array.from({ length: 7 }, () => post('/vehicle/pay/notification')));
  const limited = answers.filter((a) => a.status === 429);
  expect(limited).toHaveLength(3);
  for (const answer of limited) {
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(await answer.text()).toContain('FREQUENCY_LIMITED');
  }
  const v3 = await fetch(`${sandbox.url}/v3/parking/reminders/entry`, { method: 'POST', body: '{}' });
  expect(v3.status).toBe(429);
  expect(((await v3.json()) as { code: string }).code).toBe('FREQUENCY_LIMITED');
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  expect((await post('/vehicle/pay/notification')).status).not.toBe(429);
});
