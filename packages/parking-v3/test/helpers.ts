import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientOptions, createClient } from '@wxpark/core';
import type { Sandbox } from '@wxpark/sandbox';
import { parkingV3 } from '../src/index.ts';

export function merchantOf(sandbox: Sandbox) {
  const merchant = sandbox.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
  return { ...merchant, v3: merchant.v3! };
}

/** A client on the sandbox in public-key mode (or as `v3` overrides say). */
export function v3Client(
  sandbox: Sandbox,
  v3: Partial<NonNullable<ClientOptions['v3']>> = {},
  extra: Partial<ClientOptions> = {},
) {
  const merchant = merchantOf(sandbox);
  const { publicKeyId, publicKey } = sandbox.config.platform;
  return createClient(
    {
      mchId: merchant.mchId,
      v3: {
        serialNo: merchant.v3.serialNo,
        privateKey: merchant.v3.privateKey,
        apiV3Key: merchant.v3.apiV3Key,
        ...(v3.certificates ? {} : { publicKey: { id: publicKeyId, key: publicKey } }),
        ...v3,
      },
      baseUrl: sandbox.url,
      backupBaseUrls: [],
      ...extra,
    },
    [parkingV3],
  );
}

/** A node:http server on loopback for callback tests. */
export async function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
