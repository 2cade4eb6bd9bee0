// The sandbox's merchant, brand, member and plate, and the wire data every bench sends: one definition for the
// end-to-end bench and the profiler, so both measure the same calls.
import type { Sandbox } from '@wxpark/sandbox';

export function benchWorkload(sandbox: Pick<Sandbox, 'config'>) {
  const merchant = sandbox.config.merchants.find((m) => m.v3 && !m.subMerchants?.length)!;
  const brand = sandbox.config.brands![0]!;
  const openid = sandbox.config.mallMembers!.find(
    (m) => m.authorize_state === 'AUTHORIZED' && m.brandId === brand.brandId,
  )!.openid;
  const plate = sandbox.config.vehicleUsers.find((u) => u.user_state === 'NORMAL' && u.plate_number)!
    .plate_number!;
  return {
    merchant,
    v3: merchant.v3!,
    publicKeyId: sandbox.config.platform.publicKeyId,
    publicKey: sandbox.config.platform.publicKey,
    brand,
    openid,
    plate,
    /** 商圈会员停车状态同步 (204). */
    parking: {
      brandid: brand.brandId,
      appid: brand.appId,
      openid,
      plate_number: '粤B888888',
      state: 'IN' as const,
      time: '2026-11-24T10:30:00+08:00',
    },
    /** 用户入场通知's scene_info. */
    sceneInfo: {
      start_time: '20261124103000',
      plate_number: plate,
      parking_name: '欢乐海岸停车场',
      free_time: '1200',
    },
  };
}
