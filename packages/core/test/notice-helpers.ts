import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/** A node:http server on loopback, stopped when the test that started it finishes. */
export async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A promise with its resolver, to hold `onNotice` until a test lets it finish. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export async function post(url: string, notice: { body: string; headers: Readonly<Record<string, string>> }) {
  const response = await fetch(url, { method: 'POST', headers: notice.headers, body: notice.body });
  return { status: response.status, body: await response.text() };
}
