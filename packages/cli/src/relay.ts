import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One notice passed on, and what the receiver answered. */
export interface Delivery {
  /** `v2` (XML) or `v3` (JSON with Wechatpay-* headers). */
  protocol: 'v2' | 'v3';
  /** APIv3 `event_type`, or the APIv2 notice's kind (`v2.plate-state`, `v2.pay-result`, `v2.refund`). */
  event: string;
  /** The APIv3 notice id, or the APIv2 `out_trade_no`/`plate_number`. */
  id?: string;
  /** The receiver's status; absent when it could not be reached. */
  status?: number;
  /** The receiver's answer body, or why it could not be reached. */
  reply: string;
  /** True when WeChat would stop retrying: APIv3 200/204; APIv2 200 with return_code SUCCESS. */
  acknowledged: boolean;
}

/** A local hop that passes notices byte for byte to the receiver and reports each delivery. */
export interface Relay {
  readonly url: string;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;
/**
 * How much of the receiver's reply is read. WeChat reads a notice's reply only for its status and a short
 * acknowledgement (the 停车费查询 reply is the largest, well under 1 KiB); a receiver that streams without end
 * must not grow the relay's memory.
 */
export const maxReplyBytes = 64 * 1024;
const forwardTimeoutMs = 10_000;
/** Headers that belong to one hop and must not be copied to the next. */
const hopHeaders = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * Starts the relay on a free loopback port. Every body and header is passed on unchanged, so the signature
 * the sandbox made still verifies at the receiver, and the receiver's answer goes back to the sandbox.
 */
export async function startRelay(target: string, onDelivery: (delivery: Delivery) => void): Promise<Relay> {
  const server = createServer((request, response) => {
    void relay(request).then(({ status, body, contentType, delivery }) => {
      onDelivery(delivery);
      response.writeHead(status, contentType ? { 'content-type': contentType } : {}).end(body);
    });
  });

  async function relay(request: IncomingMessage) {
    const body = await readCapped(request);
    if (body === undefined) {
      const reply = `notice larger than ${maxBodyBytes} bytes: not forwarded`;
      return {
        status: 413,
        body: reply,
        contentType: 'text/plain',
        delivery: { protocol: 'v3' as const, event: 'unknown', reply, acknowledged: false },
      };
    }
    const text = body.toString('utf8');
    const described = describeNotice(text);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!hopHeaders.has(name) && value !== undefined)
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    try {
      const answer = await fetch(target, {
        method: request.method ?? 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(forwardTimeoutMs),
      });
      const reply = await readReplyCapped(answer, maxReplyBytes);
      return {
        status: answer.status,
        body: reply,
        contentType: answer.headers.get('content-type') ?? undefined,
        delivery: {
          ...described,
          status: answer.status,
          reply,
          acknowledged: acknowledged(described.protocol, answer.status, reply),
        },
      };
    } catch (error) {
      const reason = `could not reach ${target}: ${(error as Error).message}`;
      return {
        status: 502,
        body: reason,
        contentType: 'text/plain',
        delivery: { ...described, reply: reason, acknowledged: false },
      };
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The body, or undefined past the cap (a cut body would only fail the receiver's verification). */
async function readCapped(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The reply's text up to `limit` bytes; past it the stream is cancelled (the socket closes) and the text ends
 * with a marker saying where it was cut.
 */
export async function readReplyCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - size;
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room));
        await reader.cancel();
        return `${Buffer.concat(chunks).toString('utf8')}…[reply cut at ${limit} bytes]`;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Names a notice from its plain parts (the APIv3 envelope, the APIv2 fields): no keys needed. */
export function describeNotice(text: string): Pick<Delivery, 'protocol' | 'event' | 'id'> {
  if (text.trimStart().startsWith('<')) {
    const field = (name: string) =>
      new RegExp(`<${name}>(?:<!\\[CDATA\\[)?(.*?)(?:\\]\\]>)?</${name}>`, 's').exec(text)?.[1];
    const plate = field('vehicle_event_type') !== undefined ? field('plate_number') : undefined;
    const trade = field('out_trade_no');
    // A 退款结果通知 names its refund only inside the encrypted req_info.
    const refund = trade === undefined && field('req_info') !== undefined;
    const event =
      plate !== undefined
        ? `v2.plate-state`
        : trade !== undefined
          ? 'v2.pay-result'
          : refund
            ? 'v2.refund'
            : 'v2.notice';
    const id = plate ?? trade;
    return { protocol: 'v2', event, ...(id ? { id } : {}) };
  }
  try {
    const envelope = JSON.parse(text) as { event_type?: unknown; id?: unknown };
    return {
      protocol: 'v3',
      event: typeof envelope.event_type === 'string' ? envelope.event_type : 'unknown',
      ...(typeof envelope.id === 'string' ? { id: envelope.id } : {}),
    };
  } catch {
    return { protocol: 'v3', event: 'unknown' };
  }
}

function acknowledged(protocol: 'v2' | 'v3', status: number, reply: string): boolean {
  if (protocol === 'v3') return status === 200 || status === 204;
  return status === 200 && /<return_code>(?:<!\[CDATA\[)?SUCCESS/.test(reply);
}
