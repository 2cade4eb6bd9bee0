import { apiV3, definePackage } from '@wxpark/core';
import { refundCreate, refundQuery } from './refunds.ts';
import {
  parkingEntry,
  parkingExit,
  parkingExtPayment,
  parkingFee,
  parkingLotApplication,
  parkingLotApplicationQuery,
  parkingLotApplications,
  parkingLotApplicationWithdraw,
  parkingLotQuery,
  parkingPayment,
} from './reminders.ts';
import {
  parkingEnter,
  parkingServiceFind,
  parkingTransaction,
  parkingTransactionQuery,
} from './scoreparking.ts';

/**
 * The APIv3 parking routes, for `createClient(options, [parkingV3])`: 停车缴费服务
 * (`/v3/parking/reminders/…`) and 微信支付分停车服务 (`/v3/vehicle/parking/…`, `/v3/vehicle/transactions/…`), with its refunds
 * (`/v3/refund/domestic/refunds…`).
 */
export const parkingV3 = definePackage({
  name: '@wxpark/parking-v3',
  v3: apiV3,
  routes: {
    'v3/parking/reminders/entry': parkingEntry,
    'v3/parking/reminders/exit': parkingExit,
    'v3/parking/reminders/payment': parkingPayment,
    'v3/parking/reminders/ext-payment': parkingExtPayment,
    'v3/parking/reminders/parking-fee': parkingFee,
    'v3/parking/reminders/parking-lot': parkingLotQuery,
    'v3/parking/reminders/application': parkingLotApplication,
    'v3/parking/reminders/application/query': parkingLotApplicationQuery,
    'v3/parking/reminders/application/withdraw': parkingLotApplicationWithdraw,
    'v3/parking/reminders/applications': parkingLotApplications,
    'v3/vehicle/parking/services/find': parkingServiceFind,
    'v3/vehicle/parking/parkings': parkingEnter,
    'v3/vehicle/transactions/parking': parkingTransaction,
    'v3/vehicle/transactions/out-trade-no/{out_trade_no}': parkingTransactionQuery,
    'v3/refund/domestic/refunds': refundCreate,
    'v3/refund/domestic/refunds/{out_refund_no}': refundQuery,
  },
});

export type {
  ChargingRule,
  ChargingRuleType,
  ChargingTimeBand,
  DayType,
  DurationSegmentRule,
  FixedIntervalRule,
  PreEntryRule,
} from './charging-rule.ts';
export {
  type PlateColor,
  type PlateType,
  plateColors,
  plateTypes,
  type VehicleType,
  vehicleTypes,
} from './fields.ts';
export {
  createParkingNoticeHandler,
  type EntranceStateChange,
  type ParkingFeeQuery,
  type ParkingFeeReply,
  type ParkingNotice,
  type ParkingNoticeHandlerOptions,
  parkingEventTypes,
} from './notices.ts';
export type {
  Refund,
  RefundAmount,
  RefundCreateRequest,
  RefundFrom,
  RefundGoodsDetail,
  RefundNoticeResource,
  RefundQueryRequest,
  RefundRequestAmount,
  RefundStatus,
} from './refunds.ts';
export { decideRelease, type ReleaseDecision, type ReleaseInput } from './release.ts';
export type {
  AuditComment,
  AuditCommentField,
  EnabledState,
  ExtPaymentFeeItem,
  FeeParkingState,
  ParkingEntryRequest,
  ParkingEntryResponse,
  ParkingExitRequest,
  ParkingExtPaymentRequest,
  ParkingFee,
  ParkingFeeRequest,
  ParkingLot,
  ParkingLotApplication,
  ParkingLotApplicationQueryRequest,
  ParkingLotApplicationQueryResponse,
  ParkingLotApplicationRequest,
  ParkingLotApplicationResponse,
  ParkingLotApplicationsRequest,
  ParkingLotApplicationsResponse,
  ParkingLotApplicationWithdrawRequest,
  ParkingLotInfo,
  ParkingLotQueryRequest,
  ParkingLotType,
  ParkingPaymentRequest,
  PayChannel,
  PaymentParkingState,
  PayState,
  PayType,
  SubmittedParkingLot,
} from './reminders.ts';
export type {
  ParkingEnterRequest,
  ParkingEnterResponse,
  ParkingService,
  ParkingServiceFindRequest,
  ParkingTransaction,
  ParkingTransactionAmount,
  ParkingTransactionAmountPaid,
  ParkingTransactionParkingInfo,
  ParkingTransactionPayer,
  ParkingTransactionQueryRequest,
  ParkingTransactionRequest,
  ScoreParkingPlateColor,
} from './scoreparking.ts';
