/**
 * Per-process caches of rows that nearly every request reads and few change: a participant with its keys,
 * prefixes and caps, a merchant, a key by its id. A payment read the calling participant about five times
 * and the merchant four, four statements a participant.
 *
 * Invalidation is explicit. A store that writes such a row calls `noteChange(tx, topic, id)` in the writing
 * transaction: the entry is dropped at once and again after the commit, and a load is kept only when no
 * change at all came while it ran, so a read that began before the commit cannot keep the old row. Reads
 * through the writing transaction itself bypass the cache (they must see its own writes). On PostgreSQL the
 * change is also announced with NOTIFY, which the server delivers at commit to every hub process on the
 * database; a process whose LISTEN connection is down caches nothing until it is back. Every entry also
 * expires after `entryTtlMs`, so a lost notification cannot keep a row stale longer. Cached values are
 * frozen: a caller that tried to change one would throw instead of changing it for everyone.
 */
import { sql } from 'kysely';
import { type Queryable, afterCommit, isPostgres } from './transaction.ts';

export type CachedTopic = 'participant' | 'participant_row' | 'participant_key' | 'merchant';

/** How long an entry is trusted without a notification; the bound on staleness if one is ever lost. */
export const entryTtlMs = 30_000;
/** Entries kept per process; past it the cache starts again. */
export const entriesMax = 10_000;
/** The NOTIFY channel hub processes announce changes on. */
export const changesChannel = 'lintas_changes';

type Entry = { value: unknown; storedAtMs: number };

export class ReadCache {
  /** False while changes could be missed (before start, or while PostgreSQL's LISTEN connection is down). */
  enabled = false;
  private readonly entries = new Map<string, Entry>();
  private changes = 0;

  async read<V>(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const nowMs = performance.now();
    const entry = this.enabled ? this.entries.get(key) : undefined;
    if (entry !== undefined && nowMs - entry.storedAtMs < entryTtlMs) return entry.value as V;
    const changesBefore = this.changes;
    const value = await load();
    if (value !== undefined && this.enabled && this.changes === changesBefore) {
      if (this.entries.size >= entriesMax) this.entries.clear();
      this.entries.set(key, { value: deepFreeze(value), storedAtMs: nowMs });
    }
    return value;
  }

  forget(key: string): void {
    this.changes += 1;
    this.entries.delete(key);
  }

  forgetAll(): void {
    this.changes += 1;
    this.entries.clear();
  }
}

function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A transaction and the cache share the adapter of the Kysely instance they come from. */
const cachesByAdapter = new WeakMap<object, ReadCache>();
const changedIn = new WeakMap<Queryable, Set<string>>();

export function attachReadCache(kysely: Queryable, cache: ReadCache): void {
  cachesByAdapter.set(kysely.getExecutor().adapter, cache);
}

function keyOf(topic: CachedTopic, id: string): string {
  return `${topic}:${id}`;
}

export function cachedRead<V>(
  db: Queryable,
  topic: CachedTopic,
  id: string,
  load: () => Promise<V | undefined>,
): Promise<V | undefined> {
  const key = keyOf(topic, id);
  const cache = cachesByAdapter.get(db.getExecutor().adapter);
  if (cache === undefined || changedIn.get(db)?.has(key)) return load();
  return cache.read(key, load);
}

/** Called in the transaction that writes a cached row, before or after the write. */
export async function noteChange(tx: Queryable, topic: CachedTopic, id: string): Promise<void> {
  const key = keyOf(topic, id);
  const changed = changedIn.get(tx) ?? new Set<string>();
  changedIn.set(tx, changed);
  changed.add(key);
  const cache = cachesByAdapter.get(tx.getExecutor().adapter);
  cache?.forget(key);
  afterCommit(tx, () => cache?.forget(key));
  if (isPostgres(tx)) await sql`select pg_notify(${changesChannel}, ${key})`.execute(tx);
}

/** What a notification from another process says; malformed payloads drop everything, to be safe. */
export function forgetAnnounced(cache: ReadCache, payload: string | undefined): void {
  if (payload !== undefined && /^(participant|participant_row|participant_key|merchant):/.test(payload))
    cache.forget(payload);
  else cache.forgetAll();
}
