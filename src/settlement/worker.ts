import type { HubContext } from '../context.ts';
import { type Worker, startPeriodicWorker } from '../platform/index.ts';
import { ensureOpenWindow, runCutoff } from './service.ts';

/**
 * How often the schedule looks at the clock: a window no transfer has
 * rolled closes at most this long after its cutoff, and a rolled window is
 * reported at most this long after its roll.
 */
export const cutoffCheckIntervalMs = 15_000;

/**
 * The `settlement-cutoff` worker: closes the open window once the
 * `LINTAS_SETTLEMENT_CUTOFF` has passed since it opened when no transfer
 * came to roll it, and reports any window closed without its report. A
 * window is opened (or a due one rolled) at start, so a fresh hub shows one
 * before its first transfer.
 */
export function startSettlementWorker(ctx: HubContext): Worker {
  void ensureOpenWindow(ctx).catch((error: unknown) =>
    ctx.logger.warn({ err: error }, 'could not open the first settlement window'),
  );
  return startPeriodicWorker('settlement-cutoff', cutoffCheckIntervalMs, () => runCutoff(ctx), ctx.logger);
}
