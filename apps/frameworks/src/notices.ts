import type { NoticeHandler } from '@wxpark/core';

/**
 * The notice handlers an app mounts: `createV2NoticeHandler` (车牌状态变更通知, 扣费结果通知),
 * `createParkingNoticeHandler` and `createMallNoticeHandler`, built once at start-up.
 */
export interface NoticeHandlers {
  vehicleNotices: NoticeHandler;
  parkingNotices: NoticeHandler;
  mallNotices: NoticeHandler;
}

/** Where each app serves them: the notify_url given to WeChat Pay for each kind. */
export const noticePaths = {
  vehicle: '/wxpay/v2/notify',
  parking: '/wxpay/v3/parking/notify',
  mall: '/wxpay/v3/mall/notify',
} as const;

/** An app of the user's own beside the notices, to show its parsers keep working: echoes parsed JSON. */
export const otherPath = '/api/orders';

/** A recipe's app, listening on 127.0.0.1 and a free port. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}
