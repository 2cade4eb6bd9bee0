import { SandboxUsageError } from '../errors.ts';
import type { FailNextOptions } from '../types.ts';
import { type V3Answer, v3Error } from '../v3/reply.ts';

/** What WeChat says for the common codes when a test does not give a message. */
const defaultMessages: Record<string, string> = {
  PARAM_ERROR: '参数错误',
  INVALID_REQUEST: '无效请求',
  SIGN_ERROR: '签名错误',
  NO_AUTH: '商户无权限',
  RESOURCE_NOT_EXISTS: '资源不存在',
  NOT_FOUND: '资源不存在',
  ORDER_NOT_EXIST: '订单不存在',
  FREQUENCY_LIMITED: '频率超限，请降低请求频率',
  RATELIMIT_EXCEEDED: '频率超限，请降低请求频率',
  SYSTEM_ERROR: '系统错误，请稍后重试',
  SERVICE_UNAVAILABLE: '服务不可用，请稍后重试',
};

/** Errors waiting for the next APIv3 calls, first set, first used. */
export interface FailQueue {
  push(options: FailNextOptions): void;
  /** Consumes the first waiting error for this call (its path as called, and its route template), if any. */
  take(pathname: string, template: string): V3Answer | undefined;
}

function check(options: FailNextOptions): Required<Pick<FailNextOptions, 'count'>> & FailNextOptions {
  if (typeof options !== 'object' || options === null) {
    throw new SandboxUsageError('failNext: expected an object with status and code');
  }
  const { path, status, code, message, detail, count = 1 } = options;
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/v3/'))) {
    throw new SandboxUsageError(
      `path: expected an APIv3 path starting with /v3/, got ${JSON.stringify(path)}`,
    );
  }
  if (!Number.isSafeInteger(status) || status < 400 || status > 599) {
    throw new SandboxUsageError(
      `status: expected an HTTP error status (400-599), got ${JSON.stringify(status)}`,
    );
  }
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) {
    throw new SandboxUsageError(
      `code: expected an error code such as SYSTEM_ERROR, got ${JSON.stringify(code)}`,
    );
  }
  if (message !== undefined && typeof message !== 'string') {
    throw new SandboxUsageError(`message: expected a string, got ${JSON.stringify(message)}`);
  }
  if (detail !== undefined && (typeof detail !== 'object' || detail === null || Array.isArray(detail))) {
    throw new SandboxUsageError(`detail: expected an object, got ${JSON.stringify(detail)}`);
  }
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new SandboxUsageError(`count: expected a positive integer, got ${JSON.stringify(count)}`);
  }
  return { ...options, count };
}

export function createFailQueue(): FailQueue {
  const waiting: (FailNextOptions & { remaining: number })[] = [];
  return {
    push(options) {
      const checked = check(options);
      waiting.push({ ...checked, remaining: checked.count });
    },
    take(pathname, template) {
      const at = waiting.findIndex((w) => w.path === undefined || w.path === pathname || w.path === template);
      if (at === -1) return undefined;
      const entry = waiting[at]!;
      entry.remaining -= 1;
      if (entry.remaining === 0) waiting.splice(at, 1);
      const answer = v3Error(
        entry.status,
        entry.code,
        entry.message ?? defaultMessages[entry.code] ?? entry.code,
        entry.detail,
      );
      return { ...answer, note: `${answer.note} [fail-next]` };
    },
  };
}
