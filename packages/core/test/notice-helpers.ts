import { createV3NoticeHandler, type V3NoticeHandlerOptions, type WxparkError } from '../src/index.ts';
import { testNoticeKeys } from '../src/testing.ts';

const keys = testNoticeKeys();

/** A v3 notice handler on the test keys that records the ids it accepts and the errors it reports. */
export function handlerWith(extra: Partial<V3NoticeHandlerOptions> = {}) {
  const seen: string[] = [];
  const errors: WxparkError[] = [];
  const handler = createV3NoticeHandler({
    verifier: keys.verifier,
    apiV3Key: keys.apiV3Key,
    onNotice: (notice) => void seen.push(notice.id),
    onError: (error) => errors.push(error as WxparkError),
    ...extra,
  });
  return { handler, seen, errors };
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
