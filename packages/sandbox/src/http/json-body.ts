import { SandboxUsageError } from '../errors.ts';
import type { RouteRequest } from './router.ts';

/** The JSON object an admin or inspector action was sent; anything else is a usage mistake (400). */
export function readJsonObject(request: RouteRequest): Record<string, unknown> {
  if (request.bodyTruncated) throw new SandboxUsageError('body: too large');
  let value: unknown;
  try {
    value = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new SandboxUsageError('body: expected JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandboxUsageError('body: expected a JSON object');
  }
  return value as Record<string, unknown>;
}
