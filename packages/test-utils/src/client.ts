import {
  type Client,
  type ClientOptions,
  createClient,
  type RoutePackage,
  type RoutesOf,
  type V2Options,
  type V3Options,
} from '@wxpark/core';
import type { Sandbox, SandboxMerchant } from '@wxpark/sandbox';
import { merchantsOf } from './merchants.ts';

/** What {@link clientFor} may change in the client it wires to a sandbox. */
export interface SandboxClientOverrides extends Omit<ClientOptions, 'v2' | 'v3'> {
  /**
   * The merchant whose credentials the client uses.
   * @default the sandbox's direct merchant
   */
  merchant?: SandboxMerchant;
  /** Merged over the merchant's APIv2 key. */
  v2?: Partial<V2Options>;
  /**
   * Merged over the merchant's APIv3 credentials and WeChat Pay's public key. Giving `certificates` or
   * `platformKeys` leaves the public key out (unless `publicKey` is given too); giving `signer` leaves the
   * private key out.
   */
  v3?: Partial<V3Options>;
}

/**
 * A client of `packages` wired to a sandbox as its merchant: the merchant's credentials for each protocol
 * the packages' routes use (APIv2 key; APIv3 serial, private key and key, with 商户号), WeChat Pay's
 * public key (public-key mode), `baseUrl` the sandbox, and no backup hosts.
 *
 * @example
 * ```ts
 * const client = clientFor(sandbox, [parkingV3], { v3: { certificates: 'download' }, timeout: 300 });
 * ```
 */
export function clientFor<const P extends readonly RoutePackage[]>(
  sandbox: Pick<Sandbox, 'config' | 'url'>,
  packages: P,
  overrides: SandboxClientOverrides = {},
): Client<RoutesOf<P>> {
  const { merchant = merchantsOf(sandbox).direct, v2, v3, ...rest } = overrides;
  const uses = (protocol: string) =>
    packages.some((pkg) => Object.values(pkg.routes).some((route) => route.protocol === protocol));
  const options: ClientOptions = { baseUrl: sandbox.url, backupBaseUrls: [] };
  if (uses('v2')) options.v2 = { apiKey: merchant.v2ApiKey, ...v2 };
  if (uses('v3')) {
    if (!merchant.v3) throw new Error(`sandbox merchant ${merchant.mchId} has no APIv3 credentials`);
    const { publicKeyId, publicKey } = sandbox.config.platform;
    options.mchId = merchant.mchId;
    options.v3 = {
      serialNo: merchant.v3.serialNo,
      apiV3Key: merchant.v3.apiV3Key,
      ...(v3?.signer ? {} : { privateKey: merchant.v3.privateKey }),
      ...(v3?.certificates || v3?.platformKeys ? {} : { publicKey: { id: publicKeyId, key: publicKey } }),
      ...v3,
    };
  }
  return createClient({ ...options, ...rest }, packages);
}
