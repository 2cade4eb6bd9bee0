import type { ApiV3Key } from '@wxpark/signer';
import { certificatesRoute, readCertificates } from './certificates.ts';
import type { ResolvedV3 } from './options.ts';
import { createPlatformKeys, type PlatformKeyProvider } from './platform-keys.ts';
import type { AnyRoute, V3Runtime, V3Support } from './route.ts';
import type { SendOptions, Transport } from './transport.ts';
import { V3Protocol } from './v3.ts';

/**
 * The APIv3 machinery (Authorization signing, answer verification, platform keys, `/v3/certificates`),
 * brought into a client by the packages with APIv3 routes: `definePackage({ …, v3: apiV3 })`. Kept out of
 * `createClient` itself so an APIv2-only bundle does not carry it.
 */
export const apiV3: V3Support = {
  create(settings: { mchId: string; v3: ResolvedV3; transport: Transport; userAgent: string }): V3Runtime {
    const { mchId, v3, transport, userAgent } = settings;
    let protocol: V3Protocol | undefined;
    const download =
      v3.certificates === 'download' && v3.apiV3Key
        ? async () => {
            const apiV3Key = v3.apiV3Key as ApiV3Key;
            const call = await protocol!.prepareCall(certificatesRoute, {});
            // No Wechatpay-Serial here: choosing one would need the very certificates being fetched.
            const answer = await transport.send('GET', () =>
              protocol!.prepare(certificatesRoute, { ...call, serial: null }, userAgent),
            );
            return readCertificates(answer, apiV3Key, v3.windowSeconds);
          }
        : undefined;
    const keys: PlatformKeyProvider =
      v3.platformKeys ??
      createPlatformKeys({
        ...(v3.publicKey ? { publicKey: v3.publicKey } : {}),
        ...(Array.isArray(v3.certificates) ? { certificates: v3.certificates } : {}),
        ...(download ? { download } : {}),
      });
    protocol = new V3Protocol({
      mchId,
      serialNo: v3.serialNo,
      signer: v3.signer,
      keys,
      windowSeconds: v3.windowSeconds,
    });
    const v3Protocol = protocol;
    return {
      keys,
      async call(route: AnyRoute, wire: Record<string, unknown>, config: SendOptions) {
        const call = await v3Protocol.prepareCall(route, wire);
        const answer = await transport.send(
          route.method,
          () => v3Protocol.prepare(route, call, userAgent),
          config,
        );
        return { answer, data: await v3Protocol.read(route, answer) };
      },
    };
  },
};
