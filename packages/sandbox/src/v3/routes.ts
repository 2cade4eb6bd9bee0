import type { Router } from '../http/router.ts';
import type { SandboxState } from '../state.ts';
import { businessCircleEndpoints } from './businesscircle.ts';
import { certificatesEndpoint } from './certificates.ts';
import { createV3Handler } from './endpoint.ts';
import { parkingLotEndpoints } from './parking-lots.ts';
import { refundEndpoints } from './refunds.ts';
import { reminderEndpoints } from './reminders.ts';
import { scoreParkingEndpoints } from './scoreparking.ts';

/**
 * The APIv3 paths: 下载平台证书, the 停车缴费服务 (`/v3/parking/reminders/…`), 微信支付分停车服务
 * (`/v3/vehicle/…`) with its refunds (`/v3/refund/domestic/refunds…`), and 智慧商圈 (`/v3/businesscircle/…`).
 */
export function addV3Routes(router: Router, state: SandboxState): void {
  const endpoints = [
    certificatesEndpoint(state),
    ...reminderEndpoints(state),
    ...parkingLotEndpoints(state),
    ...scoreParkingEndpoints(state),
    ...refundEndpoints(state),
    ...businessCircleEndpoints(state),
  ];
  for (const endpoint of endpoints) {
    router.add(endpoint.method, endpoint.path, 'api', createV3Handler(endpoint, state));
  }
}
