import {
  createV3NoticeHandler,
  discriminatedOf,
  integer,
  objectOf,
  oneOf,
  optional,
  string,
  type V3Notice,
  type V3NoticeHandler,
  type V3NoticeHandlerOptions,
  type V3NoticeKeys,
} from '@wxpark/core';
import type { RefundNoticeResource } from './refunds.ts';
import { type FeeParkingState, type ParkingFee, type PayState, payStates } from './reminders.ts';
import type { ParkingTransaction } from './scoreparking.ts';

/** 停车入场状态变更通知 resource. */
export interface EntranceStateChange {
  sp_mchid: string;
  sub_mchid?: string;
  parking_id: string;
  out_parking_no: string;
  plate_number: string;
  plate_color: string;
  start_time: string;
  parking_name: string;
  free_duration: number;
  parking_state: 'NORMAL' | 'BLOCKED' | (string & {});
  blocked_state_description?: 'PAUSE' | 'OVERDUE' | 'REMOVE' | (string & {});
  /** 状态变更时间 (RFC 3339 with milliseconds): drop events older than what you hold. */
  state_update_time: string;
}

/** 停车费查询 resource: WeChat asks the lot for the live fee. Reply with {@link ParkingFeeReply}. */
export interface ParkingFeeQuery {
  out_serial_number: string;
  plate_number?: string;
  out_parking_id?: string;
}

/**
 * The reply to a 停车费查询 notice: the live fee with `code: 'SUCCESS'` (values must match the lot's real
 * order state), or `code: 'FAIL'` with a `message` when the lot cannot tell (WeChat counts it as a failed
 * query). Checked at run time before it is sent.
 */
export type ParkingFeeReply =
  | (ParkingFee & { code: 'SUCCESS'; message?: string; parking_state: FeeParkingState; pay_state: PayState })
  | { code: 'FAIL'; message: string };

const amount = integer({ min: 0 });
/** The run-time rule for {@link ParkingFeeReply}. */
const parkingFeeReplyRule = discriminatedOf<ParkingFeeReply>()('code', {
  SUCCESS: objectOf<Extract<ParkingFeeReply, { code: 'SUCCESS' }>>()({
    code: oneOf(['SUCCESS']),
    message: optional(string({ maxLength: 256 })),
    total_amount: amount,
    parking_timestamp: amount,
    parking_state: string({ minLength: 1, maxLength: 64 }),
    pay_state: oneOf(payStates),
    allowed_exit_timestamp: optional(amount),
    next_raise_price: optional(amount),
    next_raise_timestamp: optional(amount),
    payable_amount: amount,
    paid_amount: amount,
  }),
  FAIL: objectOf<Extract<ParkingFeeReply, { code: 'FAIL' }>>()({
    code: oneOf(['FAIL']),
    message: string({ minLength: 1, maxLength: 256 }),
  }),
});

/** The event types {@link createParkingNoticeHandler} declares. */
export const parkingEventTypes = [
  'VEHICLE.ENTRANCE_STATE_CHANGE',
  'TRANSACTION.SUCCESS',
  'TRANSACTION.FAIL',
  'TRANSACTION.PAY_BACK',
  'PARKING_FEE.QUERY_TRANS_INFO',
  'REFUND.SUCCESS',
  'REFUND.ABNORMAL',
  'REFUND.CLOSED',
] as const satisfies readonly ParkingNotice['event_type'][];

/** A verified, decrypted parking notice, by event_type. */
export type ParkingNotice =
  | V3Notice<EntranceStateChange, 'VEHICLE.ENTRANCE_STATE_CHANGE'>
  | V3Notice<ParkingTransaction, 'TRANSACTION.SUCCESS' | 'TRANSACTION.FAIL' | 'TRANSACTION.PAY_BACK'>
  | V3Notice<ParkingFeeQuery, 'PARKING_FEE.QUERY_TRANS_INFO'>
  | V3Notice<RefundNoticeResource, 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED'>;

/** Settings for {@link createParkingNoticeHandler}. */
export interface ParkingNoticeHandlerOptions
  extends V3NoticeKeys,
    Omit<
      V3NoticeHandlerOptions<ParkingNotice>,
      keyof V3NoticeKeys | 'onNotice' | 'eventTypes' | 'replyRules'
    > {
  /**
   * Processes one notice; narrow it by `notice.event_type`.
   *
   * For `PARKING_FEE.QUERY_TRANS_INFO` (停车费查询) return the {@link ParkingFeeReply}, fast: WeChat waits only
   * a few seconds (about 2 s to connect and 3 s to read) and then counts the query as failed. A missing or
   * malformed reply goes to `onError` as `INVALID_NOTICE_REPLY` and is answered 500, never an empty 204.
   * For the other event types return nothing.
   */
  onNotice(
    notice: ParkingNotice,
  ): // biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing acknowledges the notice.
  ParkingFeeReply | undefined | void | Promise<ParkingFeeReply | undefined | void>;
  /**
   * The event types this endpoint handles; any other goes to `onError` as `UNDECLARED_NOTICE` and is
   * answered 500, so WeChat sends it again rather than losing it.
   * @default every parking event type (parkingEventTypes)
   */
  eventTypes?: readonly ParkingNotice['event_type'][];
}

/**
 * A notice (callback) endpoint for the parking notices: verifies the raw body, decrypts it, runs `onNotice`
 * once per notice id, and replies as WeChat expects. Mount it with `.node(req, res)`, `.fetch(request)`,
 * `.koa(ctx)`, `.hono(c)` or `createFastifyNoticePlugin` from `@wxpark/core`.
 *
 * @example
 * ```ts
 * const notices = createParkingNoticeHandler({
 *   ...getNoticeKeys(wxpay),
 *   onNotice: async (notice) => {
 *     if (notice.event_type === 'PARKING_FEE.QUERY_TRANS_INFO') return lot.feeReply(notice.resource);
 *     await lot.record(notice.id, notice);
 *   },
 *   onError: (error) => logger.warn(error),
 * });
 * ```
 */
export function createParkingNoticeHandler(options: ParkingNoticeHandlerOptions): V3NoticeHandler {
  return createV3NoticeHandler<ParkingNotice>({
    ...options,
    eventTypes: options.eventTypes ?? parkingEventTypes,
    replyRules: { 'PARKING_FEE.QUERY_TRANS_INFO': parkingFeeReplyRule },
  });
}
