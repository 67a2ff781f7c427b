import type { Logger } from 'pino';
import { type Timer, systemTimer } from './timer.ts';

/**
 * A background job that runs `tick` every `intervalMs` while the hub runs.
 * A tick that falls due while one is still running is skipped, never
 * queued, so a slow tick cannot pile up work; `stop()` waits only for the
 * tick in flight. `runOnce` lets a test drive the job with its own clock.
 */
export type Worker = {
  readonly name: string;
  /** Runs a tick now, after the one in flight if there is one. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
};

export function startPeriodicWorker(
  name: string,
  intervalMs: number,
  tick: () => Promise<void>,
  logger: Logger,
  timer: Timer = systemTimer,
): Worker {
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const start = (): Promise<void> => {
    const run = tick()
      .catch((error: unknown) => logger.error({ err: error, worker: name }, 'worker tick failed'))
      .finally(() => {
        if (inFlight === run) inFlight = undefined;
      });
    inFlight = run;
    return run;
  };
  const schedule = timer.every(intervalMs, () => {
    if (stopped || inFlight) return;
    void start();
  });
  return {
    name,
    runOnce: async () => {
      while (inFlight) await inFlight;
      await start();
    },
    stop: async () => {
      stopped = true;
      schedule.cancel();
      await inFlight;
    },
  };
}
