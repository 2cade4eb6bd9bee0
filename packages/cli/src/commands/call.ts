import { createClient, type RouteCall } from '@wxpark/core';
import { clientOptionsFor } from '../client-options.ts';
import type { CommandContext } from '../context.ts';
import { usageError } from '../errors.ts';
import { readData } from '../input.ts';
import { findRoute, routePackages } from '../routes.ts';

/** Options of `wxpark call`. */
export interface CallOptions {
  data?: string;
  dryRun?: boolean;
  list?: boolean;
}

/** A request as it would have been sent. */
interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** `wxpark call <route>`: one verified call, or (`--dry-run`) the signed request without sending it. */
export async function callCommand(
  ctx: CommandContext,
  routeName: string | undefined,
  input: string | undefined,
  options: CallOptions,
): Promise<number> {
  const { out } = ctx;
  if (options.list) return listRoutes(ctx);
  if (routeName === undefined)
    throw usageError('MISSING_ROUTE', 'call: missing <route> (list them with `wxpark call --list`)');
  if (input !== undefined && input !== '-')
    throw usageError(
      'UNEXPECTED_ARGUMENT',
      `call: unexpected argument ${JSON.stringify(input)} (only - for stdin)`,
    );
  if (input === '-' && options.data !== undefined)
    throw usageError('CONFLICTING_INPUT', 'call: give --data or -, not both');
  const found = findRoute(routeName);
  const data = await readData(input ?? options.data, ctx.io);
  const settings = ctx.settings();
  if (found.route.protocol === 'v2') {
    // APIv2 bodies carry the merchant's ids: fill them from the settings when the data leaves them out.
    if (data.mch_id === undefined && settings.values.mchId) data.mch_id = settings.values.mchId;
    if (data.appid === undefined && settings.values.appid) data.appid = settings.values.appid;
  }
  const clientOptions = clientOptionsFor(found.route.protocol, settings, { dryRun: options.dryRun });
  let captured: CapturedRequest | undefined;
  const controller = new AbortController();
  if (options.dryRun) {
    clientOptions.fetch = async (request: Request | URL | string, init?: RequestInit) => {
      const sent = request instanceof Request ? request : new Request(request, init);
      captured ??= {
        method: sent.method,
        url: sent.url,
        headers: Object.fromEntries(sent.headers),
        body: await sent.text(),
      };
      controller.abort();
      throw new DOMException('dry run: not sent', 'AbortError');
    };
  }
  const client = createClient(clientOptions, [found.pkg]);
  const endpoint = (client as unknown as Record<string, RouteCall<unknown>>)[found.key]!;
  try {
    const answer = await out.wait(`${found.route.method} ${found.route.path}`, () =>
      endpoint(data as never, { signal: controller.signal }),
    );
    if (out.json) {
      out.document({
        ok: true,
        route: found.key,
        status: answer.status,
        ...(answer.requestId ? { requestId: answer.requestId } : {}),
        data: answer.data,
      });
    } else {
      if (answer.data !== undefined && answer.data !== null && answer.status !== 204)
        out.line(JSON.stringify(answer.data, null, 2));
      out.note(
        out.style('green', `✔ ${answer.status} ${found.route.method} ${found.route.path} (verified)`, true) +
          (answer.requestId ? ` · Request-ID ${answer.requestId}` : ''),
      );
    }
    return 0;
  } catch (error) {
    if (!captured) throw error;
  }
  const shown = maskRequest(captured);
  if (out.json) {
    out.document({ ok: true, dryRun: true, route: found.key, request: shown });
  } else {
    out.line(`${shown.method} ${shown.url}`);
    for (const [name, value] of Object.entries(shown.headers)) out.line(`${name}: ${value}`);
    out.line();
    if (shown.body) out.line(shown.body);
    out.note(out.style('yellow', 'dry run: nothing was sent (signatures masked)', true));
  }
  return 0;
}

/** Hides what could replay the request: the APIv3 signature and the APIv2 sign. Keys are never in it. */
export function maskRequest(request: CapturedRequest): CapturedRequest {
  const mask = (value: string) => `${value.slice(0, 6)}…(masked)`;
  const headers = { ...request.headers };
  if (headers.authorization)
    headers.authorization = headers.authorization.replace(
      /signature="([^"]*)"/,
      (_, value: string) => `signature="${mask(value)}"`,
    );
  const body = request.body.replace(
    /<sign>(?:<!\[CDATA\[)?([0-9A-Fa-f]+)(?:\]\]>)?<\/sign>/,
    (_, value: string) => `<sign><![CDATA[${mask(value)}]]></sign>`,
  );
  return { ...request, headers, body };
}

function listRoutes(ctx: CommandContext): number {
  const rows = routePackages.flatMap((pkg) =>
    Object.entries(pkg.routes).map(([key, route]) => ({
      route: key,
      method: route.method,
      path: route.path,
      title: route.title,
      package: pkg.name,
    })),
  );
  if (ctx.out.json) ctx.out.document(rows);
  else {
    const width = Math.max(...rows.map((row) => row.route.length));
    for (const row of rows) ctx.out.line(`${row.route.padEnd(width)}  ${row.method.padEnd(4)} ${row.title}`);
  }
  return 0;
}
