import type { Sandbox } from '@wxpark/sandbox';
import type { GatewayConfig } from './config.ts';

/**
 * The gateway's configuration on the embedded sandbox: its generated direct merchant with APIv2 and APIv3
 * keys, WeChat Pay's public key (public-key mode), the merchant's parking lot, the mall brand, 微信支付分停车
 * entries, and charging at exit (500 fen per started hour past 15 free minutes).
 */
export function sandboxConfig(sandbox: Sandbox): GatewayConfig {
  const merchant = sandbox.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
  const v3 = merchant.v3!;
  const lot = sandbox.config.parkingLots?.find((l) => l.mchId === merchant.mchId);
  const brand = sandbox.config.brands?.find((b) => b.mchIds.includes(merchant.mchId));
  const { publicKeyId, publicKey } = sandbox.config.platform;
  return {
    client: {
      mchId: merchant.mchId,
      v2: { apiKey: merchant.v2ApiKey },
      v3: {
        serialNo: v3.serialNo,
        privateKey: v3.privateKey,
        apiV3Key: v3.apiV3Key,
        publicKey: { id: publicKeyId, key: publicKey },
      },
      baseUrl: sandbox.url,
      backupBaseUrls: [],
    },
    targets: {
      parkingName: lot?.parking_lot_name ?? '欢乐海岸停车场',
      v2: { appid: merchant.appId, mch_id: merchant.mchId, free_time: '900' },
      ...(lot ? { v3: { parking_id: lot.wx_parking_lot_id } } : {}),
      ...(brand ? { mall: { brandid: brand.brandId, appid: brand.appId } } : {}),
      // notify_url of both is this gateway's, known once it listens (main sets it).
      scoreParking: { appid: merchant.appId, free_duration: 900 },
      charge: { fenPerHour: 500, freeSeconds: 900, spbill_create_ip: '127.0.0.1' },
    },
  };
}
