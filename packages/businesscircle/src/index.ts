import { apiV3, definePackage } from '@wxpark/core';
import { parkingStateSync, pointsCommitStatus, pointsNotify, userAuthorization } from './routes.ts';

/**
 * The APIv3 smart business circle (智慧商圈) routes, for `createClient(options, [businesscircle])`.
 * `client.v3.businesscircle.parkings(data)` syncs a member's parking state.
 */
export const businesscircle = definePackage({
  name: '@wxpark/businesscircle',
  v3: apiV3,
  routes: {
    'v3/businesscircle/parkings': parkingStateSync,
    'v3/businesscircle/points/notify': pointsNotify,
    'v3/businesscircle/user-authorizations/{openid}': userAuthorization,
    'v3/businesscircle/users/{openid}/points/commit_status': pointsCommitStatus,
  },
});

export {
  createMallNoticeHandler,
  type MallAuthActivateCard,
  type MallNotice,
  type MallNoticeHandlerOptions,
  type MallRefundSuccess,
  type MallTransactionSuccess,
  mallEventTypes,
} from './notices.ts';
export type {
  NoContent,
  ParkingStateSyncRequest,
  PointsCommitStatus,
  PointsCommitStatusRequest,
  PointsNotifyRequest,
  UserAuthorization,
  UserAuthorizationRequest,
} from './routes.ts';
