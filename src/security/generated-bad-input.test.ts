import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBadInput, tableCounts } from './bad-input.test-support.ts';
import { type SecurityWorld, startSecurityWorld } from './world.test-support.ts';

/**
 * Generated bad input (fast-check) for every operation in `/openapi.json`,
 * as each kind of caller and as none: never a 5xx, always a documented
 * problem, no state changed (see `bad-input.test-support.ts`). `npm test`
 * sends a few hundred, seeded (`LINTAS_FUZZ_SEED`, `LINTAS_FUZZ_REQUESTS`);
 * `npm run fuzz -- --requests N --seed S` sends as many as asked.
 */
let world: SecurityWorld;

beforeAll(async () => {
  // No rate limit gets in the way of the run: it is about what each request gets.
  world = await startSecurityWorld({ rateLimit: { perCallerPerMinute: 100_000_000, anonymousPerMinute: 100_000_000 } });
});
afterAll(async () => {
  await world?.hub.stop();
});

describe('generated bad input for every operation', () => {
  test('never a 5xx, always a documented problem, and no state changed', async () => {
    const seed = Number(process.env.LINTAS_FUZZ_SEED ?? 17);
    const requests = Number(process.env.LINTAS_FUZZ_REQUESTS ?? 600);
    const before = await tableCounts(world.hub);
    const run = await runBadInput(world, { seed, requests });
    expect(run.failures, `seed ${seed}`).toEqual([]);
    expect(run.requests).toBe(requests);
    expect(Object.keys(run.byStatus).every((status) => Number(status) < 500)).toBe(true);
    expect(await tableCounts(world.hub)).toEqual(before);
  }, 240_000);
});
