import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { createManualTimer } from './timer.ts';
import { startPeriodicWorker } from './worker.ts';

const silent = pino({ level: 'silent' });

/** A tick that stays in flight until the test lets it finish. */
function heldTicks() {
  const releases: Array<() => void> = [];
  let started = 0;
  const tick = () =>
    new Promise<void>((resolve) => {
      started += 1;
      releases.push(resolve);
    });
  return {
    tick,
    started: () => started,
    releaseAll: () => {
      for (const release of releases.splice(0)) release();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('startPeriodicWorker', () => {
  test('a tick that falls due while one runs is skipped, not queued', async () => {
    const timer = createManualTimer();
    const ticks = heldTicks();
    const worker = startPeriodicWorker('held', 20, ticks.tick, silent, timer);
    for (let elapsedMs = 0; elapsedMs < 1000; elapsedMs += 20) timer.advanceMs(20);
    expect(ticks.started()).toBe(1);
    ticks.releaseAll();
    await settle();
    timer.advanceMs(20);
    expect(ticks.started()).toBe(2);
    ticks.releaseAll();
    await worker.stop();
  });

  test('stop() waits for the tick in flight only, and no tick starts after it', async () => {
    const timer = createManualTimer();
    const ticks = heldTicks();
    const worker = startPeriodicWorker('held', 20, ticks.tick, silent, timer);
    timer.advanceMs(20);
    let stoppedAt: number | undefined;
    const stopping = worker.stop().then(() => {
      stoppedAt = ticks.started();
    });
    timer.advanceMs(1000);
    await settle();
    expect(stoppedAt).toBeUndefined();
    ticks.releaseAll();
    await stopping;
    expect(stoppedAt).toBe(1);
    timer.advanceMs(1000);
    expect(ticks.started()).toBe(1);
  });

  test('runOnce runs a tick after the one in flight, and a failing tick does not stop the worker', async () => {
    const timer = createManualTimer();
    let runs = 0;
    const worker = startPeriodicWorker(
      'failing',
      20,
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('first tick fails');
      },
      silent,
      timer,
    );
    await worker.runOnce();
    await worker.runOnce();
    expect(runs).toBe(2);
    await worker.stop();
  });
});
