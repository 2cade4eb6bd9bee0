import { SandboxUsageError } from '../errors.ts';
import type { Reply } from '../http/reply.ts';
import type { HostileMode } from '../types.ts';
import { signatureModes } from '../v3/signature.ts';

const garbageBody = 'upstream overloaded, try again later (sandbox garbage answer)\n';

export const hostileModes: readonly HostileMode[] = [...signatureModes, 'slow', 'drop', 'garbage'];

/** One hostile answer to give. */
export interface HostileTurn {
  mode: HostileMode;
  delayMs: number;
}

/** Hostile modes waiting for the next API answers, first set, first used. */
export interface HostileQueue {
  push(mode: HostileMode, options?: { count?: number; delayMs?: number }): void;
  /** Consumes one turn, if any is waiting. */
  take(): HostileTurn | undefined;
  /** What is waiting, first first. */
  pending(): { mode: HostileMode; remaining: number }[];
}

export function createHostileQueue(): HostileQueue {
  const waiting: { mode: HostileMode; remaining: number; delayMs: number }[] = [];
  return {
    push(mode, options = {}) {
      const { count = 1, delayMs = 3000 } = options;
      if (!hostileModes.includes(mode)) {
        throw new SandboxUsageError(
          `hostile mode: expected one of ${hostileModes.join(', ')}, got ${JSON.stringify(mode)}`,
        );
      }
      if (!Number.isSafeInteger(count) || count < 1) {
        throw new SandboxUsageError(
          `hostile count: expected a positive integer, got ${JSON.stringify(count)}`,
        );
      }
      if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
        throw new SandboxUsageError(
          `hostile delayMs: expected a non-negative integer, got ${JSON.stringify(delayMs)}`,
        );
      }
      waiting.push({ mode, remaining: count, delayMs });
    },
    pending() {
      return waiting.map(({ mode, remaining }) => ({ mode, remaining }));
    },
    take() {
      const head = waiting[0];
      if (!head) return undefined;
      head.remaining -= 1;
      if (head.remaining === 0) waiting.shift();
      return { mode: head.mode, delayMs: head.delayMs };
    },
  };
}

/**
 * The answer as a hostile peer would give it. Signature modes leave an answer without that kind of signature
 * (a return_code FAIL, a SIGNERROR; an APIv2 answer for the APIv3-only modes) as it is. 'slow' and 'drop'
 * concern the connection, not the answer, and are carried out by the server.
 */
export async function spoilReply(reply: Reply, mode: HostileMode): Promise<Reply> {
  switch (mode) {
    case 'garbage':
      // What a misbehaving proxy might send: the usual status and headers over a body that is neither XML
      // nor JSON.
      return { status: reply.status, headers: reply.headers, body: garbageBody };
    case 'slow':
    case 'drop':
      return reply;
    default: {
      const variant = reply.tamper?.[mode];
      return variant ? await variant() : reply;
    }
  }
}
