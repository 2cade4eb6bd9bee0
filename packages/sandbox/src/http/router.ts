import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from './reply.ts';

/** What a route handler sees of a request. */
export interface RouteRequest {
  method: string;
  /** Path and query exactly as received (APIv3 signatures cover these bytes). */
  target: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The body bytes, at most the server's cap. */
  body: Buffer;
  /** True when the body was longer than the cap and `body` holds only its start. */
  bodyTruncated: boolean;
  /** Values of `{name}` segments in the route's path. */
  params: Record<string, string>;
  /**
   * The client certificate of an HTTPS request: absent over plain HTTP or when none was sent; `authorized`
   * when it chains to the sandbox's CA.
   */
  clientCertificate?: { authorized: boolean; commonName?: string };
}

export type RouteHandler = (request: RouteRequest) => Reply | Promise<Reply>;

/** `api` routes impersonate WeChat Pay: they are recorded and hostile modes apply; `admin` routes are neither. */
export type RouteKind = 'api' | 'admin';

interface Route {
  method: string;
  segments: string[];
  kind: RouteKind;
  handler: RouteHandler;
}

export type RouteMatch =
  | { found: true; kind: RouteKind; handler: RouteHandler; params: Record<string, string> }
  | { found: false; allowed: string[] };

/** A method+path table. Paths are exact, except `{name}` segments, which match one segment each. */
export interface Router {
  add(method: string, path: string, kind: RouteKind, handler: RouteHandler): void;
  match(method: string, pathname: string): RouteMatch;
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const value = actual[i]!;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (value === '') return undefined;
      params[part.slice(1, -1)] = decodeURIComponent(value);
    } else if (part !== value) {
      return undefined;
    }
  }
  return params;
}

export function createRouter(): Router {
  const routes: Route[] = [];
  return {
    add(method, path, kind, handler) {
      routes.push({ method: method.toUpperCase(), segments: path.split('/'), kind, handler });
    },
    match(method, pathname) {
      const actual = pathname.split('/');
      const allowed: string[] = [];
      for (const route of routes) {
        const params = matchSegments(route.segments, actual);
        if (params === undefined) continue;
        if (route.method === method) return { found: true, kind: route.kind, handler: route.handler, params };
        allowed.push(route.method);
      }
      return { found: false, allowed };
    },
  };
}
