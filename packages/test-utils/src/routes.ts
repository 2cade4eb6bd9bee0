import type { RoutePackage } from '@wxpark/core';

/**
 * The keys of the package's routes that have no error table (`errors` missing or empty): every route is meant
 * to have one, so that `routeError` can type and explain the codes WeChat Pay documents for it.
 *
 * @example
 * ```ts
 * expect(routesWithoutErrors(parkingV3)).toEqual([]);
 * ```
 */
export function routesWithoutErrors(pkg: RoutePackage): string[] {
  return Object.entries(pkg.routes)
    .filter(([, route]) => Object.keys(route.errors ?? {}).length === 0)
    .map(([key]) => key);
}
