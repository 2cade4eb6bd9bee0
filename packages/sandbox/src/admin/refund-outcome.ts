import { SandboxUsageError } from '../errors.ts';
import type { RefundOutcome } from '../types.ts';

export const refundOutcomes: readonly RefundOutcome[] = ['SUCCESS', 'ABNORMAL', 'CLOSED', 'PROCESSING'];

/**
 * APIv2 查询退款 names the same ends differently (`refund_status_$n`): 退款异常 is CHANGE, 退款关闭 is
 * REFUNDCLOSE (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5; 退款结果通知 doc/v2/partner/4011989265).
 */
export const v2RefundStatusOf = {
  SUCCESS: 'SUCCESS',
  ABNORMAL: 'CHANGE',
  CLOSED: 'REFUNDCLOSE',
  PROCESSING: 'PROCESSING',
} as const satisfies Record<RefundOutcome, string>;

/** How the next accepted refunds end, first set, first used; SUCCESS when none waits. */
export interface RefundOutcomeQueue {
  push(status: RefundOutcome, options?: { count?: number }): void;
  /** The end of the refund just accepted (APIv2 or APIv3), using up one turn. */
  take(): RefundOutcome;
  /** What is waiting, first first. */
  pending(): { status: RefundOutcome; remaining: number }[];
}

export function createRefundOutcomeQueue(): RefundOutcomeQueue {
  const waiting: { status: RefundOutcome; remaining: number }[] = [];
  return {
    push(status, options = {}) {
      const { count = 1 } = options;
      if (!refundOutcomes.includes(status)) {
        throw new SandboxUsageError(
          `refund outcome: expected one of ${refundOutcomes.join(', ')}, got ${JSON.stringify(status)}`,
        );
      }
      if (!Number.isSafeInteger(count) || count < 1) {
        throw new SandboxUsageError(
          `refund outcome count: expected a positive integer, got ${JSON.stringify(count)}`,
        );
      }
      waiting.push({ status, remaining: count });
    },
    take() {
      const head = waiting[0];
      if (!head) return 'SUCCESS';
      head.remaining -= 1;
      if (head.remaining === 0) waiting.shift();
      return head.status;
    },
    pending() {
      return waiting.map(({ status, remaining }) => ({ status, remaining }));
    },
  };
}
