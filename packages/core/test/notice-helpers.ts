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
