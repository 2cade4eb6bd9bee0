import { newTransactionId, openIdForPlate } from '../ids.ts';
import { schedulePayResult } from '../notices/v2.ts';
import { orderKey, type SandboxState } from '../state.ts';
import { paramError, type V2Endpoint } from './endpoint.ts';
import { checkSceneRequest, compactTime, type FieldRule, notifyUrl, sceneString, seconds } from './fields.ts';
import { vehicleScenes, versionRule } from './vehicle-fields.ts';

const startTime: FieldRule = { name: 'start_time', required: true, ...compactTime };
const plateNumber: FieldRule = { name: 'plate_number', required: true, maxLength: 32 };
const carType: FieldRule = { name: 'car_type', maxLength: 16 };

/**
 * scene_info per trade_scene. Only fields every source marks required are required; deduct_mode and
 * support_deduct_mode are checked when present (one schema requires them, the official pages do not).
 */
const sceneRules: Record<string, FieldRule[]> = {
  PARKING: [
    startTime,
    { name: 'end_time', ...compactTime },
    { name: 'charging_time', required: true, ...seconds },
    plateNumber,
    carType,
    { name: 'parking_name', required: true, maxLength: 32 },
    { name: 'free_time', ...seconds },
    { name: 'deduct_mode', values: ['PROACTIVE', 'AUTOPAY'] },
    { name: 'support_deduct_mode', values: ['DEDUCT_PROACTIVE_ONLY', 'DEDUCT_AUTOPAY_ONLY', 'DEDUCT_ALL'] },
  ],
  'PARKING SPACE': [
    startTime,
    { name: 'end_time', ...compactTime },
    { name: 'charging_time', required: true, ...seconds },
    { name: 'space_number', required: true, maxLength: 16 },
    carType,
    { name: 'parking_name', maxLength: 32 },
  ],
  GAS: [
    startTime,
    plateNumber,
    ...['gas_station', 'gas_label_name', 'gas_type', 'gas_standard', 'gas_amount', 'gas_gun_no'].map(
      (name) => ({
        name,
        required: true,
      }),
    ),
    carType,
  ],
  HIGHWAY: [
    startTime,
    { name: 'end_time', required: true, ...compactTime },
    plateNumber,
    { ...carType, required: true },
    { name: 'entrance_name', required: true },
    { name: 'exit_name', required: true },
    { name: 'channel_type', required: true, values: ['ETC', 'MTC'] },
  ],
  BRIDGE: [startTime, plateNumber, { name: 'exit_name', required: true }, carType],
};

const requestRules: FieldRule[] = [
  { name: 'body', required: true, maxLength: 128 },
  { name: 'detail', maxLength: 6000 },
  { name: 'attach', maxLength: 127 },
  { name: 'out_trade_no', required: true, maxLength: 32 },
  { name: 'total_fee', required: true, pattern: /^[1-9]\d{0,14}$/, patternDes: '正整数（单位：分）' },
  { name: 'fee_type', values: ['CNY'] },
  // 终端IP, String(16) on the official 申请扣款 pages (doc/v2/partner/4011988205): an IPv4 address.
  { name: 'spbill_create_ip', required: true, maxLength: 16 },
  { name: 'goods_tag', maxLength: 32 },
  { name: 'notify_url', required: true, ...notifyUrl },
  { name: 'trade_type', required: true, values: ['PAP'] },
  versionRule,
  { name: 'trade_scene', required: true, values: vehicleScenes },
  { name: 'openid', maxLength: 32 },
  { name: 'sub_openid', maxLength: 32 },
  { name: 'profit_sharing', values: ['Y', 'N'] },
  { name: 'scene_info', required: true, maxLength: 1024 },
];

/**
 * 申请扣款 (`/vehicle/pay/payapply`, `/vehicle/partnerpay/payapply`). Accepts a deduction for a NORMAL car
 * owner, then makes it and sends the 扣费结果通知 to notify_url. Repeating an accepted out_trade_no with the
 * same total_fee is accepted again without a second deduction, as a retry after a lost answer should be.
 */
export function payApplyEndpoint(state: SandboxState, partner: boolean): V2Endpoint {
  return {
    partner,
    signTypes: 'vehicle',
    process(params, acting) {
      const checked = checkSceneRequest(params, requestRules, sceneRules);
      if ('problem' in checked) return paramError(checked.problem);
      const { scene } = checked;

      const out_trade_no = params.out_trade_no!;
      const total_fee = params.total_fee!;
      const key = orderKey(acting, out_trade_no);
      const existing = state.orders.get(key);
      if (existing) {
        if (existing.total_fee !== total_fee) {
          return {
            err_code: 'INVALID_REQUEST',
            err_code_des: '订单号重复：out_trade_no 已用于金额不同的扣款',
          };
        }
        return { fields: {} };
      }

      const plate = sceneString(scene, 'plate_number');
      const openid = params.openid || sceneString(scene, 'openid');
      const sub_openid = params.sub_openid || undefined;
      const lookup = plate ?? openid ?? sub_openid;
      if (lookup === undefined) {
        return { err_code: 'INVALID_REQUEST', err_code_des: '缺少 openid，无法确定扣款用户' };
      }
      const user = plate ? state.findUserByPlate(plate) : state.findUserByOpenId(lookup);
      if (!user) {
        const err_code_des = plate ? '车牌未开通车主服务' : '用户未开通车主服务';
        return { err_code: 'INVALID_REQUEST', err_code_des };
      }
      if (user.user_state !== 'NORMAL') {
        return {
          err_code: 'INVALID_REQUEST',
          err_code_des: `用户状态为 ${user.user_state}，不可扣款：请先引导用户处理（用户状态查询返回的 path）`,
        };
      }

      const order = {
        ...acting,
        out_trade_no,
        transaction_id: newTransactionId(),
        total_fee,
        trade_scene: params.trade_scene!,
        openid: user.openid ?? openid ?? openIdForPlate(plate ?? lookup),
        ...(sub_openid === undefined ? {} : { sub_openid }),
        ...(params.attach ? { attach: params.attach } : {}),
        notify_url: params.notify_url!,
        trade_state: 'ACCEPT' as const,
      };
      state.orders.set(key, order);
      schedulePayResult(state, order);
      return { fields: {} };
    },
  };
}
