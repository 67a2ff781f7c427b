import type { HubContext } from '../context.ts';
import { type Worker, startPeriodicWorker } from '../platform/index.ts';
import { createIdempotency } from './idempotency.ts';
import { purgeExpiredNonces } from './nonce-store.ts';

/** Expired keys and nonces are only dead weight; a sweep every ten minutes keeps both tables small. */
export const housekeepingIntervalMs = 10 * 60 * 1000;

/** Deletes expired idempotency keys and signature nonces; answers how many of each went. */
export async function purgeExpiredRecords(ctx: HubContext): Promise<{ idempotencyKeys: number; nonces: number }> {
  const idempotency = createIdempotency(ctx.db, ctx.clock, ctx.config.masterKey, ctx.random);
  const [idempotencyKeys, nonces] = await Promise.all([
    idempotency.purgeExpired(),
    purgeExpiredNonces(ctx.db, ctx.clock.now()),
  ]);
  return { idempotencyKeys, nonces };
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
