import { ApiError, type ValidationIssue } from './errors.ts';
import type { ClientOptions, ProtocolOptions, ResolvedOptions } from './options.ts';
import type { PlatformKeyProvider } from './platform-keys.ts';
import { runSchema, type Schema, type StandardSchema, toStandardSchema } from './schema.ts';
import type { RawResponse, SendOptions, Transport } from './transport.ts';

/** HTTP methods WeChat Pay uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How the APIv2 protocol treats a route. */
export interface V2RouteRules {
  /**
   * WeChat documents this route's success responses as carrying no `sign`. When false (the default) an
   * unsigned success response is a `SignatureError`.
   * @default false
   */
  readonly unsignedResponse?: boolean;
  /**
   * WeChat Pay serves this route over mutual TLS (`/secapi/…`): the call carries the client's
   * `clientCertificate`, and fails before any I/O when the client has none.
   * @default false
   */
  readonly clientCertificate?: boolean;
}

/** How the APIv3 protocol treats a route. */
export interface V3RouteRules {
  /** Fields that fill `{name}` placeholders in the path (URL-encoded). */
  readonly pathParams?: readonly string[];
  /** Fields sent in the query of a POST (a GET sends all its non-path fields in the query). */
  readonly query?: readonly string[];
  /** Top-level string fields encrypted with WeChat Pay's public key (RSA-OAEP) before sending. */
  readonly sensitive?: readonly string[];
}

/** A route's request rules, usable on their own as a Standard Schema v1 validator (`~standard`). */
export type RequestSchema<Req> = Schema<Req, unknown> & StandardSchema<Req>;

/** A WeChat Pay error code a route's documents list, with what to do about it. */
export interface KnownError {
  /** Sending the same call again, unchanged, may succeed (a system error, a rate limit). */
  readonly retryable: boolean;
  /** What to do, in words an operator can act on; becomes the `hint` of the `ApiError`. */
  readonly hint: string;
}

/** A route as a route package writes it, before {@link defineRoute} adds the Standard Schema face. */
export interface RouteInit<
  Req = unknown,
  Res = unknown,
  M extends HttpMethod = HttpMethod,
  E extends string = string,
> {
  /** `v2` (XML, HMAC/MD5 `sign`) or `v3` (JSON, RSA `Authorization`). */
  readonly protocol: 'v2' | 'v3';
  readonly method: M;
  /** The path on the WeChat Pay host, e.g. `/vehicle/pay/notification`. */
  readonly path: string;
  /** The official title, e.g. 用户入场通知. */
  readonly title: string;
  /** The official documentation page. */
  readonly docs?: string;
  /** Checks call data before any I/O and turns it into the wire fields. */
  readonly request: Schema<Req, unknown>;
  /**
   * Checks a verified answer before it is returned: required fields present and of their type, enums open,
   * unknown fields kept. Failing it is an `ApiError` with code `UNEXPECTED_RESPONSE`.
   */
  readonly response: Schema<unknown, Res>;
  readonly v2?: V2RouteRules;
  readonly v3?: V3RouteRules;
  /**
   * The error codes the route's documents list. A failure with one of them gets its `hint`, and is
   * `isRetryable` when the entry says so and the answer's signature verified; `routeError(route, e)` reads
   * the code as this union. Codes WeChat adds later stay plain strings.
   */
  readonly errors?: Readonly<Record<E, KnownError>>;
}

/**
 * One WeChat Pay API: where it lives, how it is called, what it accepts and what it answers.
 * Route packages (`@wxpark/vehicle-v2`, …) export these; `createClient` turns them into calls.
 */
export interface RouteDefinition<
  Req = unknown,
  Res = unknown,
  M extends HttpMethod = HttpMethod,
  E extends string = string,
> extends RouteInit<Req, Res, M, E> {
  /**
   * The request rules; also a Standard Schema v1 validator (`vendor: 'wxpark'`), so an application can
   * check its own input with the rules the SDK applies before sending:
   * `sValidator('json', vehicleV2.routes['v2/vehicle/pay/notification'].request)`.
   */
  readonly request: RequestSchema<Req>;
}

/** Any route, for constraints. */
export type AnyRoute = RouteDefinition<unknown, unknown, HttpMethod>;

/** Route keys (`v2/vehicle/pay/notification`) to routes. */
export type RouteMap = Readonly<Record<string, AnyRoute>>;

/** Turns wire fields into an XML body and back (`@wxpark/xml` provides one). */
export interface XmlCodec {
  build(record: Readonly<Record<string, string>>): string;
  parse(body: string): Record<string, string>;
}

/** What a protocol's call gives back: the response as received, and its verified data. */
export interface ProtocolResult {
  readonly response: RawResponse;
  readonly data: unknown;
}

/**
 * One protocol's half of a client (`V2Protocol`, `V3Protocol`): signs, sends and verifies a call of its
 * routes. `createClient` runs every call through the same path, whichever protocol it uses.
 */
export interface Protocol {
  call(route: AnyRoute, wire: Record<string, unknown>, config: SendOptions): Promise<ProtocolResult>;
  /** WeChat Pay's keys, for a protocol that verifies with them (APIv3), shared with notice handlers. */
  readonly keys?: PlatformKeyProvider;
}

/** What a protocol is created with: the client's checked options and its transport. */
export interface ProtocolContext {
  readonly options: ResolvedOptions;
  readonly transport: Transport;
}

/**
 * A protocol as a route package brings it to `createClient` (`apiV2(codec)`, `apiV3`): kept out of
 * `createClient` itself so a bundle carries only the protocols its routes use.
 */
export interface ProtocolPlug {
  /**
   * Checks the client options this protocol uses (keys parsed once), adding what is wrong to `issues`;
   * `createClient` runs it for each protocol its packages need, before any protocol is created.
   */
  resolveOptions?(options: ClientOptions, issues: ValidationIssue[]): ProtocolOptions;
  create(context: ProtocolContext): Protocol;
}

/** What a route package exports for `createClient`. */
export interface RoutePackage<R extends RouteMap = RouteMap> {
  /** The npm name, for error messages. */
  readonly name: string;
  readonly routes: R;
  /** Required by packages with APIv2 routes: `apiV2(codec)`, which keeps the XML parser out of APIv3-only installs. */
  readonly v2?: ProtocolPlug;
  /** Required by packages with APIv3 routes: `apiV3`, which keeps the APIv3 machinery out of APIv2-only bundles. */
  readonly v3?: ProtocolPlug;
}

/**
 * Declares a route. Its request type is the one its request schema accepts, and route packages build that
 * schema from a named, exported interface with `objectOf<Request>()` (or `discriminatedOf<Request>()`), so
 * the interface, with its field docs, is what users read, and the compiler checks the rules against it.
 * Its answer type is the one its answer schema produces, built from the answer interface with
 * `answerOf<Response>()`. The request schema gains a Standard Schema v1 face (`~standard`).
 *
 * @example
 * ```ts
 * export const parkingEntry = defineRoute({
 *   protocol: 'v3',
 *   method: 'POST',
 *   path: '/v3/parking/reminders/entry',
 *   title: '同步车辆入场通知',
 *   request: objectOf<ParkingEntryRequest>()({ … }),
 *   response: answerOf<ParkingEntryResponse>()({ serial_number: text() }),
 * });
 * ```
 */
export function defineRoute<Req, Res, M extends HttpMethod, const E extends string = never>(
  route: RouteInit<Req, Res, M, E>,
): RouteDefinition<Req, Res, M, E> {
  return { ...route, request: { ...route.request, ...toStandardSchema(route.request) } };
}

/** Declares a route package. */
export function definePackage<const R extends RouteMap>(pkg: RoutePackage<R>): RoutePackage<R> {
  return pkg;
}

/** The request type of a route. */
export type RouteRequest<D> = D extends RouteDefinition<infer Req, unknown, HttpMethod> ? Req : never;
/** The response data type of a route. */
export type RouteResponse<D> = D extends RouteDefinition<unknown, infer Res, HttpMethod> ? Res : never;

/**
 * Checks a verified answer against its route's answer schema. A signed answer that does not match is an
 * `ApiError` with code `UNEXPECTED_RESPONSE`: the call reached WeChat Pay and was processed there, so it is
 * not retryable, and whatever it did (an entry registered, a deduction accepted) must be confirmed by a
 * query before the call is sent again.
 */
export function checkAnswer(
  route: AnyRoute,
  data: unknown,
  answer: Pick<RawResponse, 'status' | 'headers'>,
): unknown {
  const checked = runSchema(route.response, data);
  if (checked.ok) return checked.value;
  const requestId = answer.headers.get('request-id') ?? undefined;
  const [first] = checked.issues as [ValidationIssue, ...ValidationIssue[]];
  const more = checked.issues.length > 1 ? ` (and ${checked.issues.length - 1} more)` : '';
  throw new ApiError({
    code: 'UNEXPECTED_RESPONSE',
    message:
      `${route.method} ${route.path}: the call reached WeChat Pay and its answer verified, but the answer ` +
      `does not have the documented shape: ${first.path || 'answer'} must be ${first.expected}, received ` +
      `${first.received}${more}`,
    hint: 'the call may have taken effect: query its result before sending it again, and quote the Request-ID to WeChat Pay support',
    status: answer.status,
    protocol: route.protocol,
    method: route.method,
    path: route.path,
    ...(requestId ? { requestId } : {}),
    detail: {
      field: first.path,
      issue: `must be ${first.expected}`,
      location: 'answer',
      issues: checked.issues,
    },
    signatureVerified: true,
    isRetryable: false,
  });
}
