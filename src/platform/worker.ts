import type { Logger } from 'pino';

/**
 * A background job that runs `tick` every `intervalMs` while the hub runs.
 * Ticks never overlap; `runOnce` lets a test drive the job with its own clock.
 */
export type Worker = {
  readonly name: string;
  runOnce(): Promise<void>;
  stop(): Promise<void>;
};

export function startPeriodicWorker(
  name: string,
  intervalMs: number,
  tick: () => Promise<void>,
  logger: Logger,
): Worker {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const runOnce = () => {
    running = running
      .then(tick)
      .catch((error: unknown) => logger.error({ err: error, worker: name }, 'worker tick failed'));
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runOnce();
  }, intervalMs);
  timer.unref();
  return {
    name,
    runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
