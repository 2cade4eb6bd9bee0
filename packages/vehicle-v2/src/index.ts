import { apiV2, definePackage } from '@wxpark/core';
import { buildXml, parseXml } from '@wxpark/xml';
import { partnerPayNotification, payNotification } from './notification.ts';
import { partnerPayApply, payApply } from './payapply.ts';
import { partnerTransitQueryOrder, transitQueryOrder } from './queryorder.ts';
import { partnerPayQueryState, payQueryState } from './querystate.ts';
import { payRefund, payRefundQuery } from './refund.ts';

/**
 * The APIv2 car-owner (车主平台) routes, for `createClient(options, [vehicleV2])`:
 * 用户入场通知, 用户状态查询, 申请扣款 and 查询订单, each for direct merchants (`pay`) and service providers
 * (`partnerpay`); 申请退款 (`/secapi/pay/refund`, needs `clientCertificate`) and 查询退款.
 */
export const vehicleV2 = definePackage({
  name: '@wxpark/vehicle-v2',
  v2: apiV2({ build: buildXml, parse: parseXml }),
  routes: {
    'v2/vehicle/pay/notification': payNotification,
    'v2/vehicle/partnerpay/notification': partnerPayNotification,
    'v2/vehicle/pay/querystate': payQueryState,
    'v2/vehicle/partnerpay/querystate': partnerPayQueryState,
    'v2/vehicle/pay/payapply': payApply,
    'v2/vehicle/partnerpay/payapply': partnerPayApply,
    'v2/transit/queryorder': transitQueryOrder,
    'v2/transit/partnerpay/queryorder': partnerTransitQueryOrder,
    'v2/secapi/pay/refund': payRefund,
    'v2/pay/refundquery': payRefundQuery,
  },
});

export {
  buildV2NoticeReply,
  createV2NoticeHandler,
  type DeclaredV2Notice,
  type PayResultNotice,
  type PlateStateNotice,
  type V2Notice,
  type V2NoticeHandler,
  type V2NoticeHandlerOptions,
  type V2NoticeKeys,
  type V2NoticeKind,
  verifyV2Notice,
} from './notices.ts';
export type {
  DeductMode,
  NotificationUserState,
  ParkingSceneInfo,
  ParkingSpaceSceneInfo,
  PartnerParkingSpaceSceneInfo,
  PartnerPayNotificationRequest,
  PartnerPayNotificationResponse,
  PayNotificationRequest,
  PayNotificationResponse,
} from './notification.ts';
export type {
  PartnerPayApplyRequest,
  PayApplyParkingSceneInfo,
  PayApplyParkingSpaceSceneInfo,
  PayApplyRequest,
  PayApplyResponse,
} from './payapply.ts';
export type {
  PartnerTransitQueryOrderRequest,
  TransitQueryOrderRequest,
  TransitQueryOrderResponse,
  TransitTradeState,
} from './queryorder.ts';
export type {
  PartnerPayQueryStateRequest,
  PayQueryStateRequest,
  PayQueryStateResponse,
  PlateNumberInfo,
  QueryStateTradeScene,
} from './querystate.ts';
export {
  type PayRefundQueryRequest,
  type PayRefundQueryResponse,
  type PayRefundRequest,
  type PayRefundResponse,
  type RefundSignType,
  readRefunds,
  type V2RefundEntry,
  type V2RefundStatus,
} from './refund.ts';
export {
  decryptRefundNotice,
  type RefundNoticeStatus,
  type RefundResultNotice,
} from './refund-notice.ts';
export {
  decidePayApplyRelease,
  type PayApplyReleaseInput,
  type PayApplyReleaseOptions,
  type ReleaseDecision,
} from './release.ts';
