/** The hub schedules repeated work only through this port, so a test can fire it by hand. */
export interface Timer {
  every(intervalMs: number, fire: () => void): { cancel(): void };
}

/** Node's timers; unref'd, so a schedule never keeps a process alive on its own. */
export const systemTimer: Timer = {
  every: (intervalMs, fire) => {
    const handle = setInterval(fire, intervalMs);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  },
};

/** A timer that fires only when a test moves it. */
export interface ManualTimer extends Timer {
  advanceMs(durationMs: number): void;
}

export function createManualTimer(): ManualTimer {
  let nowMs = 0;
  const schedules = new Set<{ intervalMs: number; nextMs: number; fire: () => void }>();
  return {
    every: (intervalMs, fire) => {
      const schedule = { intervalMs, nextMs: nowMs + intervalMs, fire };
      schedules.add(schedule);
      return { cancel: () => schedules.delete(schedule) };
    },
    advanceMs: (durationMs) => {
      const untilMs = nowMs + durationMs;
      for (const schedule of schedules) {
        while (schedule.nextMs <= untilMs && schedules.has(schedule)) {
          schedule.fire();
          schedule.nextMs += schedule.intervalMs;
        }
      }
      nowMs = untilMs;
    },
  };
}
