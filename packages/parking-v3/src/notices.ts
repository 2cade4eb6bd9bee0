import {
  createV3NoticeHandler,
  type V3Notice,
  type V3NoticeHandler,
  type V3NoticeHandlerOptions,
  type V3NoticeKeys,
  type V3NoticeReply,
} from '@wxpark/core';
import type { RefundNoticeResource } from './refunds.ts';
import type { FeeParkingState, ParkingFee, PayState } from './reminders.ts';
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

/** The reply to a 停车费查询 notice: values must match the lot's real order state. */
export interface ParkingFeeReply extends ParkingFee {
  code: 'SUCCESS' | 'FAIL';
  message?: string;
  parking_state: FeeParkingState;
  pay_state: PayState;
}

/** A verified, decrypted parking notice, by event_type. */
export type ParkingNotice =
  | V3Notice<EntranceStateChange, 'VEHICLE.ENTRANCE_STATE_CHANGE'>
  | V3Notice<ParkingTransaction, 'TRANSACTION.SUCCESS' | 'TRANSACTION.FAIL' | 'TRANSACTION.PAY_BACK'>
  | V3Notice<ParkingFeeQuery, 'PARKING_FEE.QUERY_TRANS_INFO'>
  | V3Notice<RefundNoticeResource, 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED'>;

/** Settings for {@link createParkingNoticeHandler}. */
export interface ParkingNoticeHandlerOptions
  extends V3NoticeKeys,
    Omit<V3NoticeHandlerOptions<ParkingNotice>, keyof V3NoticeKeys | 'onNotice'> {
  /**
   * Processes one notice; narrow it by `notice.event_type`. For PARKING_FEE.QUERY_TRANS_INFO return the
   * {@link ParkingFeeReply} (WeChat gives up after about 3 seconds); for the others return nothing.
   */
  onNotice(notice: ParkingNotice): V3NoticeReply | Promise<V3NoticeReply>;
}

/**
 * A callback endpoint for the parking notices (`.node(req, res)` or `.fetch(request)`): verifies the raw
 * body, decrypts it, and replies as WeChat expects.
 */
export function createParkingNoticeHandler(options: ParkingNoticeHandlerOptions): V3NoticeHandler {
  return createV3NoticeHandler<ParkingNotice>(options);
}
