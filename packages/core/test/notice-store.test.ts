import { describe, expect, it } from 'vitest';
import { createMemoryNoticeStore } from '../src/index.ts';

const reply = { status: 204, body: '' };

describe('the memory notice store', () => {
  it('hands a fresh id to one claimant and reports it busy to the next while the lease runs', async () => {
    const store = createMemoryNoticeStore();
    expect(await store.claim('a', 10_000)).toEqual({ status: 'claimed' });
    expect(await store.claim('a', 10_000)).toEqual({ status: 'busy' });
  });

  it('answers a completed id with the reply it got', async () => {
    const store = createMemoryNoticeStore();
    await store.claim('a', 10_000);
    await store.complete('a', { status: 200, body: '{"x":1}', contentType: 'application/json' });
    expect(await store.claim('a', 10_000)).toEqual({
      status: 'done',
      reply: { status: 200, body: '{"x":1}', contentType: 'application/json' },
    });
  });

  it('lets a released claim, or one whose lease ran out, be claimed again', async () => {
    const store = createMemoryNoticeStore();
    await store.claim('a', 10_000);
    await store.release('a');
    expect(await store.claim('a', 10_000)).toEqual({ status: 'claimed' });
    await store.claim('b', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.claim('b', 10_000)).toEqual({ status: 'claimed' });
  });

  it('never releases a completed id', async () => {
    const store = createMemoryNoticeStore();
    await store.claim('a', 10_000);
    await store.complete('a', reply);
    await store.release('a');
    expect((await store.claim('a', 10_000)).status).toBe('done');
  });

  it('forgets the oldest processed ids past maxEntries', async () => {
    const store = createMemoryNoticeStore({ maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) {
      await store.claim(id, 10_000);
      await store.complete(id, reply);
    }
    expect((await store.claim('a', 10_000)).status).toBe('claimed');
    expect((await store.claim('c', 10_000)).status).toBe('done');
  });
});
