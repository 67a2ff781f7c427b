import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bodyBytesMax } from '../app.ts';
import { pageItemsMax } from '../http/index.ts';
import { type SecurityWorld, expectProblem, startSecurityWorld } from './world.test-support.ts';

/**
 * OWASP API4:2023, Unrestricted Resource Consumption. Everything has a
 * limit, and past it the answer is a problem, not work: bodies (1 MiB of
 * JSON), headers, pages (1-100), lines, keys and prefixes per object, the
 * amount of a payment, and the requests a caller may send (`429
 * rate_limited` with `Retry-After`).
 */
let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});
afterAll(async () => {
  await world?.hub.stop();
});

describe('sizes', () => {
  test('a JSON body over 1 MiB is 413 body_too_large, before it is read', async () => {
    const big = JSON.stringify({ reference: 'x'.repeat(bodyBytesMax) });
    const response = await world.merchantA.call('POST', '/v1/checkouts', undefined, { rawBody: big });
    expectProblem(response, 413, 'body_too_large');
  });

  test('headers too large are 431 headers_too_large', async () => {
    const response = await fetch(`${world.hub.url}/v1/hub/keys`, { headers: { 'x-padding': 'x'.repeat(64 * 1024) } });
    expect(response.status).toBe(431);
    expect(((await response.json()) as { code: string }).code).toBe('headers_too_large');
  });

  test.each([
    ['limit=0', '?limit=0'],
    [`limit=${pageItemsMax + 1}`, `?limit=${pageItemsMax + 1}`],
    ['limit=-1', '?limit=-1'],
    ['limit=1e9', '?limit=1000000000'],
    ['a cursor of 129 characters', `?after=${'x'.repeat(129)}`],
  ])('a page with %s is a 400', async (_label, query) => {
    expectProblem(await world.merchantA.call('GET', `/v1/checkouts${query}`), 400, 'invalid_request');
  });

  test('a page never holds more than 100 items', async () => {
    const page = await world.operator('GET', `/v1/audit-events?limit=${pageItemsMax}`);
    expect(page.status).toBe(200);
    expect(page.body.data.length).toBeLessThanOrEqual(pageItemsMax);
  });

  test('lines, keys and prefixes have their limits', async () => {
    const line = { kind: 'product', name: 'Tea', quantity: 1, unitAmount: 1 };
    const tooManyLines = await world.merchantA.call('POST', '/v1/checkouts', {
      amount: 101,
      currency: 'CNY',
      reference: 'lines-101',
      buyerId: 'b',
      lines: Array.from({ length: 101 }, () => line),
    });
    expectProblem(tooManyLines, 400, 'invalid_request');
    const tooManyPrefixes = await world.operator('POST', '/v1/participants', {
      name: 'Greedy',
      roles: ['issuer'],
      currencies: ['CNY'],
      callbackUrl: 'http://127.0.0.1:9/cb',
      paymentCodePrefixes: Array.from({ length: 21 }, (_value, index) => String(900 + index)),
    });
    expectProblem(tooManyPrefixes, 400, 'invalid_request');
    const tooLong = await world.merchantA.call('POST', '/v1/checkouts', {
      amount: 1,
      currency: 'CNY',
      reference: 'r'.repeat(65),
      buyerId: 'b',
    });
    expectProblem(tooLong, 400, 'invalid_request');
  });

  test('a deeply nested body is refused, not walked', async () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const response = await world.merchantA.call('POST', '/v1/checkouts', undefined, {
      rawBody: `{"amount":1,"currency":"CNY","reference":"deep","buyerId":"b","lines":${deep}}`,
    });
    expectProblem(response, 400, 'invalid_request');
  });

  test('an amount past what a payment may be is a 400', async () => {
    const response = await world.merchantA.call('POST', '/v1/checkouts', {
      amount: Number.MAX_SAFE_INTEGER,
      currency: 'CNY',
      reference: 'huge',
      buyerId: 'b',
    });
    expectProblem(response, 400, 'invalid_request');
  });
});

describe('rates', () => {
  test('a burst past a participant’s limit is 429 rate_limited with Retry-After, and others are not held back', async () => {
    const { walletY, operator } = world;
    expect((await operator('PUT', `/v1/participants/${walletY.id}/rate-limit`, { requestsPerMinute: 3 })).status).toBe(
      200,
    );
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => walletY.call('GET', `/v1/participants/${walletY.id}`)),
    );
    const refused = burst.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const response of refused) {
      expectProblem(response, 429, 'rate_limited');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.headers.get('ratelimit-limit')).toBe('3');
    }
    expect((await world.walletX.call('GET', `/v1/participants/${world.walletX.id}`)).status).toBe(200);
    await operator('PUT', `/v1/participants/${walletY.id}/rate-limit`, { requestsPerMinute: null });
  });
});
