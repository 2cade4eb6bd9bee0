import type { Router } from '../http/router.ts';
import type { SandboxState } from '../state.ts';
import { createV2Handler, type V2Endpoint } from './endpoint.ts';
import { notificationEndpoint } from './notification.ts';
import { payApplyEndpoint } from './payapply.ts';
import { queryOrderEndpoint } from './queryorder.ts';
import { queryStateEndpoint } from './querystate.ts';
import { refundRoutes } from './refund.ts';

type EndpointFactory = (state: SandboxState, partner: boolean) => V2Endpoint;

/** Direct-merchant path, service-provider path, endpoint. */
const v2Endpoints: [string, string, EndpointFactory][] = [
  ['/vehicle/pay/notification', '/vehicle/partnerpay/notification', notificationEndpoint],
  ['/vehicle/pay/querystate', '/vehicle/partnerpay/querystate', queryStateEndpoint],
  ['/vehicle/pay/payapply', '/vehicle/partnerpay/payapply', payApplyEndpoint],
  ['/transit/queryorder', '/transit/partnerpay/queryorder', queryOrderEndpoint],
];

/** The APIv2 car-owner platform (车主平台), its order query, and the refunds (申请退款 over mutual TLS, 查询退款). */
export function addV2Routes(router: Router, state: SandboxState): void {
  for (const [direct, partner, create] of v2Endpoints) {
    router.add('POST', direct, 'api', createV2Handler(create(state, false), state));
    router.add('POST', partner, 'api', createV2Handler(create(state, true), state));
  }
  for (const [path, handler] of refundRoutes(state)) router.add('POST', path, 'api', handler);
}
