import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ApiResponse,
  type TestHub,
  type TestParticipant,
  bearerClient,
  createParticipant,
  signedClient,
  startTestHub,
  testEngine,
} from '../testing/index.ts';
import { createMerchant } from '../testing/world.ts';
import { createManualClock, createManualTimer } from '../platform/index.ts';
import { createWindowCounter, rateLimitDefaults, rateLimitFlushIntervalMs, rateLimitWindowMs } from './rate-limit.ts';

function expectRateLimited(response: ApiResponse, limit: number): void {
  expect(response.status).toBe(429);
  expect(response.body.code).toBe('rate_limited');
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(rateLimitWindowMs / 1000);
  expect(response.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(response.headers.get('ratelimit-remaining')).toBe('0');
  expect(response.headers.get('ratelimit-reset')).toBe(String(retryAfter));
}

/** Moves the hub's clock to the start of the next window. */
function nextWindow(hub: TestHub): void {
  const nowMs = hub.clock.now().getTime();
  hub.clock.advanceMs(rateLimitWindowMs - (nowMs % rateLimitWindowMs) + 1);
}

describe('rate limits per caller', () => {
  let hub: TestHub;
  let operator: ReturnType<typeof bearerClient>;
  let limited: TestParticipant;
  let other: TestParticipant;

  beforeAll(async () => {
    hub = await startTestHub();
    operator = bearerClient(hub, hub.operatorToken);
    limited = await createParticipant(hub, { name: 'Busy Wallet' });
    other = await createParticipant(hub, { name: 'Quiet Wallet' });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  test('the defaults allow a benchmark of a few hundred payments a second', () => {
    // One wallet paying 1,000 payments a second sends 2,000 requests a second.
    expect(rateLimitDefaults.perCallerPerMinute).toBeGreaterThanOrEqual(2_000 * 60 * 2);
    expect(hub.config.rateLimit).toEqual(rateLimitDefaults);
  });

  test('the operator sets a participant its own limit, and a burst past it is refused with Retry-After', async () => {
    nextWindow(hub);
    const set = await operator('PUT', `/v1/participants/${limited.id}/rate-limit`, { requestsPerMinute: 5 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ participantId: limited.id, requestsPerMinute: 5, effectiveRequestsPerMinute: 5 });
    expect((await limited.call('GET', `/v1/participants/${limited.id}/rate-limit`)).body.requestsPerMinute).toBe(5);

    const burst = await Promise.all(
      Array.from({ length: 9 }, () => limited.call('GET', `/v1/participants/${limited.id}`)),
    );
    const statuses = burst.map((response) => response.status).sort();
    // The GET above was the first of the five.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429, 429]);
    const allowed = burst.find((response) => response.status === 200) as ApiResponse;
    expect(allowed.headers.get('ratelimit-limit')).toBe('5');
    for (const refused of burst.filter((response) => response.status === 429)) expectRateLimited(refused, 5);

    // Another participant, the operator and the hub's other callers are not held back.
    expect((await other.call('GET', `/v1/participants/${other.id}`)).status).toBe(200);
    expect((await operator('GET', `/v1/participants/${limited.id}`)).status).toBe(200);

    nextWindow(hub);
    expect((await limited.call('GET', `/v1/participants/${limited.id}`)).status).toBe(200);
  });

  test('a refusal is not stored as the answer of its Idempotency-Key', async () => {
    nextWindow(hub);
    expect((await operator('PUT', `/v1/participants/${limited.id}/rate-limit`, { requestsPerMinute: 1 })).status).toBe(
      200,
    );
    expect((await limited.call('GET', `/v1/participants/${limited.id}`)).status).toBe(200);
    const merchantFields = { name: 'Late Shop', mcc: '5732', city: 'Shanghai', country: 'CN', currency: 'CNY' };
    const refused = await limited.call('POST', '/v1/merchants', merchantFields, { idempotencyKey: 'limited-1' });
    expectRateLimited(refused, 1);
    nextWindow(hub);
    const retried = await limited.call('POST', '/v1/merchants', merchantFields, { idempotencyKey: 'limited-1' });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  test('null gives the participant the default back; only the operator may set it', async () => {
    const reset = await operator('PUT', `/v1/participants/${limited.id}/rate-limit`, { requestsPerMinute: null });
    expect(reset.body).toEqual({
      participantId: limited.id,
      requestsPerMinute: null,
      effectiveRequestsPerMinute: rateLimitDefaults.perCallerPerMinute,
    });
    expect((await other.call('PUT', `/v1/participants/${other.id}/rate-limit`, { requestsPerMinute: 10 })).status).toBe(
      403,
    );
    expect((await other.call('GET', `/v1/participants/${limited.id}/rate-limit`)).status).toBe(404);
    for (const requestsPerMinute of [0, -1, 1.5, '10', 200_000_000]) {
      const refused = await operator('PUT', `/v1/participants/${limited.id}/rate-limit`, { requestsPerMinute });
      expect(refused.status, `requestsPerMinute ${requestsPerMinute}`).toBe(400);
    }
    expect((await operator('PUT', '/v1/participants/par_nobody/rate-limit', { requestsPerMinute: 5 })).status).toBe(
      404,
    );
  });
});

describe('rate limits per merchant key and per address', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ config: { rateLimit: { perCallerPerMinute: 4, anonymousPerMinute: 3 } } });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  test('a merchant key is counted on its own', async () => {
    nextWindow(hub);
    const acquirer = await createParticipant(hub, { name: 'Acquirer', roles: ['acquirer'] });
    const merchant = await createMerchant(hub, acquirer);
    nextWindow(hub);
    const statuses = [];
    for (let count = 0; count < 6; count += 1) statuses.push((await merchant.call('GET', '/v1/merchant')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  test('a public route and a failed token count against the address', async () => {
    nextWindow(hub);
    const keys = await fetch(`${hub.url}/v1/hub/keys`);
    expect(keys.status).toBe(200);
    expect(keys.headers.get('ratelimit-limit')).toBe('3');
    expect(keys.headers.get('ratelimit-remaining')).toBe('2');
    const guesses = await Promise.all(
      Array.from({ length: 3 }, () => bearerClient(hub, 'sk_guess')('GET', '/v1/merchant')),
    );
    expect(guesses.map((response) => response.status).sort()).toEqual([401, 401, 429]);
    expectRateLimited(guesses.find((response) => response.status === 429) as ApiResponse, 3);
    const page = await fetch(`${hub.url}/v1/hub/keys`);
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).not.toBeNull();
    // The operator, proven, is its own caller.
    expect((await bearerClient(hub, hub.operatorToken)('GET', '/v1/participants')).status).toBe(200);
  });
});

describe.runIf(testEngine() === 'postgres')('rate limits across hub processes on PostgreSQL', () => {
  let first: TestHub;
  let second: TestHub;

  beforeAll(async () => {
    first = await startTestHub();
    second = await startTestHub({ reuseDatabaseOf: first });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  test("one participant's requests are counted together, whichever process answers them", async () => {
    const wallet = await createParticipant(first, { name: 'Shared Wallet' });
    nextWindow(first);
    await bearerClient(first, first.operatorToken)('PUT', `/v1/participants/${wallet.id}/rate-limit`, {
      requestsPerMinute: 6,
    });
    const onFirst = [];
    for (let count = 0; count < 4; count += 1)
      onFirst.push((await wallet.call('GET', `/v1/participants/${wallet.id}`)).status);
    expect(onFirst).toEqual([200, 200, 200, 200]);
    await new Promise((resolve) => setTimeout(resolve, rateLimitFlushIntervalMs * 5));
    const onSecondHub = signedClient(second, wallet.keyId, wallet.privateKey);
    const onSecond = [];
    for (let count = 0; count < 4; count += 1)
      onSecond.push((await onSecondHub('GET', `/v1/participants/${wallet.id}`)).status);
    expect(onSecond).toEqual([200, 200, 429, 429]);
  });
});

describe('the window counter', () => {
  test("a flush while a new caller's shared count is read keeps every request counted", async () => {
    let release: () => void = () => {};
    const read = new Promise<void>((resolve) => {
      release = resolve;
    });
    const shared = {
      read: () => read.then(() => undefined),
      add: async (counts: readonly { key: string; windowStart: number; count: number }[]) =>
        counts.map((count) => ({ ...count })),
    };
    const counter = createWindowCounter({
      clock: createManualClock(new Date('2026-12-07T10:00:00Z')),
      shared,
      timer: createManualTimer(),
    });
    const first = counter.increment('participant:par_1');
    await counter.flush();
    release();
    expect((await first).current).toBe(1);
    expect((await counter.increment('participant:par_1')).current).toBe(2);
    await counter.stop();
  });
});
