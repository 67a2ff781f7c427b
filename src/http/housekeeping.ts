import type { HubContext } from '../context.ts';
import { type Worker, startPeriodicWorker } from '../platform/index.ts';
import { createIdempotency } from './idempotency.ts';
import { purgeExpiredNonces } from './nonce-store.ts';
import { purgeEndedRateLimitWindows } from './rate-limit.ts';

/** Expired keys, nonces and rate-limit windows are only dead weight; a sweep every ten minutes keeps the tables small. */
export const housekeepingIntervalMs = 10 * 60 * 1000;

/** Deletes expired idempotency keys, signature nonces and ended rate-limit windows; answers how many of each went. */
export async function purgeExpiredRecords(
  ctx: HubContext,
): Promise<{ idempotencyKeys: number; nonces: number; rateLimitCounters: number }> {
  const idempotency = createIdempotency(ctx.db, ctx.clock, ctx.config.masterKey, ctx.random);
  const [idempotencyKeys, nonces, rateLimitCounters] = await Promise.all([
    idempotency.purgeExpired(),
    purgeExpiredNonces(ctx.db, ctx.clock.now()),
    purgeEndedRateLimitWindows(ctx.db, ctx.clock.now()),
  ]);
  return { idempotencyKeys, nonces, rateLimitCounters };
}

/** The `housekeeping` worker. */
export function startHousekeepingWorker(ctx: HubContext): Worker {
  return startPeriodicWorker(
    'housekeeping',
    housekeepingIntervalMs,
    async () => void (await purgeExpiredRecords(ctx)),
    ctx.logger,
  );
}
