import type { CallbackOutcome, SandboxState } from '../state.ts';
import { v2RefundsOf } from '../v2/refund.ts';

/** Rows kept per table of the state view: the newest ones. */
const rowsPerTable = 200;

function newest<T>(values: Iterable<T>): T[] {
  const all = [...values];
  return all.slice(Math.max(0, all.length - rowsPerTable)).reverse();
}

/** What the inspector's state view shows: ids, states and serial numbers, never a key. */
export function inspectState(state: SandboxState) {
  const { config, v3 } = state;
  return {
    keys: {
      mode: v3.keyring.mode,
      publicKeyId: config.platform.publicKeyId,
      certificates: v3.keyring.certificates().map((c) => ({
        serialNo: c.id,
        notAfter: c.certificate?.notAfter.toISOString(),
      })),
      signingWith: v3.keyring.signingKey().id,
    },
    hostile: state.hostile.pending(),
    refundOutcomes: state.refundOutcomes.pending(),
    merchants: config.merchants.map((m) => ({
      mchId: m.mchId,
      appId: m.appId,
      kind: m.subMerchants?.length ? 'service provider' : 'direct merchant',
      subMchIds: (m.subMerchants ?? []).map((s) => s.subMchId),
      v3SerialNo: m.v3?.serialNo,
    })),
    plates: config.vehicleUsers.map((u) => {
      const entry = u.plate_number ? state.plateEntries.get(u.plate_number) : undefined;
      return {
        plate_number: u.plate_number,
        openid: u.openid,
        user_state: u.user_state,
        deduct_mode: u.deduct_mode,
        ...(entry
          ? { entered_at: entry.at, notify_url: entry.notify_url, mch_id: entry.merchant.mchId }
          : {}),
      };
    }),
    stays: newest(v3.stays.values()).map((s) => ({
      mchid: s.mchId,
      out_serial_number: s.out_serial_number,
      serial_number: s.serial_number,
      parking_id: s.parking_id,
      plate_number: s.plate_number,
      enter_timestamp: s.enter_timestamp,
      exit_timestamp: s.exit_timestamp,
      paid_amount: [...s.payments.values()].reduce((sum, p) => sum + p.paid_amount, 0),
    })),
    scoreParkings: newest(v3.scoreEntries.values()).map((e) => ({
      mchid: e.mchId,
      parking_id: e.id,
      out_parking_no: e.out_parking_no,
      plate_number: e.plate_number,
      state: e.state,
      block_reason: e.block_reason,
      out_trade_no: e.out_trade_no,
    })),
    orders: [
      ...newest(state.orders.values()).map((o) => ({
        api: 'v2 申请扣款',
        mchid: o.merchant.mchId,
        out_trade_no: o.out_trade_no,
        transaction_id: o.transaction_id,
        amount: Number(o.total_fee),
        trade_state: o.trade_state,
        notice: o.notice
          ? o.notice.acknowledged
            ? 'acknowledged'
            : (o.notice.error ?? `HTTP ${o.notice.status}`)
          : 'pending',
      })),
      ...newest(v3.transactions.values()).map((t) => ({
        api: 'v3 支付分停车扣费',
        mchid: t.mchId,
        out_trade_no: t.transaction.out_trade_no,
        transaction_id: t.transaction.transaction_id as string | undefined,
        amount: (t.transaction.amount as { total?: number } | undefined)?.total,
        trade_state: t.transaction.trade_state,
        notice: t.notice
          ? t.notice.acknowledged
            ? 'acknowledged'
            : (t.notice.error ?? `HTTP ${t.notice.status}`)
          : 'pending',
      })),
    ],
    refunds: [
      ...newest(v2RefundsOf(state)).map((r) => ({
        api: 'v2 申请退款',
        mchid: r.order.merchant.mchId,
        out_refund_no: r.out_refund_no,
        out_trade_no: r.order.out_trade_no,
        amount: r.refund_fee,
        status: r.status,
        notice: r.notify_url ? describeNotice(r.notice) : 'no notify_url',
      })),
      ...newest(v3.refunds.values()).map((r) => ({
        api: 'v3 退款申请',
        mchid: r.mchId,
        out_refund_no: r.refund.out_refund_no,
        out_trade_no: r.refund.out_trade_no,
        amount: (r.refund.amount as { refund?: number } | undefined)?.refund,
        status: r.refund.status,
        notice: r.notify_url ? describeNotice(r.notice) : 'no notify_url',
      })),
    ],
    mallParkings: newest(v3.mallParkings.entries()).map(([key, value]) => {
      const [brandid, openid, plate_number] = key.split('|');
      return { brandid, openid, plate_number, ...value };
    }),
  };
}

function describeNotice(notice: CallbackOutcome | undefined): string {
  if (!notice) return 'pending';
  return notice.acknowledged ? 'acknowledged' : (notice.error ?? `HTTP ${notice.status}`);
}

export type InspectorState = ReturnType<typeof inspectState>;
