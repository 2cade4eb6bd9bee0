import { type ListeningServer, listen } from './listen.ts';

/** A loopback server started by {@link listenFlood}. */
export interface FloodServer extends ListeningServer {
  /** How many reply bytes the server has handed to its sockets so far, over all its requests. */
  readonly written: number;
}

/** What {@link listenFlood} answers. */
export interface FloodOptions {
  /**
   * How many bytes each reply has before it ends.
   * @default Infinity (the reply never ends)
   */
  total?: number;
  /**
   * Send `content-length: total`, so that a reader can refuse the reply before reading it.
   * @default false
   */
  declareLength?: boolean;
}

/**
 * Starts a server like {@link listen} (a free loopback port, stopped the same way) whose every reply is a
 * flood: status 200, then 64 KiB chunks, waiting for `drain` so that no more than the socket buffers hold is
 * written ahead of the reader, until `total` bytes or until the reader closes the connection. For proving
 * that a reader stops at its cap and cancels the stream: `written` stays small when it does, and reaches
 * `total` (or grows without bound) when it does not.
 *
 * @example
 * ```ts
 * const receiver = await listenFlood();
 * await sandbox.sendV3Notice({ url: receiver.url, event_type: 'X.Y', resource: {} });
 * expect(receiver.written).toBeLessThan(32 * 1024 * 1024);
 * ```
 */
export async function listenFlood({
  total = Infinity,
  declareLength = false,
}: FloodOptions = {}): Promise<FloodServer> {
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const { url, server } = await listen((_request, response) => {
    response.writeHead(200, {
      'content-type': 'text/plain',
      ...(declareLength ? { 'content-length': String(total) } : {}),
    });
    let sent = 0;
    const pump = () => {
      while (sent < total && !response.destroyed) {
        const piece = total - sent < chunk.length ? chunk.subarray(0, total - sent) : chunk;
        sent += piece.length;
        written += piece.length;
        if (!response.write(piece)) return void response.once('drain', pump);
      }
      if (!response.destroyed) response.end();
    };
    pump();
  });
  return {
    url,
    server,
    get written() {
      return written;
    },
  };
}
