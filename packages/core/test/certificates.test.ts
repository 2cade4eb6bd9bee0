import { type Sandbox, startSandbox } from '@wxpark/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  answerOf,
  apiV3,
  createClient,
  createV3NoticeHandler,
  definePackage,
  defineRoute,
  getNoticeKeys,
  object,
  WxparkError,
} from '../src/index.ts';
import { listen } from './helpers.ts';

// An unknown path: the sandbox answers it with a signed 404, whose signature is what is checked here.
const rotationPackage = definePackage({
  name: 'rotation-test',
  v3: apiV3,
  routes: {
    'v3/wxpark-test/rotation': defineRoute({
      protocol: 'v3',
      method: 'POST',
      path: '/v3/wxpark-test/rotation',
      title: 'rotation test',
      request: object({}),
      response: answerOf<Record<string, never>>()({}),
    }),
  },
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, keyMode: 'certificate' });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.clearRequests());

function certificateClient() {
  const merchant = sandbox.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
  return createClient(
    {
      mchId: merchant.mchId,
      v3: {
        serialNo: merchant.v3!.serialNo,
        privateKey: merchant.v3!.privateKey,
        apiV3Key: merchant.v3!.apiV3Key,
        certificates: 'download',
      },
      baseUrl: sandbox.url,
    },
    [rotationPackage],
  );
}

/** Rotates WeChat Pay's certificate and retires the old one, so what comes next names a serial not yet held. */
function rotate(): string {
  const old = sandbox.config.platform.certificates.map((c) => c.serialNo);
  const { serialNo } = sandbox.rotatePlatformCertificate();
  for (const serial of old) sandbox.retirePlatformCertificate(serial);
  return serialNo;
}

/** Makes the next refetch fail: its first attempt and both of the transport's GET retries. */
function failNextDownload(): void {
  sandbox.failNext({ path: '/v3/certificates', status: 500, code: 'SYSTEM_ERROR', count: 3 });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const downloads = () => sandbox.requests.filter((r) => r.path.startsWith('/v3/certificates')).length;

describe('certificate refetch after a failure', () => {
  it('follows a rotation right after a failed refetch for an answer, after a short wait, not a minute', async () => {
    const client = certificateClient();
    const call = () => client.v3['wxpark-test'].rotation({}).catch((e: unknown) => e);
    expect(((await call()) as ApiError).signatureVerified).toBe(true);

    rotate();
    failNextDownload();
    const failed = await call();
    expect(WxparkError.isInstance(failed) && failed.code).toBe('PLATFORM_KEYS_UNAVAILABLE');

    rotate();
    await pause(1_200);
    const answer = await call();
    expect(ApiError.isInstance(answer)).toBe(true);
    expect((answer as ApiError).status).toBe(404);
    expect((answer as ApiError).signatureVerified).toBe(true);
    // The first download, the failed refetch (three attempts), and the one that found the new certificate.
    expect(downloads()).toBe(5);
  });

  it('does not refetch again at once after a failure, so a storm of unknown serials costs one download', async () => {
    const client = certificateClient();
    const call = () => client.v3['wxpark-test'].rotation({}).catch((e: unknown) => e);
    await call();
    rotate();
    failNextDownload();
    await call();
    sandbox.clearRequests();
    const again = await call();
    expect(WxparkError.isInstance(again) && again.code).toBe('UNKNOWN_SERIAL');
    expect(downloads()).toBe(0);
  });

  it('follows a rotation right after a failed refetch for a notice', async () => {
    const client = certificateClient();
    await client.v3['wxpark-test'].rotation({}).catch(() => {});
    const received: string[] = [];
    const handler = createV3NoticeHandler({
      ...getNoticeKeys(client),
      onNotice(notice) {
        received.push(notice.id);
      },
    });
    const server = await listen((req, res) => void handler.node(req, res));
    const send = (id: string) =>
      sandbox.sendV3Notice({
        url: `${server.url}/notify`,
        id,
        event_type: 'VEHICLE.ENTRANCE_STATE_CHANGE',
        resource: { plate_number: '粤B888888', state: 'ENTRANCE_STATE_IN' },
      });

    rotate();
    failNextDownload();
    const refused = await send('notice-1');
    expect(refused.status).toBeGreaterThanOrEqual(500);

    rotate();
    await pause(1_200);
    const delivered = await send('notice-2');
    expect(delivered.status).toBe(204);
    expect(received).toEqual(['notice-2']);
  });
});
