import { anyObject, apiV3, definePackage, defineRoute, object } from '@wxpark/core';
import { expect, it } from 'vitest';
import { routesWithoutErrors } from '../src/index.ts';

const route = (path: string, errors?: Record<string, { retryable: boolean; hint: string }>) =>
  defineRoute({
    protocol: 'v3',
    method: 'GET',
    path,
    title: path,
    request: object({}),
    response: anyObject(),
    ...(errors ? { errors } : {}),
  });

it('routesWithoutErrors names the routes whose error table is missing or empty, and only those', () => {
  const pkg = definePackage({
    name: 'routes-test',
    v3: apiV3,
    routes: {
      'v3/documented': route('/v3/documented', {
        NO_AUTH: { retryable: false, hint: 'ask for the permission' },
      }),
      'v3/missing': route('/v3/missing'),
      'v3/empty': route('/v3/empty', {}),
    },
  });
  expect(routesWithoutErrors(pkg)).toEqual(['v3/missing', 'v3/empty']);
});
