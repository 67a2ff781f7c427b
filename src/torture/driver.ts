/**
 * The two halves of the torture: lanes of clients running stories one after another, and the killer, which
 * SIGKILLs the hub after each life's seeded uptime and starts it again on the same database.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HubProcess } from './hub-process.ts';
import type { Journal } from './model.ts';
import { type StoryContext, runStory } from './stories.ts';

/**
 * A story waiting on a key a killed hub left locked (a minute, today) is parked: its lane starts the next story
 * meanwhile, so kills keep landing on traffic. A lane leaves at most this many parked before it waits.
 */
const parkedPerLaneMax = 32;

export type Drive = { stories: number; failures: string[] };

/** Runs stories on `lanes` lanes while `starting()` says so, then waits for every story still running. */
export async function driveStories(
  ctx: StoryContext,
  options: { lanes: number; starting: () => boolean },
): Promise<Drive> {
  let nextStory = 0;
  const failures: string[] = [];
  const running = new Set<Promise<void>>();
  const lane = async (): Promise<void> => {
    while (options.starting()) {
      const story = nextStory;
      nextStory += 1;
      let park = () => {};
      const parked = new Promise<void>((resolve) => {
        park = resolve;
      });
      const done: Promise<void> = runStory(ctx, story, { onInProgress: () => park() })
        .catch((error: unknown) => {
          failures.push(`story ${story}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        })
        .finally(() => running.delete(done));
      running.add(done);
      await Promise.race([done, parked]);
      while (running.size >= options.lanes * parkedPerLaneMax) await Promise.race(running);
    }
  };
  await Promise.all(Array.from({ length: options.lanes }, lane));
  while (running.size > 0) await Promise.all(running);
  return { stories: nextStory, failures };
}

/** One kill: how long that life had lived, and how many client requests it cut. */
export type Kill = { uptimeMs: number; inFlight: number };

/**
 * Lives out each uptime, kills, starts the hub again; appends to `kills` as it goes, so a hub that will not
 * start again (which throws) leaves the kills that happened.
 */
export async function killOnSchedule(
  hub: HubProcess,
  uptimesMs: readonly number[],
  journal: Journal,
  kills: Kill[],
  log: (line: string) => void,
): Promise<void> {
  for (const uptimeMs of uptimesMs) {
    await sleep(uptimeMs);
    const inFlight = journal.counters.inFlight;
    await hub.kill();
    kills.push({ uptimeMs, inFlight });
    log(`kill ${kills.length}/${uptimesMs.length} after ${uptimeMs} ms up, ${inFlight} requests in flight`);
    await hub.start();
  }
}
