/** The hub reads time only through this port, so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until a test moves it. */
export interface ManualClock extends Clock {
  set(at: Date): void;
  advanceMs(durationMs: number): void;
}

export function createManualClock(start: Date = new Date('2026-01-05T02:00:00.000Z')): ManualClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = at.getTime();
    },
    advanceMs: (durationMs) => {
      current += durationMs;
    },
  };
}

export function isoUtc(at: Date): string {
  return at.toISOString();
}
