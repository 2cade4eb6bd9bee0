import { type ApiV3Key, describeValue } from '@wxpark/signer';
import { ValidationError, type ValidationIssue } from './errors.ts';
import { withKnownError } from './known-errors.ts';
import type { V3NoticeKeys } from './notices/v3.ts';
import { type ClientOptions, missingCredentials, type ResolvedOptions, resolveOptions } from './options.ts';
import type { PlatformKeyProvider } from './platform-keys.ts';
import type {
  AnyRoute,
  HttpMethod,
  Protocol,
  ProtocolPlug,
  RouteMap,
  RoutePackage,
  RouteRequest,
  RouteResponse,
} from './route.ts';
import { checkAnswer } from './route.ts';
import { runSchema } from './schema.ts';
import { Transport } from './transport.ts';

/** Per-call settings. */
export interface CallConfig {
  /** Cancels the call. */
  signal?: AbortSignal;
  /**
   * Milliseconds each attempt of this call may take, response body included, instead of the client's
   * `timeout`.
   */
  timeout?: number;
}

/** A verified response. */
export interface WxparkResponse<T> {
  /** HTTP status (200, or 204 for APIv3 calls that return no body). */
  readonly status: number;
  readonly headers: Headers;
  /** The response's data, verified before it was returned. */
  readonly data: T;
  /** The `Request-ID` header, when WeChat Pay sent one. */
  readonly requestId?: string;
}

type IdentityField = 'mch_id' | 'appid';
/** APIv2 data (the kind with `mch_id`) may leave `mch_id` and `appid` to the client's `mchId` and `appId`. */
type FilledByClient<T> = T extends { mch_id: unknown }
  ? Omit<T, IdentityField> & Partial<Pick<T, Extract<keyof T, IdentityField>>>
  : T;

/** The data a route's call takes: its request, with the fields the client fills made optional. */
export type CallData<D> = FilledByClient<RouteRequest<D>>;

/** Calls one route. */
export type RouteCall<D> = (
  data: CallData<D>,
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
 * Creates a client over the route packages given. Only their routes exist on it, in every call style.
 * Options are checked here (a `ValidationError` with code `INVALID_OPTIONS`), keys are parsed once, and call
 * data is checked before any network I/O.
 *
 * @example
 * ```ts
 * import { createClient } from '@wxpark/core';
 * import { vehicleV2 } from '@wxpark/vehicle-v2';
 *
 * const client = createClient({ mchId: '1900000100', appId: 'wx8888888888888888', v2: { apiKey } }, [vehicleV2]);
 * const data = { trade_scene: 'PARKING', scene_info: { start_time, plate_number, parking_name, free_time } };
 * await client.v2.vehicle.pay.notification.post(data); // mch_id and appid come from the options
 * await client.chain('v2/vehicle/pay/notification').post(data);
 * await client['v2/vehicle/pay/notification'].post(data);
 * await client.v2.vehicle.pay.notification(data);
 * ```
 */
export function createClient<const P extends readonly RoutePackage[]>(
  options: ClientOptions,
  packages: P,
): Client<RoutesOf<P>> {
  const routes = new Map<string, AnyRoute>();
  const plugs: { v2?: ProtocolPlug; v3?: ProtocolPlug } = {};
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
    plugs.v2 ??= pkg.v2;
    plugs.v3 ??= pkg.v3;
  }
  const needs = {
    v2: [...routes.values()].some((route) => route.protocol === 'v2'),
    v3: [...routes.values()].some((route) => route.protocol === 'v3'),
  };
  for (const [protocol, plugName] of [
    ['v2', 'apiV2(codec)'],
    ['v3', 'apiV3'],
  ] as const) {
    if (!needs[protocol] || plugs[protocol]) continue;
    throw new ValidationError({
      code: 'INVALID_OPTIONS',
      context: 'createClient',
      issues: [
        {
          path: 'packages',
          expected: `a package with API${protocol} routes to bring the API${protocol} support (definePackage({ …, ${protocol}: ${plugName} }))`,
          received: `API${protocol} routes without it`,
        },
      ],
    });
  }
  const resolved = resolveOptions(options, [
    needs.v2 ? plugs.v2 : undefined,
    needs.v3 ? plugs.v3 : undefined,
  ]);
  const runtime = new ClientRuntime(resolved, plugs, needs);
  const client = buildClient(routes, runtime);
  Object.defineProperty(client, runtimeKey, { value: runtime });
  return client as Client<RoutesOf<P>>;
}

const runtimeKey = Symbol.for('wxpark.client');

/**
 * Gets the notice (callback) keys of a client: its WeChat Pay key provider, APIv3 key and window, so a
 * notice handler trusts exactly what the client trusts. Throws when the client has no APIv3 credentials or
 * no APIv3 key.
 *
 * @example
 * ```ts
 * const handler = createParkingNoticeHandler({ ...getNoticeKeys(client), onNotice });
 * ```
 */
export function getNoticeKeys(client: object): V3NoticeKeys {
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

class ClientRuntime {
  readonly #options: ResolvedOptions;
  readonly #protocols: { v2?: Protocol; v3?: Protocol } = {};

  constructor(
    options: ResolvedOptions,
    plugs: { v2?: ProtocolPlug; v3?: ProtocolPlug },
    needs: { v2: boolean; v3: boolean },
  ) {
    this.#options = options;
    const transport = new Transport({
      baseUrl: options.baseUrl,
      backupBaseUrls: options.backupBaseUrls,
      timeout: options.timeout,
      maxResponseBytes: options.maxResponseBytes,
      retry: options.retry,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.clientCertificate ? { certificateFetch: options.clientCertificate.fetch } : {}),
    });
    for (const protocol of ['v2', 'v3'] as const) {
      const plug = plugs[protocol];
      if (plug && needs[protocol]) this.#protocols[protocol] = plug.create({ options, transport });
    }
  }

  /**
   * Fills `mch_id` and `appid` from the client options when the data leaves them out; a different value in
   * the data is refused, since signing one merchant's call with another's key fails only at WeChat Pay.
   */
  #fillV2Identity(key: string, route: AnyRoute, data: unknown): unknown {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
    const given = data as Record<string, unknown>;
    const filled: Record<string, unknown> = { ...given };
    const issues: ValidationIssue[] = [];
    for (const [field, option] of v2Identity) {
      const configured = this.#options[option];
      if (configured === undefined) continue;
      if (given[field] === undefined) filled[field] = configured;
      else if (given[field] !== configured)
        issues.push({
          path: field,
          expected: `the client's ${option} (${configured}), or left out to use it`,
          received: describeValue(given[field]),
        });
    }
    if (issues.length > 0) throw new ValidationError({ context: `${route.method} ${key}`, issues });
    return filled;
  }

  /** WeChat Pay's keys as this client holds them (shared with callback handlers). */
  get platformKeys(): PlatformKeyProvider | undefined {
    return this.#protocols.v3?.keys;
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
    const timeout = config.timeout;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0 && timeout <= 2_147_483_647)) {
      throw new ValidationError({
        context: `${route.method} ${key}`,
        issues: [
          {
            path: 'config.timeout',
            expected: 'a positive integer of milliseconds',
            received: describeValue(timeout),
          },
        ],
      });
    }
    if (route.protocol === 'v2') data = this.#fillV2Identity(key, route, data);
    const checked = runSchema(route.request, data);
    if (!checked.ok) throw new ValidationError({ context: `${route.method} ${key}`, issues: checked.issues });
    const wireIssues = checkWire(route, checked.value as Record<string, unknown>);
    if (wireIssues.length > 0)
      throw new ValidationError({ context: `${route.method} ${key}`, issues: wireIssues });
    const protocol = this.#protocols[route.protocol];
    if (!protocol) throw missingCredentials(`the API${route.protocol} credentials for ${key}`);
    const { response, data: result } = await protocol
      .call(route, checked.value as Record<string, unknown>, config)
      .catch((error: unknown) => {
        throw withKnownError(route, error);
      });
    const requestId = response.headers.get('request-id') ?? undefined;
    return {
      status: response.status,
      headers: response.headers,
      data: checkAnswer(route, result, response),
      ...(requestId ? { requestId } : {}),
    };
  }
}

/** The APIv2 fields a client option fills in, with the option's name. */
const v2Identity = [
  ['mch_id', 'mchId'],
  ['appid', 'appId'],
] as const;

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
            // A route-shaped key is shown (it is a typo to spot); anything else may be a pasted secret.
            received:
              typeof key === 'string' && /^\/*v[23](\/[A-Za-z0-9_-]{1,64}){1,8}$/.test(key)
                ? JSON.stringify(key)
                : describeValue(key),
          },
        ],
        hint: 'compose the package that defines it: createClient(options, [vehicleV2, parkingV3, businesscircle])',
      });
    }
    return endpoint;
  };
  return client;
}
