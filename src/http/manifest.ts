import type { Capability } from '../capability.ts';
import { startHousekeepingWorker } from './housekeeping.ts';

/** The HTTP layer's own upkeep: expired idempotency keys and signature nonces are purged. */
export const httpCapability: Capability = { name: 'http', workers: (ctx) => [startHousekeepingWorker(ctx)] };
