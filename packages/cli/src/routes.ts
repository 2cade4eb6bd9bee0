import { businesscircle } from '@wxpark/businesscircle';
import type { AnyRoute, RoutePackage } from '@wxpark/core';
import { parkingV3 } from '@wxpark/parking-v3';
import { vehicleV2 } from '@wxpark/vehicle-v2';
import { usageError } from './errors.ts';

/** The route packages the CLI composes. */
export const routePackages: readonly RoutePackage[] = [vehicleV2, parkingV3, businesscircle];

/** A route found by key, with the package that defines it. */
export interface FoundRoute {
  key: string;
  route: AnyRoute;
  pkg: RoutePackage;
}

/** Every route key, in package order. */
export function routeKeys(): string[] {
  return routePackages.flatMap((pkg) => Object.keys(pkg.routes));
}

/**
 * Finds a route by its key (`v3/parking/reminders/entry`), with or without a leading slash, or by its path
 * on the WeChat Pay host (`/vehicle/pay/notification`). An unknown one is a usage error naming close matches.
 */
export function findRoute(given: string): FoundRoute {
  const wanted = given.trim().replace(/^\/+/, '');
  for (const pkg of routePackages) {
    for (const [key, route] of Object.entries(pkg.routes)) {
      if (key === wanted || route.path.replace(/^\/+/, '') === wanted) return { key, route, pkg };
    }
  }
  const close = closeMatches(wanted, routeKeys());
  throw usageError(
    'UNKNOWN_ROUTE',
    `unknown route ${JSON.stringify(given)}; ${close.length > 0 ? `did you mean ${close.join(', ')}?` : 'list them with `wxpark call --list`'}`,
  );
}

/** Up to three candidates nearest to `word`: those containing it first, then by edit distance. */
export function closeMatches(word: string, candidates: readonly string[]): string[] {
  const lower = word.toLowerCase();
  const scored = candidates.map((candidate) => {
    const text = candidate.toLowerCase();
    const distance = text.includes(lower) || lower.includes(text) ? 0 : editDistance(lower, text);
    return { candidate, distance };
  });
  const limit = Math.max(3, Math.floor(lower.length / 2));
  return scored
    .filter((entry) => entry.distance <= limit)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map((entry) => entry.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
