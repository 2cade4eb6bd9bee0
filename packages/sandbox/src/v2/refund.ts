import { parseXml } from '@wxpark/xml';
import { v2RefundStatusOf } from '../admin/refund-outcome.ts';
import { formatChinaDateTime } from '../china-time.ts';
import type { Reply } from '../http/reply.ts';
import { textReply } from '../http/reply.ts';
import type { RouteHandler, RouteRequest } from '../http/router.ts';
import { randomDigits } from '../ids.ts';
import { sendRefundNoticeInBackground } from '../notices/v2.ts';
import { type Acting, type CallbackOutcome, orderKey, type PayOrder, type SandboxState } from '../state.ts';
import type { RefundOutcome } from '../types.ts';
import { createV2Handler, paramError, type V2Endpoint, type V2Outcome, v2MaxBodyBytes } from './endpoint.ts';
import { checkFields } from './fields.ts';

// 申请退款 (/secapi/pay/refund, 请求需要双向证书) and 查询退款 (/pay/refundquery), for direct merchants and
// service providers, over the deductions that
// 申请扣款 made: only a paid (SUCCESS) order, refunds adding up to at most total_fee, one refund per
// out_refund_no (a retry gets the same refund).

interface V2Refund {
  order: PayOrder;
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  refund_account: string;
  status: (typeof v2RefundStatusOf)[RefundOutcome];
  success_time?: string;
  notify_url?: string;
  /** Set once its 退款结果通知 was delivered or failed. */
  notice?: CallbackOutcome;
}

/** 退款入账账户 of every sandbox refund: the payer's change (what WeChat names for a balance payment). */
const refundRecvAccount = '支付用户的零钱';

// Kept beside the state rather than in it: only these two endpoints read them.
const refundsByState = new WeakMap<SandboxState, Map<string, V2Refund>>();

function refundsOf(state: SandboxState): Map<string, V2Refund> {
  let refunds = refundsByState.get(state);
  if (!refunds) {
    refunds = new Map();
    refundsByState.set(state, refunds);
  }
  return refunds;
}

/** The APIv2 refunds the sandbox accepted, for the inspector's state view. */
export function v2RefundsOf(state: SandboxState): Iterable<Readonly<V2Refund>> {
  return refundsOf(state).values();
}

function findOrder(
  state: SandboxState,
  acting: Acting,
  params: Record<string, string>,
): PayOrder | undefined {
  if (params.transaction_id) {
    return [...state.orders.values()].find(
      (o) =>
        o.transaction_id === params.transaction_id &&
        o.merchant.mchId === acting.merchant.mchId &&
        o.subMchId === acting.subMchId,
    );
  }
  return params.out_trade_no ? state.orders.get(orderKey(acting, params.out_trade_no)) : undefined;
}

function refundFields(refund: V2Refund): Record<string, string> {
  return {
    transaction_id: refund.order.transaction_id,
    out_trade_no: refund.order.out_trade_no,
    out_refund_no: refund.out_refund_no,
    refund_id: refund.refund_id,
    refund_fee: String(refund.refund_fee),
    total_fee: refund.order.total_fee,
    cash_fee: refund.order.total_fee,
    cash_refund_fee: String(refund.refund_fee),
  };
}

function refundEndpoint(state: SandboxState, partner: boolean): V2Endpoint {
  return {
    partner,
    signTypes: 'transit',
    process(params, acting, request): V2Outcome {
      // The certificate was checked against the sandbox CA before the body was read; here, its owner.
      const owner = request.clientCertificate?.commonName;
      if (owner !== acting.merchant.mchId) {
        return {
          err_code: 'CERT_ERROR',
          err_code_des: `证书与商户号不匹配：证书属于 ${owner ?? '(未知)'}，请求的 mch_id 为 ${acting.merchant.mchId}`,
        };
      }
      const problem = checkFields(params, [
        { name: 'transaction_id', maxLength: 32 },
        { name: 'out_trade_no', maxLength: 32 },
        { name: 'out_refund_no', required: true, maxLength: 64, pattern: /^[0-9A-Za-z_\-|*@]+$/ },
        { name: 'total_fee', required: true, pattern: /^[1-9]\d*$/, patternDes: '正整数（分）' },
        { name: 'refund_fee', required: true, pattern: /^[1-9]\d*$/, patternDes: '正整数（分）' },
        { name: 'refund_fee_type', values: ['CNY'] },
        { name: 'refund_desc', maxLength: 80 },
        { name: 'refund_account', values: ['REFUND_SOURCE_UNSETTLED_FUNDS', 'REFUND_SOURCE_RECHARGE_FUNDS'] },
        { name: 'notify_url', maxLength: 256, pattern: /^https?:\/\/\S+$/, patternDes: 'http(s) URL' },
      ]);
      if (problem) return paramError(problem);
      if (!params.transaction_id && !params.out_trade_no) {
        return paramError('transaction_id 与 out_trade_no 二选一，不能都缺失');
      }
      const refunds = refundsOf(state);
      const key = `${acting.merchant.mchId}|${acting.subMchId ?? ''}|${params.out_refund_no}`;
      const refund_fee = Number(params.refund_fee);
      const known = refunds.get(key);
      if (known) {
        return known.refund_fee === refund_fee
          ? { fields: refundFields(known) }
          : { err_code: 'INVALID_REQUEST', err_code_des: '同一商户退款单号的退款金额不一致' };
      }
      const order = findOrder(state, acting, params);
      if (!order) return { err_code: 'ORDERNOTEXIST', err_code_des: '订单不存在' };
      if (order.trade_state !== 'SUCCESS') {
        return { err_code: 'ERROR', err_code_des: '订单未支付成功，不能退款' };
      }
      if (params.total_fee !== order.total_fee) {
        return {
          err_code: 'INVALID_REQUEST',
          err_code_des: `total_fee 与订单金额（${order.total_fee}）不一致`,
        };
      }
      let refunded = 0;
      // A closed refund gave its amount back; an abnormal one still holds it.
      for (const r of refunds.values()) {
        if (r.order === order && r.status !== 'REFUNDCLOSE') refunded += r.refund_fee;
      }
      const left = Number(order.total_fee) - refunded;
      if (refund_fee > left) {
        return {
          err_code: 'INVALID_REQUEST',
          err_code_des: `退款金额超过订单可退金额（剩余可退 ${left} 分）`,
        };
      }
      const refund: V2Refund = {
        order,
        out_refund_no: params.out_refund_no!,
        refund_id: `50${randomDigits(27)}`,
        refund_fee,
        refund_account: params.refund_account ?? 'REFUND_SOURCE_UNSETTLED_FUNDS',
        status: 'PROCESSING',
        ...(params.notify_url ? { notify_url: params.notify_url } : {}),
      };
      refunds.set(key, refund);
      settle(state, refund, state.refundOutcomes.take());
      return { fields: refundFields(refund) };
    },
  };
}

/**
 * WeChat accepts first and settles later: the query shows PROCESSING until then. The end is the one
 * `setRefundOutcome` queued (SUCCESS when none waits); a notify_url then gets the 退款结果通知.
 */
function settle(state: SandboxState, refund: V2Refund, outcome: RefundOutcome): void {
  setImmediate(() => {
    if (state.shutdown.signal.aborted || outcome === 'PROCESSING') return;
    refund.status = v2RefundStatusOf[outcome];
    if (outcome === 'SUCCESS') refund.success_time = formatChinaDateTime(new Date());
    if (!refund.notify_url) return;
    const { order } = refund;
    sendRefundNoticeInBackground(state, refund, {
      acting: order,
      url: refund.notify_url,
      info: {
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        refund_id: refund.refund_id,
        out_refund_no: refund.out_refund_no,
        total_fee: order.total_fee,
        refund_fee: String(refund.refund_fee),
        settlement_refund_fee: String(refund.refund_fee),
        refund_status: refund.status,
        success_time: refund.success_time,
        refund_recv_accout: refundRecvAccount,
        refund_account: refund.refund_account,
        refund_request_source: 'API',
      },
    });
  });
}

function refundQueryEndpoint(state: SandboxState, partner: boolean): V2Endpoint {
  return {
    partner,
    signTypes: 'transit',
    process(params, acting): V2Outcome {
      const problem = checkFields(params, [
        { name: 'transaction_id', maxLength: 32 },
        { name: 'out_trade_no', maxLength: 32 },
        { name: 'out_refund_no', maxLength: 64 },
        { name: 'refund_id', maxLength: 32 },
        { name: 'offset', pattern: /^\d+$/, patternDes: '非负整数' },
      ]);
      if (problem) return paramError(problem);
      const all = [...refundsOf(state).values()].filter(
        (r) => r.order.merchant.mchId === acting.merchant.mchId && r.order.subMchId === acting.subMchId,
      );
      const { transaction_id, out_trade_no, out_refund_no, refund_id } = params;
      let found: V2Refund[];
      if (refund_id) found = all.filter((r) => r.refund_id === refund_id);
      else if (out_refund_no) found = all.filter((r) => r.out_refund_no === out_refund_no);
      else if (transaction_id) found = all.filter((r) => r.order.transaction_id === transaction_id);
      else if (out_trade_no) found = all.filter((r) => r.order.out_trade_no === out_trade_no);
      else return paramError('out_refund_no transaction_id、out_trade_no、out_refund_no、refund_id 四选一');
      if (found.length === 0) return { err_code: 'REFUNDNOTEXIST', err_code_des: '退款订单查询失败' };
      const order = found[0]!.order;
      const fields: Record<string, string> = {
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        total_fee: order.total_fee,
        cash_fee: order.total_fee,
        refund_count: String(found.length),
      };
      for (const [n, r] of found.entries()) {
        fields[`out_refund_no_${n}`] = r.out_refund_no;
        fields[`refund_id_${n}`] = r.refund_id;
        fields[`refund_fee_${n}`] = String(r.refund_fee);
        fields[`refund_status_${n}`] = r.status;
        fields[`refund_recv_accout_${n}`] = refundRecvAccount;
        if (r.success_time) fields[`refund_success_time_${n}`] = r.success_time;
      }
      return { fields };
    },
  };
}

/**
 * What WeChat's TLS front answers a `/secapi/…` call without a usable client certificate: an HTTP 400 page,
 * not an APIv2 answer. A certificate that does not chain to the sandbox CA counts as none usable.
 */
export function requireClientCertificate(handler: RouteHandler): RouteHandler {
  return (request): Reply | Promise<Reply> => {
    const certificate = request.clientCertificate;
    if (!certificate) return textReply(400, 'No required SSL certificate was sent');
    if (!certificate.authorized) return textReply(400, 'The SSL certificate error');
    return handler(request);
  };
}

/**
 * The refund paths serve direct merchants and service providers alike: a body with `sub_mch_id` is a
 * service provider's call (checked as on the partnerpay paths), one without a direct merchant's.
 */
function byCaller(state: SandboxState, create: (state: SandboxState, partner: boolean) => V2Endpoint) {
  const direct = createV2Handler(create(state, false), state);
  const partner = createV2Handler(create(state, true), state);
  return (request: RouteRequest) => {
    let params: Record<string, string> = {};
    try {
      params = parseXml(request.body, { maxBytes: v2MaxBodyBytes });
    } catch {
      // The direct handler answers the unreadable body as WeChat does.
    }
    return params.sub_mch_id ? partner(request) : direct(request);
  };
}

/** The refund paths and their handlers: 申请退款 behind the client-certificate check, 查询退款 without. */
export function refundRoutes(state: SandboxState): [string, RouteHandler][] {
  return [
    ['/secapi/pay/refund', requireClientCertificate(byCaller(state, refundEndpoint))],
    ['/pay/refundquery', byCaller(state, refundQueryEndpoint)],
  ];
}
