import type { SandboxState } from '../state.ts';
import { paramError, type V2Endpoint } from './endpoint.ts';
import {
  checkSceneRequest,
  compactTime,
  type FieldIssue,
  type FieldRule,
  fieldIssue,
  notifyUrl,
  sceneString,
  seconds,
} from './fields.ts';
import { notificationScenes, notificationUserState } from './vehicle-fields.ts';

const parkingScene: FieldRule[] = [
  { name: 'start_time', required: true, ...compactTime },
  { name: 'notify_url', ...notifyUrl },
  { name: 'plate_number', required: true, maxLength: 32 },
  { name: 'car_type', maxLength: 16 },
  { name: 'parking_name', required: true, maxLength: 32 },
  { name: 'free_time', required: true, ...seconds },
];

const parkingSpaceScene: FieldRule[] = [
  { name: 'start_time', required: true, ...compactTime },
  { name: 'car_type', maxLength: 16 },
  { name: 'parking_name', maxLength: 32 },
  { name: 'free_time', required: true, ...seconds },
  { name: 'openid', maxLength: 32 },
  { name: 'sub_openid', maxLength: 32 },
  { name: 'space_number', required: true, maxLength: 16 },
];

const sceneRules = { PARKING: parkingScene, 'PARKING SPACE': parkingSpaceScene };

/**
 * `version` by trade_scene. The official 用户入场通知 pages (doc/v2/merchant/4011985272, partner/4011988204)
 * say 3.0 for PARKING and 2.0 for the other scenes; the partner page's own table lists only 3.0. Where they
 * disagree (PARKING SPACE) both values are accepted.
 */
const sceneVersions: Record<string, readonly string[]> = {
  PARKING: ['3.0'],
  'PARKING SPACE': ['2.0', '3.0'],
};

function versionProblem(params: Record<string, string>): FieldIssue | undefined {
  const allowed = sceneVersions[params.trade_scene ?? ''];
  if (allowed && !allowed.includes(params.version ?? '')) {
    return fieldIssue(
      'version',
      `取值错误，${params.trade_scene} 场景应为 ${allowed.join(' | ')}`,
      params.version,
    );
  }
  return undefined;
}

const requestRules: FieldRule[] = [
  { name: 'version', required: true, maxLength: 16 },
  { name: 'trade_scene', required: true, values: notificationScenes },
  { name: 'scene_info', required: true, maxLength: 1024 },
];

/**
 * 用户入场通知 (`/vehicle/pay/notification`, `/vehicle/partnerpay/notification`). PARKING finds the car owner
 * by plate and remembers the notify_url for 车牌状态变更通知; PARKING SPACE finds the owner by openid.
 */
export function notificationEndpoint(state: SandboxState, partner: boolean): V2Endpoint {
  return {
    partner,
    signTypes: 'vehicle',
    process(params, acting) {
      const checked = checkSceneRequest(params, requestRules, sceneRules);
      if ('problem' in checked) return paramError(checked.problem);
      const version = versionProblem(params);
      if (version) return paramError(version);
      const { scene } = checked;

      if (params.trade_scene === 'PARKING') {
        const plate = sceneString(scene, 'plate_number')!;
        const user = state.findUserByPlate(plate);
        if (!user) return { err_code: 'INVALID_REQUEST', err_code_des: '车牌未开通车主服务' };
        const notify_url = sceneString(scene, 'notify_url');
        state.plateEntries.set(plate, {
          ...acting,
          plate_number: plate,
          ...(notify_url === undefined ? {} : { notify_url }),
          at: Date.now(),
        });
        return {
          fields: { user_state: notificationUserState(user.user_state), deduct_mode: user.deduct_mode },
        };
      }

      const openid =
        sceneString(scene, 'openid') ??
        params.openid ??
        sceneString(scene, 'sub_openid') ??
        params.sub_openid;
      // Every source lists openid and sub_openid as optional here: without them there is no car owner to
      // look up, and the space alone is registered (NORMAL). TNM's schema marks openid required; the
      // official pages do not, and the sandbox accepts what either allows.
      if (openid === undefined) return { fields: { user_state: 'NORMAL' } };
      const user = state.findUserByOpenId(openid);
      if (!user) return { err_code: 'INVALID_REQUEST', err_code_des: '用户未开通车主服务' };
      return {
        fields: { user_state: notificationUserState(user.user_state), deduct_mode: user.deduct_mode },
      };
    },
  };
}
