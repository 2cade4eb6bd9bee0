import { orderKey, type PayOrder, type SandboxState } from '../state.ts';
import { paramError, type V2Endpoint } from './endpoint.ts';
import { checkFields } from './fields.ts';

/**
 * 查询订单 (`/transit/queryorder`, `/transit/partnerpay/queryorder`) for the deductions 申请扣款 accepted:
 * ACCEPT until the deduction is made, SUCCESS after.
 */
export function queryOrderEndpoint(state: SandboxState, partner: boolean): V2Endpoint {
  return {
    partner,
    signTypes: 'transit',
    process(params, acting) {
      const problem = checkFields(params, [
        { name: 'transaction_id', maxLength: 32 },
        { name: 'out_trade_no', maxLength: 32 },
      ]);
      if (problem) return paramError(problem);
      const { transaction_id, out_trade_no } = params;
      if (!transaction_id && !out_trade_no)
        return paramError('transaction_id 与 out_trade_no 二选一，不能都缺失');

      const order: PayOrder | undefined = transaction_id
        ? [...state.orders.values()].find(
            (o) =>
              o.transaction_id === transaction_id &&
              o.merchant.mchId === acting.merchant.mchId &&
              o.subMchId === acting.subMchId,
          )
        : state.orders.get(orderKey(acting, out_trade_no!));
      if (!order) return { err_code: 'ORDERNOTEXIST', err_code_des: '此交易订单号不存在' };

      const done = order.trade_state === 'SUCCESS';
      return {
        fields: {
          openid: order.openid,
          sub_openid: order.sub_openid,
          is_subscribe: 'N',
          trade_type: 'PAP',
          trade_state: order.trade_state,
          trade_state_desc: done ? '扣款成功' : '已受理，扣款处理中',
          bank_type: done ? 'OTHERS' : undefined,
          total_fee: order.total_fee,
          fee_type: 'CNY',
          cash_fee: done ? order.total_fee : undefined,
          transaction_id: order.transaction_id,
          out_trade_no: order.out_trade_no,
          attach: order.attach,
          time_end: order.time_end,
        },
      };
    },
  };
}
