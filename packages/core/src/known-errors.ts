import { ApiError } from './errors.ts';
import type { AnyRoute, KnownError } from './route.ts';

/** The error codes a route's documents list (its `errors` table), as a union. */
export type RouteErrorCode<D> = D extends { readonly errors?: Readonly<Record<infer E, KnownError>> }
  ? E & string
  : never;

/**
 * An `ApiError` of a route: its `code` one the documents list, or another string WeChat may add. For a
 * listed code, `hint` and `isRetryable` already follow the route's table.
 */
export type RouteApiError<D> = ApiError & { readonly code: RouteErrorCode<D> | (string & {}) };

/**
 * The `ApiError` a call of `route` failed with, the same object with its code typed as the route's
 * documented codes; undefined for any other error or another route's.
 *
 * @example
 * ```ts
 * const failure = routeError(vehicleV2.routes['v2/transit/queryorder'], error);
 * if (failure?.code === 'ORDERNOTEXIST') …
 * ```
 */
export function routeError<D extends AnyRoute>(route: D, error: unknown): RouteApiError<D> | undefined {
  if (!ApiError.isInstance(error)) return undefined;
  if (error.path !== route.path || error.method !== route.method || error.protocol !== route.protocol) {
    return undefined;
  }
  return error as RouteApiError<D>;
}

function knownErrorOf(route: AnyRoute, code: string): KnownError | undefined {
  const table = route.errors as Readonly<Record<string, KnownError>> | undefined;
  return table && Object.hasOwn(table, code) ? table[code] : undefined;
}

/**
 * Gives a failure of `route` the hint its documents give for the code, and their retryability when the
 * answer's signature verified (an unverified body's code never makes a call retryable).
 */
export function withKnownError(route: AnyRoute, error: unknown): unknown {
  if (!ApiError.isInstance(error) || error.hint !== undefined) return error;
  const known = knownErrorOf(route, error.code);
  if (!known) return error;
  return new ApiError({
    code: error.code,
    message: error.message,
    hint: known.hint,
    status: error.status,
    protocol: error.protocol,
    method: error.method,
    path: error.path,
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    ...(error.description === undefined ? {} : { description: error.description }),
    signatureVerified: error.signatureVerified,
    isRetryable: error.isRetryable || (known.retryable && error.signatureVerified),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}
