import type { ApiV3Key } from '@wxpark/signer';
import { ValidationError, type ValidationIssue } from './errors.ts';
import type { V3NoticeKeys } from './notices/v3.ts';
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import type { PlatformKeyProvider } from './platform-keys.ts';
import type {
  AnyRoute,
  HttpMethod,
  RouteMap,
  RoutePackage,
  RouteRequest,
  RouteResponse,
  V3Runtime,
  V3Support,
  XmlCodec,
} from './route.ts';
import { runSchema } from './schema.ts';
import { type RawAnswer, Transport } from './transport.ts';
import { type V2Fields, V2Protocol } from './v2.ts';

/** Per-call settings. */
export interface CallConfig {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Milliseconds for this call's attempts, instead of the client's `timeout`. */
  timeout?: number;
}

/** A verified answer. */
export interface WxparkResponse<T> {
  /** HTTP status (200, or 204 for APIv3 calls that answer no body). */
  readonly status: number;
  readonly headers: Headers;
  /** The answer's data, verified before it was returned. */
  readonly data: T;
  /** The `Request-ID` header, when WeChat Pay sent one. */
  readonly requestId?: string;
}

/** Calls one route. */
export type RouteCall<D> = (
  data: RouteRequest<D>,
  config?: CallConfig,
) => Promise<WxparkResponse<RouteResponse<D>>>;

/** One route in every call style: callable shorthand, plus its HTTP method (`.post(data)`). */
export type Endpoint<D> = RouteCall<D> & {
  readonly [M in D extends { method: infer Method extends HttpMethod }
    ? Lowercase<Method>
    : never]: RouteCall<D>;
};

type Split<S extends string> = S extends `${infer Head}/${infer Tail}` ? [Head, ...Split<Tail>] : [S];
type Nest<Segments extends string[], Leaf> = Segments extends [
  infer Head extends string,
  ...infer Tail extends string[],
]
  ? { readonly [K in Head]: Tail extends [] ? Leaf : Nest<Tail, Leaf> }
  : never;
type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (
  value: infer I,
) => void
  ? I
  : never;

/** `client.v2.vehicle.pay.notification`: routes as nested properties. */
export type RouteTree<R extends RouteMap> = UnionToIntersection<
  { [K in keyof R & string]: Nest<Split<K>, Endpoint<R[K]>> }[keyof R & string]
>;

/** The routes of every composed package. */
export type RoutesOf<P extends readonly RoutePackage[]> =
  UnionToIntersection<P[number]['routes']> extends infer R extends RouteMap ? R : never;

/** A client over the composed packages' routes, in all three call styles. */
export type Client<R extends RouteMap> = RouteTree<R> & {
  /** `client['v2/vehicle/pay/notification'].post(data)` */
  readonly [K in keyof R]: Endpoint<R[K]>;
} & {
  /** `client.chain('v2/vehicle/pay/notification').post(data)` */
  chain<K extends keyof R & string>(key: K): Endpoint<R[K]>;
  /** The route keys this client knows. */
  readonly routes: readonly (keyof R & string)[];
};

/**
 * Creates a client over the route packages given. Only their routes exist on it, in every call style:
 *
 * ```ts
 * const client = createClient({ v2: { apiKey } }, [vehicleV2]);
 * await client.v2.vehicle.pay.notification.post(data);
 * await client.chain('v2/vehicle/pay/notification').post(data);
 * await client['v2/vehicle/pay/notification'].post(data);
 * await client.v2.vehicle.pay.notification(data);
 * ```
 *
 * Options are checked here (a `ValidationError` with code `INVALID_OPTIONS`), keys are parsed once, and call
 * data is checked before any network I/O.
 */
export function createClient<const P extends readonly RoutePackage[]>(
  options: ClientOptions,
  packages: P,
): Client<RoutesOf<P>> {
  const routes = new Map<string, AnyRoute>();
  let xmlCodec: XmlCodec | undefined;
  let v3Support: V3Support | undefined;
  for (const pkg of packages) {
    for (const [key, route] of Object.entries(pkg.routes)) {
      if (routes.has(key)) {
        throw new ValidationError({
          code: 'INVALID_OPTIONS',
          context: 'createClient',
          issues: [
            {
              path: `packages[${pkg.name}].${key}`,
              expected: 'a route defined by one package only',
              received: 'a second definition',
            },
          ],
        });
      }
      routes.set(key, route);
    }
    xmlCodec ??= pkg.xmlCodec;
    v3Support ??= pkg.v3;
  }
  const needsV2 = [...routes.values()].some((route) => route.protocol === 'v2');
  const needsV3 = [...routes.values()].some((route) => route.protocol === 'v3');
  if (needsV3 && !v3Support) {
    throw new ValidationError({
      code: 'INVALID_OPTIONS',
      context: 'createClient',
      issues: [
        {
          path: 'packages',
          expected:
            'a package with APIv3 routes to bring the APIv3 support (definePackage({ …, v3: apiV3 }))',
          received: 'APIv3 routes without it',
        },
      ],
    });
  }
  const resolved = resolveOptions(options, { v2: needsV2, v3: needsV3 });
  const runtime = new ClientRuntime(resolved, xmlCodec, v3Support);
  const client = buildClient(routes, runtime);
  Object.defineProperty(client, runtimeKey, { value: runtime });
  return client as Client<RoutesOf<P>>;
}

const runtimeKey = Symbol.for('wxpark.client');

/**
 * The callback keys of a client: its WeChat Pay key provider, APIv3 key and window, so a callback handler
 * trusts exactly what the client trusts. Throws when the client has no APIv3 credentials or no APIv3 key.
 */
export function noticeKeysOf(client: object): V3NoticeKeys {
  const runtime = (client as Record<symbol, ClientRuntime | undefined>)[runtimeKey];
  const keys = runtime?.platformKeys;
  const apiV3Key = runtime?.apiV3Key;
  if (!runtime || !keys || !apiV3Key) {
    throw new ValidationError({
      code: 'INVALID_OPTIONS',
      issues: [
        {
          path: 'options.v3.apiV3Key',
          expected: 'APIv3 credentials with the APIv3 key, to verify and decrypt callbacks',
          received: 'nothing',
        },
      ],
    });
  }
  return { verifier: keys, apiV3Key, windowSeconds: runtime.windowSeconds };
}

/** Checks what the route schemas cannot see: path parameters that would change the path. */
function checkWire(route: AnyRoute, wire: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const name of route.v3?.pathParams ?? []) {
    const value = wire[name];
    if (value === '' || value === '.' || value === '..')
      issues.push({
        path: name,
        expected: 'a path segment (not empty, . or ..)',
        received: JSON.stringify(value),
      });
  }
  return issues;
}

function missingCredentials(key: string, expected: string): ValidationError {
  return new ValidationError({
    code: 'INVALID_OPTIONS',
    context: key,
    issues: [{ path: 'options', expected, received: 'not configured' }],
  });
}

class ClientRuntime {
  readonly #options: ResolvedOptions;
  readonly #transport: Transport;
  readonly #v2?: V2Protocol;
  readonly #v3?: V3Runtime;

  constructor(options: ResolvedOptions, xmlCodec: XmlCodec | undefined, v3Support: V3Support | undefined) {
    this.#options = options;
    this.#transport = new Transport({
      baseUrl: options.baseUrl,
      backupBaseUrls: options.backupBaseUrls,
      timeout: options.timeout,
      maxResponseBytes: options.maxResponseBytes,
      retry: options.retry,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    if (options.v2ApiKey && xmlCodec) this.#v2 = new V2Protocol(options.v2ApiKey, xmlCodec);
    if (options.v3 && options.mchId && v3Support) {
      this.#v3 = v3Support.create({
        mchId: options.mchId,
        v3: options.v3,
        transport: this.#transport,
        userAgent: options.userAgent,
      });
    }
  }

  /** WeChat Pay's keys as this client holds them (shared with callback handlers). */
  get platformKeys(): PlatformKeyProvider | undefined {
    return this.#v3?.keys;
  }

  get apiV3Key(): ApiV3Key | undefined {
    return this.#options.v3?.apiV3Key;
  }

  /** The APIv3 window, for callback handlers built from this client. */
  get windowSeconds(): number {
    return this.#options.v3?.windowSeconds ?? 300;
  }

  async call(
    key: string,
    route: AnyRoute,
    data: unknown,
    config: CallConfig = {},
  ): Promise<WxparkResponse<unknown>> {
    const checked = runSchema(route.request, data);
    if (!checked.ok) throw new ValidationError({ context: `${route.method} ${key}`, issues: checked.issues });
    const wireIssues = checkWire(route, checked.value as Record<string, unknown>);
    if (wireIssues.length > 0)
      throw new ValidationError({ context: `${route.method} ${key}`, issues: wireIssues });
    let answer: RawAnswer;
    let result: unknown;
    if (route.protocol === 'v2') {
      const v2 = this.#v2;
      if (!v2)
        throw missingCredentials(
          key,
          'options.v2.apiKey (the APIv2 API key) and a package with the XML codec',
        );
      const fields = checked.value as V2Fields;
      answer = await this.#transport.send(
        route.method,
        async () => v2.prepare(route, fields, this.#options.userAgent),
        config,
      );
      result = v2.read(route, fields, answer);
    } else {
      const v3 = this.#v3;
      if (!v3)
        throw missingCredentials(key, 'options.mchId and options.v3 (serialNo, privateKey, platform keys)');
      ({ answer, data: result } = await v3.call(route, checked.value as Record<string, unknown>, config));
    }
    const requestId = answer.headers.get('request-id') ?? undefined;
    return {
      status: answer.status,
      headers: answer.headers,
      data: result,
      ...(requestId ? { requestId } : {}),
    };
  }
}

function buildClient(routes: Map<string, AnyRoute>, runtime: ClientRuntime): Record<string, unknown> {
  const client: Record<string, unknown> = Object.create(null);
  const endpoints = new Map<string, Record<string, unknown>>();
  for (const [key, route] of routes) {
    const call = (data: unknown, config?: CallConfig) => runtime.call(key, route, data, config);
    const endpoint = Object.assign(call, { [route.method.toLowerCase()]: call }) as unknown as Record<
      string,
      unknown
    >;
    Object.defineProperty(endpoint, 'name', { value: key });
    endpoints.set(key, endpoint);
    client[key] = endpoint;
  }
  // Nested properties. Sorting puts `…/application` before `…/application/query`, so a node that is also a
  // route is its endpoint function, and its children hang off that function.
  for (const key of [...routes.keys()].sort()) {
    const segments = key.split('/');
    let node = client;
    segments.forEach((segment, index) => {
      const prefix = segments.slice(0, index + 1).join('/');
      node[segment] ??= endpoints.get(prefix) ?? {};
      node = node[segment] as Record<string, unknown>;
    });
  }
  const keys = Object.freeze([...routes.keys()]);
  client.routes = keys;
  client.chain = (key: string) => {
    const endpoint = endpoints.get(typeof key === 'string' ? key.replace(/^\/+/, '') : '');
    if (!endpoint) {
      throw new ValidationError({
        code: 'UNKNOWN_ROUTE',
        issues: [
          {
            path: 'chain(key)',
            expected: `a route of a composed package (${keys.join(', ')})`,
            received: JSON.stringify(String(key)),
          },
        ],
        hint: 'compose the package that defines it: createClient(options, [vehicleV2, parkingV3, businesscircle])',
      });
    }
    return endpoint;
  };
  return client;
}
