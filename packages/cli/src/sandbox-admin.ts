import type { SandboxConfig, V3NoticeDelivery } from '@wxpark/sandbox';
import { CliError } from './errors.ts';
import { checkHttpUrl } from './input.ts';

/** Every admin request gives up after this long. */
const adminTimeoutMs = 15_000;

/** A running sandbox, driven through its admin HTTP routes (`/__sandbox/…`). */
export class SandboxAdmin {
  readonly url: string;

  constructor(url: string) {
    this.url = checkHttpUrl(url, '--sandbox-url').origin;
  }

  /** The sandbox's configuration: merchants with their sandbox-only keys, car owners, WeChat Pay's public keys. */
  config(): Promise<SandboxConfig> {
    return this.#request('GET', 'config') as Promise<SandboxConfig>;
  }

  /** Asks the sandbox to sign and send an APIv3 notice; resolves with the receiver's answer. */
  sendV3Notice(options: Record<string, unknown>): Promise<V3NoticeDelivery> {
    return this.#request('POST', 'v3/notice', options) as Promise<V3NoticeDelivery>;
  }

  /** Sends the 车牌状态变更通知 for a plate (to its last 用户入场通知's notify_url). */
  sendPlateState(body: {
    plate_number: string;
    vehicle_event_type: string;
  }): Promise<{ status: number; body: string }> {
    return this.#request('POST', 'v2/plate-state', body) as Promise<{ status: number; body: string }>;
  }

  /** Sends every notice to `url` whatever notify_url it was given (null: back to each notify_url). */
  async setNoticeTarget(url: string | null): Promise<void> {
    await this.#request('PUT', 'notice-target', { url });
  }

  /** The requests the sandbox received on API paths. */
  requests(): Promise<unknown[]> {
    return this.#request('GET', 'requests') as Promise<unknown[]>;
  }

  async #request(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/__sandbox/${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(adminTimeoutMs),
      });
    } catch (error) {
      throw new CliError(
        'SANDBOX_UNREACHABLE',
        `the sandbox at ${this.url} could not be reached (${(error as Error).message}); start one with \`wxpark sandbox\``,
        { cause: error },
      );
    }
    const text = await response.text();
    if (response.status === 404 && path === 'notice-target')
      throw new CliError(
        'SANDBOX_TOO_OLD',
        `the sandbox at ${this.url} cannot forward notices (no /__sandbox/notice-target)`,
      );
    if (!response.ok) {
      let reason = text.slice(0, 300);
      try {
        reason = (JSON.parse(text) as { error?: string }).error ?? reason;
      } catch {
        // Not JSON: keep the text.
      }
      throw new CliError(
        'SANDBOX_REFUSED',
        `sandbox ${method} /__sandbox/${path}: ${response.status} ${reason}`,
      );
    }
    return text === '' ? undefined : JSON.parse(text);
  }
}
