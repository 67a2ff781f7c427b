import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fspiopBasePath } from '../fspiop/index.ts';
import { type TestHub, isDocsRoute, pageRoutes, servedRoutes, startTestHub } from '../testing/index.ts';
import { expectProblem } from './world.test-support.ts';

/**
 * OWASP API9:2023, Improper Inventory Management. The inventory is
 * `/openapi.json`: every route the hub serves is in it, except the few
 * documented pages that are not API (`/health`, `/ready`, `/metrics`,
 * `/openapi.json`, `/docs`, the hosted pages, their built assets and icon) and the
 * FSPIOP routes, which Mojaloop's own definition documents, and
 * nothing answers outside it: an unknown path, an old version, a method a
 * path does not have are all `404 not_found`.
 */
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

/** Routes under the FSPIOP base path are Mojaloop's API, documented by its vendored definition (docs/fspiop.md). */
function fspiopOperations(): string[] {
  const file = new URL('../fspiop/vendor/fspiop-rest-v1.1.json', import.meta.url);
  const document = JSON.parse(readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const methods = ['get', 'put', 'post', 'delete', 'patch'];
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => methods.includes(method))
      .map((method) => `${method.toUpperCase()} ${fspiopBasePath}${path}`),
  );
}

async function documentedOperations(): Promise<string[]> {
  const document = (await (await fetch(`${hub.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('the inventory is /openapi.json', () => {
  test('every route the hub serves is documented there, or is one of the documented pages', async () => {
    const documented = new Set([...(await documentedOperations()), ...fspiopOperations()]);
    const served = servedRoutes(hub.server.app);
    expect(served.length).toBeGreaterThan(60);
    const undocumented = served.filter(
      (route) => !documented.has(route) && !pageRoutes.includes(route) && !isDocsRoute(route),
    );
    expect(undocumented).toEqual([]);
  });

  test('every documented operation is served', async () => {
    const served = new Set(servedRoutes(hub.server.app));
    const missing = (await documentedOperations()).filter((operation) => !served.has(operation));
    expect(missing).toEqual([]);
  });

  test('every documented operation says what it answers, problems included', async () => {
    const document = (await (await fetch(`${hub.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations)) {
        const statuses = Object.keys(operation.responses ?? {});
        expect(statuses.length, `${method} ${path}`).toBeGreaterThan(0);
      }
  });
});

describe('nothing answers outside it', () => {
  test.each([
    ['GET', '/v2/participants'],
    ['GET', '/v0/participants'],
    ['GET', '/api/v1/participants'],
    ['GET', '/v1/admin'],
    ['GET', '/v1/debug'],
    ['GET', '/v1/internal/config'],
    ['GET', '/.env'],
    ['GET', '/v1/participants.json'],
    ['POST', '/v1/hub/keys'],
    ['PUT', '/v1/checkouts'],
    ['DELETE', '/v1/transfers'],
  ])('%s %s is 404 not_found', async (method, path) => {
    const response = await fetch(`${hub.url}${path}`, { method });
    const text = await response.text();
    expectProblem(
      { status: response.status, headers: response.headers, body: JSON.parse(text), text },
      404,
      'not_found',
    );
  });
});
