import { formatChinaRfc3339 } from '../china-time.ts';
import { randomDigits } from '../ids.ts';
import { sendV3NoticeInBackground } from '../notices/v3.ts';
import type { SandboxState } from '../state.ts';
import type { RefundOutcome } from '../types.ts';
import { isAnswer, resolveActing, type V3Acting, type V3Endpoint } from './endpoint.ts';
import { fieldProblem, int, list, oneOf, optional, record, text } from './fields.ts';
import { subMchid } from './reminder-fields.ts';
import { v3Error, v3Ok } from './reply.ts';
import type { ScoreTransaction, StoredRefund } from './state.ts';

// The rules of the official 退款申请 page: a refund needs a paid order; several partial refunds may follow
// one another but add up to at most the order's total; the same out_refund_no refunds once.

function refundKey(acting: V3Acting, out_refund_no: string): string {
  return `${acting.merchant.mchId}|${acting.sub_mchid ?? ''}|${out_refund_no}`;
}

function findOrder(
  state: SandboxState,
  acting: V3Acting,
  fields: Record<string, unknown>,
): ScoreTransaction | undefined {
  return [...state.v3.transactions.values()].find(
    (t) =>
      t.mchId === acting.merchant.mchId &&
      t.sub_mchid === acting.sub_mchid &&
      (fields.transaction_id !== undefined
        ? t.transaction.transaction_id === fields.transaction_id
        : t.transaction.out_trade_no === fields.out_trade_no),
  );
}

/** What is already refunded (or being refunded) of an order: every refund not CLOSED counts. */
function refundedOf(state: SandboxState, order: ScoreTransaction): number {
  let sum = 0;
  for (const refund of state.v3.refunds.values()) {
    if (refund.order === order && refund.refund.status !== 'CLOSED') {
      sum += (refund.refund.amount as { refund: number }).refund;
    }
  }
  return sum;
}

function createEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'POST',
    path: '/v3/refund/domestic/refunds',
    fields: {
      sub_mchid: subMchid,
      transaction_id: optional(text({ maxLength: 32 })),
      out_trade_no: optional(text({ maxLength: 32 })),
      out_refund_no: text({
        maxLength: 64,
        pattern: /^[0-9A-Za-z_\-|*@]+$/,
        patternName: '数字、大小写字母_-|*@',
      }),
      reason: optional(text({ maxLength: 80 })),
      notify_url: optional(text({ maxLength: 256, pattern: /^https?:\/\/\S+$/, patternName: 'http(s) URL' })),
      funds_account: optional(oneOf(['AVAILABLE', 'UNSETTLED'])),
      amount: record({
        refund: int({ min: 1 }),
        from: optional(
          list(record({ account: oneOf(['AVAILABLE', 'UNAVAILABLE']), amount: int({ min: 1 }) })),
        ),
        total: int({ min: 1 }),
        currency: oneOf(['CNY']),
      }),
      goods_detail: optional(
        list(
          record({
            merchant_goods_id: text({ maxLength: 32 }),
            wechatpay_goods_id: optional(text({ maxLength: 32 })),
            goods_name: optional(text({ maxLength: 256 })),
            unit_price: int({ min: 0 }),
            refund_amount: int({ min: 0 }),
            refund_quantity: int({ min: 1 }),
          }),
        ),
      ),
    },
    process(call) {
      const acting = resolveActing(call, true);
      if (isAnswer(acting)) return acting;
      const { fields } = call;
      if (fields.transaction_id === undefined && fields.out_trade_no === undefined) {
        throw fieldProblem('/out_trade_no', undefined, 'transaction_id和out_trade_no必须二选一进行传参');
      }
      const amount = fields.amount as { refund: number; total: number; currency: string };
      const key = refundKey(acting, fields.out_refund_no as string);
      const known = state.v3.refunds.get(key);
      if (known) {
        // The same out_refund_no refunds once: a retry gets the refund as it stands.
        const same = (known.refund.amount as { refund: number }).refund === amount.refund;
        return same
          ? v3Ok(known.refund, `refund repeated ${known.refund.status}`)
          : v3Error(400, 'INVALID_REQUEST', '同一商户退款单号的退款金额不一致');
      }
      const order = findOrder(state, acting, fields);
      if (!order) return v3Error(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      const paid = order.transaction.trade_state === 'SUCCESS' || order.transaction.trade_state === 'REFUND';
      if (!paid) return v3Error(400, 'INVALID_REQUEST', '订单未支付成功，不能退款');
      const total = (order.transaction.amount as { total: number }).total;
      if (amount.total !== total) {
        throw fieldProblem('/amount/total', amount.total, `原订单金额与订单实际金额（${total}）不一致`);
      }
      const left = total - refundedOf(state, order);
      if (amount.refund > left) {
        return v3Error(400, 'INVALID_REQUEST', `申请退款金额超过订单可退金额（剩余可退 ${left} 分）`);
      }
      const refund: StoredRefund['refund'] = {
        refund_id: `50${randomDigits(27)}`,
        out_refund_no: fields.out_refund_no as string,
        transaction_id: order.transaction.transaction_id as string,
        out_trade_no: order.transaction.out_trade_no,
        channel: 'ORIGINAL',
        user_received_account: '支付用户零钱',
        create_time: formatChinaRfc3339(new Date()),
        status: 'PROCESSING',
        funds_account: (fields.funds_account as string | undefined) ?? 'UNSETTLED',
        amount: {
          total,
          refund: amount.refund,
          payer_total: total,
          payer_refund: amount.refund,
          settlement_refund: amount.refund,
          settlement_total: total,
          discount_refund: 0,
          currency: 'CNY',
        },
      };
      const stored: StoredRefund = {
        mchId: acting.merchant.mchId,
        ...(acting.sub_mchid ? { sub_mchid: acting.sub_mchid } : {}),
        ...(fields.notify_url === undefined ? {} : { notify_url: fields.notify_url as string }),
        order,
        refund,
      };
      state.v3.refunds.set(key, stored);
      scheduleRefund(state, stored, state.refundOutcomes.take());
      return v3Ok(refund, `refund ${refund.out_refund_no} PROCESSING`);
    },
  };
}

/**
 * Settles a refund after its acceptance is out (WeChat answers PROCESSING first), as `setRefundOutcome`
 * says (SUCCESS when nothing waits), then sends REFUND.SUCCESS, REFUND.ABNORMAL or REFUND.CLOSED to its
 * notify_url when it gave one. Only a SUCCESS turns the order to REFUND; PROCESSING stays and sends nothing.
 */
function scheduleRefund(state: SandboxState, stored: StoredRefund, outcome: RefundOutcome): void {
  setImmediate(() => {
    if (state.shutdown.signal.aborted || outcome === 'PROCESSING') return;
    const { refund, order } = stored;
    refund.status = outcome;
    if (outcome === 'SUCCESS') {
      refund.success_time = formatChinaRfc3339(new Date());
      order.transaction.trade_state = 'REFUND';
      order.transaction.trade_state_description = '转入退款';
    }
    if (!stored.notify_url) return;
    const amount = refund.amount as {
      total: number;
      refund: number;
      payer_total: number;
      payer_refund: number;
    };
    const resource = {
      ...(stored.sub_mchid
        ? { sp_mchid: stored.mchId, sub_mchid: stored.sub_mchid }
        : { mchid: stored.mchId }),
      out_trade_no: refund.out_trade_no,
      transaction_id: refund.transaction_id,
      out_refund_no: refund.out_refund_no,
      refund_id: refund.refund_id,
      refund_status: refund.status,
      ...(refund.success_time ? { success_time: refund.success_time } : {}),
      user_received_account: refund.user_received_account,
      amount: {
        total: amount.total,
        refund: amount.refund,
        payer_total: amount.payer_total,
        payer_refund: amount.payer_refund,
      },
    };
    sendV3NoticeInBackground(
      state,
      stored,
      { url: stored.notify_url, mchId: stored.mchId, event_type: `REFUND.${outcome}`, resource },
      refund.out_refund_no,
    );
  });
}

function queryEndpoint(state: SandboxState): V3Endpoint {
  return {
    method: 'GET',
    path: '/v3/refund/domestic/refunds/{out_refund_no}',
    pathFields: { out_refund_no: text({ maxLength: 64 }) },
    fields: { sub_mchid: subMchid },
    process(call) {
      const acting = resolveActing(call, true, 'query');
      if (isAnswer(acting)) return acting;
      const stored = state.v3.refunds.get(refundKey(acting, call.fields.out_refund_no as string));
      if (!stored) return v3Error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return v3Ok(stored.refund, stored.refund.status);
    },
  };
}

/** 退款申请 and 查询单笔退款 of the generic APIv3 refund API, over the 微信支付分停车 orders. */
export function refundEndpoints(state: SandboxState): V3Endpoint[] {
  return [createEndpoint(state), queryEndpoint(state)];
}
