import {
  createV3NoticeHandler,
  type V3Notice,
  type V3NoticeHandler,
  type V3NoticeHandlerOptions,
  type V3NoticeKeys,
} from '@wxpark/core';

/** 商圈会员积分服务授权结果通知 resource. */
export interface MallAuthActivateCard {
  openid: string;
  code: string;
  mchid: string;
  auth_type: 'REGISTERED_MODE' | 'REGISTERED_AND_AUTHORIZATION_MODE' | (string & {});
}

/** 商圈会员场内支付结果通知 resource. */
export interface MallTransactionSuccess {
  mchid: string;
  merchant_name: string;
  shop_name: string;
  shop_number: string;
  appid: string;
  openid: string;
  time_end: string;
  /** 支付金额 (fen). */
  amount: number;
  transaction_id: string;
  /** Present only for manual point claims. */
  commit_tag?: string;
}

/** 商圈会员场内退款结果通知 resource. */
export interface MallRefundSuccess {
  mchid: string;
  merchant_name: string;
  shop_name: string;
  shop_number: string;
  appid: string;
  openid: string;
  refund_time: string;
  pay_amount: number;
  refund_amount: number;
  transaction_id: string;
  refund_id: string;
}

/** A verified, decrypted business-circle notice, by event_type. */
export type MallNotice =
  | V3Notice<MallAuthActivateCard, 'MALL_AUTH.ACTIVATE_CARD'>
  | V3Notice<MallTransactionSuccess, 'MALL_TRANSACTION.SUCCESS'>
  | V3Notice<MallRefundSuccess, 'MALL_REFUND.SUCCESS'>;

/** Settings for {@link createMallNoticeHandler}. */
export interface MallNoticeHandlerOptions
  extends V3NoticeKeys,
    Omit<V3NoticeHandlerOptions<MallNotice>, keyof V3NoticeKeys | 'onNotice' | 'eventTypes' | 'replyRules'> {
  /** Processes one notice (narrow it by `notice.event_type`); idempotent by `notice.id`. */
  onNotice(notice: MallNotice): void | Promise<void>;
  /**
   * The event types this endpoint handles; any other goes to `onError` as `UNDECLARED_NOTICE` and is
   * answered 500, so WeChat sends it again rather than losing it.
   * @default every business-circle event type (mallEventTypes)
   */
  eventTypes?: readonly MallNotice['event_type'][];
}

/** The event types {@link createMallNoticeHandler} declares. */
export const mallEventTypes = [
  'MALL_AUTH.ACTIVATE_CARD',
  'MALL_TRANSACTION.SUCCESS',
  'MALL_REFUND.SUCCESS',
] as const satisfies readonly MallNotice['event_type'][];

/**
 * A notice (callback) endpoint for the business-circle notices: verifies, decrypts, runs `onNotice` once
 * per notice id, and replies 204. Mount it with `.node(req, res)`, `.fetch(request)`, `.koa(ctx)`,
 * `.hono(c)` or `createFastifyNoticePlugin` from `@wxpark/core`.
 *
 * @example
 * ```ts
 * const mallNotices = createMallNoticeHandler({
 *   ...getNoticeKeys(wxpay),
 *   onNotice: async (notice) => {
 *     if (notice.event_type === 'MALL_TRANSACTION.SUCCESS') await points.award(notice.resource);
 *   },
 * });
 * ```
 */
export function createMallNoticeHandler(options: MallNoticeHandlerOptions): V3NoticeHandler {
  return createV3NoticeHandler<MallNotice>({
    ...options,
    eventTypes: options.eventTypes ?? mallEventTypes,
  });
}
