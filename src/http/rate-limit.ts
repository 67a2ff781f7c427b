import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/index.ts';
import { type Clock, type Timer, invariant, systemTimer } from '../platform/index.ts';
import type { App } from './app-types.ts';
import type { Caller } from './caller.ts';
import { Problem } from './problems.ts';

/**
 * Rate limits, with `@fastify/rate-limit` (docs/concepts.md: `429 rate_limited`).
 *
 * - **Who is counted**: the caller the auth hook proved (a participant, a
 *   merchant, a checkout's buyer, the operator); a request that proves no
 *   one (a public route, or a signature or token that fails) is counted
 *   against its address, so guessing tokens is limited too.
 * - **How much**: `LINTAS_RATE_LIMIT_PER_MINUTE` per caller and
 *   `LINTAS_RATE_LIMIT_ANONYMOUS_PER_MINUTE` per address; the operator gives
 *   a participant its own with `PUT /v1/participants/{id}/rate-limit`.
 * - **Windows**: fixed, one minute, aligned to the hub's clock, so every
 *   process agrees where a window starts. A refusal says `Retry-After`
 *   (seconds until the window ends); every answer carries
 *   `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.
 * - **Across processes** (PostgreSQL): each process counts locally and adds
 *   its counts to one row per caller every `rateLimitFlushIntervalMs`,
 *   learning the others' in the same statement; a process that meets a
 *   caller for the first time in a window reads its shared count once. No
 *   other request waits for the database; N processes may together let
 *   through what arrives in one flush interval beyond a limit. On SQLite
 *   one process serves the file, so the local count is the whole count.
 */
export const rateLimitWindowMs = 60_000;
export const rateLimitFlushIntervalMs = 100;
/** Callers remembered per process in a window; past it the oldest is forgotten (its count starts again). */
export const rateLimitKeysMax = 100_000;
/** Rows per statement when counts are added to the shared table. */
const flushRowsMax = 500;
export const rateLimitPerMinuteMax = 100_000_000;

export type RateLimitSettings = {
  /** Requests per minute per proven caller, unless the operator set a participant's own. */
  readonly perCallerPerMinute: number;
  /** Requests per minute per address of callers that proved no one. */
  readonly anonymousPerMinute: number;
};

/**
 * Defaults generous enough that no benchmark of a few hundred payments a
 * second is refused: one wallet paying 1,000 a second sends 2,000 requests a
 * second (resolve and transfer), a fifth of the per-caller default.
 */
export const rateLimitDefaults: RateLimitSettings = { perCallerPerMinute: 600_000, anonymousPerMinute: 60_000 };

type Count = { key: string; windowStart: number; count: number };

/** Where the counts of every process are summed: added, and the totals answered; or read. */
export type SharedCounts = {
  add(counts: readonly Count[]): Promise<Count[]>;
  read(key: string): Promise<Count | undefined>;
};

const countOf = (row: { key: string; window_start: number; count: number }): Count => ({
  key: row.key,
  windowStart: Number(row.window_start),
  count: Number(row.count),
});

/** The shared counts in `rate_limit_counters` (PostgreSQL): one upsert per batch, sorted so batches never deadlock. */
export function databaseSharedCounts(db: Database): SharedCounts {
  return {
    async add(counts) {
      const rows = [...counts]
        .sort((a, b) => (a.key < b.key ? -1 : 1))
        .map((count) => ({ key: count.key, window_start: count.windowStart, count: count.count }));
      const totals = await db.kysely
        .insertInto('rate_limit_counters')
        .values(rows)
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            count: sql<number>`case
              when rate_limit_counters.window_start = excluded.window_start
                then rate_limit_counters.count + excluded.count
              when rate_limit_counters.window_start < excluded.window_start then excluded.count
              else rate_limit_counters.count end`,
            window_start: sql<number>`greatest(rate_limit_counters.window_start, excluded.window_start)`,
          }),
        )
        .returning(['key', 'window_start', 'count'])
        .execute();
      return totals.map(countOf);
    },
    async read(key) {
      const row = await db.kysely
        .selectFrom('rate_limit_counters')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? countOf(row) : undefined;
    },
  };
}

/** Counters whose window ended are dead weight; the housekeeping sweep removes them. */
export async function purgeEndedRateLimitWindows(db: Database, now: Date): Promise<number> {
  const result = await db.kysely
    .deleteFrom('rate_limit_counters')
    .where('window_start', '<', now.getTime() - rateLimitWindowMs)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * A caller's window in this process: `known` is the shared total as last
 * learnt (this process's flushed counts included), `sending` what a flush
 * is adding to it, `pending` what this process counted since; `learnt` is the read of the shared total a process
 * makes when it first meets a caller in a window.
 */
type Entry = {
  windowStart: number;
  known: number;
  sending: number;
  pending: number;
  learnt: Promise<void> | undefined;
};

/** Adds every pending count to the shared counts, then keeps the totals they answer. */
async function flushEntries(
  entries: Map<string, Entry>,
  shared: SharedCounts | undefined,
  nowMs: number,
  logger: Logger | undefined,
): Promise<void> {
  const batch: Count[] = [];
  for (const [key, entry] of entries) {
    if (entry.pending > 0) batch.push({ key, windowStart: entry.windowStart, count: entry.pending });
    else if (entry.windowStart + rateLimitWindowMs <= nowMs) entries.delete(key);
  }
  if (!shared || batch.length === 0) return;
  for (const count of batch) {
    const entry = entries.get(count.key) as Entry;
    entry.pending -= count.count;
    entry.sending += count.count;
  }
  for (let start = 0; start < batch.length; start += flushRowsMax) {
    const slice = batch.slice(start, start + flushRowsMax);
    const totals = await shared.add(slice).catch((error: unknown) => {
      logger?.warn({ err: error }, 'rate-limit counts could not be shared; they are kept for the next flush');
      return undefined;
    });
    for (const count of slice) {
      const entry = entries.get(count.key);
      if (!entry || entry.windowStart !== count.windowStart) continue;
      entry.sending -= count.count;
      if (!totals) entry.pending += count.count;
    }
    for (const total of totals ?? []) {
      const entry = entries.get(total.key);
      if (entry && entry.windowStart === total.windowStart) entry.known = Math.max(entry.known, total.count);
    }
  }
}

export type WindowCounter = {
  /** Counts one request of `key`: how many it has made in this window, and the milliseconds left in it. */
  increment(key: string): Promise<{ current: number; ttl: number }>;
  /** Adds what this process counted to the shared counts and learns the totals. */
  flush(): Promise<void>;
  stop(): Promise<void>;
};

export function createWindowCounter(options: {
  clock: Clock;
  shared?: SharedCounts | undefined;
  logger?: Logger | undefined;
  timer?: Timer;
}): WindowCounter {
  const { clock, shared } = options;
  const entries = new Map<string, Entry>();
  let flushing: Promise<void> | undefined;

  const flush = (): Promise<void> => {
    flushing ??= flushEntries(entries, shared, clock.now().getTime(), options.logger).finally(() => {
      flushing = undefined;
    });
    return flushing;
  };
  const schedule = shared
    ? (options.timer ?? systemTimer).every(rateLimitFlushIntervalMs, () => void flush())
    : undefined;

  return {
    async increment(key) {
      const nowMs = clock.now().getTime();
      const windowStart = nowMs - (nowMs % rateLimitWindowMs);
      let entry = entries.get(key);
      if (!entry || entry.windowStart !== windowStart) {
        entries.delete(key);
        if (entries.size >= rateLimitKeysMax) entries.delete(entries.keys().next().value as string);
        const fresh: Entry = { windowStart, known: 0, sending: 0, pending: 0, learnt: undefined };
        fresh.learnt = shared?.read(key).then(
          (total) => {
            if (total?.windowStart === windowStart) fresh.known = Math.max(fresh.known, total.count);
          },
          (error: unknown) => options.logger?.warn({ err: error }, 'a shared rate-limit count could not be read'),
        );
        entry = fresh;
        entries.set(key, entry);
      }
      entry.pending += 1;
      // While the shared count is read, a flush may move this request from pending to sending, then to known.
      await entry.learnt;
      const current = entry.known + entry.sending + entry.pending;
      invariant(current >= 1, `the count of ${key} in its window includes this request`);
      return { current, ttl: windowStart + rateLimitWindowMs - nowMs };
    },
    flush,
    async stop() {
      schedule?.cancel();
      await flush();
    },
  };
}

/** The key a request is counted under: its proven caller, else its address. */
export function rateLimitKeyOf(request: FastifyRequest): string {
  const caller = request.caller;
  return caller ? `${caller.type}:${caller.id}` : `address:${request.ip}`;
}

function limitOf(caller: Caller | undefined, settings: RateLimitSettings): number {
  if (!caller) return settings.anonymousPerMinute;
  if (caller.type === 'participant' && caller.rateLimitPerMinute != null) return caller.rateLimitPerMinute;
  return settings.perCallerPerMinute;
}

/** `@fastify/rate-limit`'s store interface over the window counter. */
function storeOf(counter: WindowCounter) {
  return class WindowStore {
    incr(key: string, done: (error: Error | null, result?: { current: number; ttl: number }) => void): void {
      counter.increment(key).then(
        (result) => done(null, result),
        (error: Error) => done(error),
      );
    }
    child(): WindowStore {
      return this;
    }
  };
}

export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Registers `@fastify/rate-limit` (no hook of its own) and answers the hook
 * the app runs right after authentication and before idempotency, so a
 * refusal is never stored as a key's answer.
 */
export async function registerRateLimit(
  app: App,
  options: { counter: WindowCounter; settings: RateLimitSettings },
): Promise<RateLimitHook> {
  const { counter, settings } = options;
  await app.register(rateLimit, {
    global: false,
    store: storeOf(counter) as never,
    timeWindow: rateLimitWindowMs,
    keyGenerator: rateLimitKeyOf,
    max: (request: FastifyRequest) => limitOf(request.caller, settings),
  });
  app.addHook('onClose', () => counter.stop());
  const check = app.createRateLimit();
  return async (request, reply) => {
    const verdict = await check(request);
    if (verdict.isAllowed) return;
    const resetSeconds = Math.max(1, verdict.ttlInSeconds);
    reply.header('ratelimit-limit', verdict.max);
    reply.header('ratelimit-remaining', verdict.remaining);
    reply.header('ratelimit-reset', resetSeconds);
    if (!verdict.isExceeded) return;
    reply.header('retry-after', resetSeconds);
    throw new Problem(
      'rate_limited',
      `${verdict.max} requests a minute are allowed to this caller; try again in ${resetSeconds} s`,
    );
  };
}
