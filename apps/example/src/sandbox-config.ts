import type { Sandbox } from '@wxpark/sandbox';
import type { GatewayConfig } from './config.ts';

/** The gateway's configuration for the embedded sandbox: its generated merchant, keys, lot and brand. */
export function sandboxConfig(sandbox: Sandbox): GatewayConfig {
  const merchant = sandbox.config.merchants.find((m) => !m.subMerchants?.length)!;
  const config: GatewayConfig = {
    client: {
      mchId: merchant.mchId,
      v2: { apiKey: merchant.v2ApiKey },
      baseUrl: sandbox.url,
      backupBaseUrls: [],
    },
    targets: {
      parkingName: '欢乐海岸停车场',
      v2: { appid: merchant.appId, mch_id: merchant.mchId, free_time: '900' },
    },
  };
  return config;
}
