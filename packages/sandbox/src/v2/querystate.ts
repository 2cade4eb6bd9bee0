import type { SandboxState } from '../state.ts';
import { paramError, type V2Endpoint } from './endpoint.ts';
import { checkFields } from './fields.ts';
import { queryUserState, vehicleScenes, versionRule } from './vehicle-fields.ts';

/** The car-owner mini-program page a user is sent to when they must act (authorise, repay, resume). */
function actionPath(query: Record<string, string | undefined>): string {
  const pairs = Object.entries(query).filter((pair): pair is [string, string] => pair[1] !== undefined);
  return `pages/route/index?${new URLSearchParams(pairs).toString()}`;
}

/**
 * 用户状态查询 (`/vehicle/pay/querystate`, `/vehicle/partnerpay/querystate`). A car owner the sandbox does not
 * know is UNAUTHORIZED (has not opened the service), with the path that opens it.
 */
export function queryStateEndpoint(state: SandboxState, partner: boolean): V2Endpoint {
  return {
    partner,
    signTypes: 'vehicle',
    process(params, acting) {
      const problem = checkFields(params, [
        versionRule,
        { name: 'trade_scene', required: true, values: vehicleScenes },
        { name: 'jump_scene', values: ['APP', 'H5'] },
        { name: 'openid', maxLength: 32 },
        { name: 'plate_number', maxLength: 32 },
        ...(partner ? [{ name: 'sub_openid', maxLength: 32 }] : []),
      ]);
      if (problem) return paramError(problem);
      const { openid, sub_openid, plate_number } = params;
      if (!openid && !plate_number && !(partner && sub_openid)) {
        return paramError(
          partner
            ? 'openid、sub_openid、plate_number 三选一，不能都缺失'
            : 'openid 与 plate_number 二选一，不能都缺失',
        );
      }

      const user = plate_number
        ? state.findUserByPlate(plate_number)
        : state.findUserByOpenId((openid || sub_openid)!);
      const user_state = user ? queryUserState(user.user_state) : 'UNAUTHORIZED';
      const path =
        user_state === 'NORMAL'
          ? undefined
          : actionPath({
              trade_scene: params.trade_scene,
              mch_id: acting.merchant.mchId,
              sub_mch_id: acting.subMchId,
              plate_number: plate_number || undefined,
              openid: openid || undefined,
              user_state,
            });
      return {
        fields: {
          user_state,
          openid: openid || user?.openid,
          sub_openid: partner ? sub_openid || undefined : undefined,
          deduct_mode: user_state === 'NORMAL' ? user?.deduct_mode : undefined,
          path,
        },
      };
    },
  };
}
