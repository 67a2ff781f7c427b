import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { alwaysDurable, sqliteDurability } from './durability.ts';
import { listenForChanges } from './change-listener.ts';
import { ReadCache, attachReadCache } from './read-cache.ts';
import { type DatabaseCounters, cachedStatements } from './sqlite-statements.ts';
import type { Tables } from './schema.ts';

export type Engine = 'sqlite' | 'postgres';

export type Database = {
  readonly kysely: Kysely<Tables>;
  readonly engine: Engine;
  /** What this process ran; commits are counted on SQLite only (PostgreSQL's own statistics count them there). */
  readonly counters: DatabaseCounters;
  /**
   * Resolves once every commit made so far is on the disk; an answer or an outbound call waits for it before
   * it leaves the process. SQLite flushes commits in groups (durability.ts); PostgreSQL's COMMIT is durable.
   */
  durable(): Promise<void>;
  /**
   * A served hub calls it once its schema is up to date: on SQLite, requests that arrive together then share
   * one transaction and one COMMIT (shared-transaction.ts); on PostgreSQL it changes nothing.
   */
  startGroupCommit(): void;
  /**
   * A served hub calls it once its schema is up to date: the rows every request reads are then cached in the
   * process, with explicit invalidation (read-cache.ts). A connection that never starts it caches nothing.
   */
  startReadCache(): Promise<void>;
  close(): Promise<void>;
};

const pgBigintOid = 20;
const pgPoolConnectionsMax = 10;
const sqliteBusyTimeoutMs = 5_000;

/** PostgreSQL sends bigint as text; amounts must stay exact, so refuse what a double cannot hold. */
export function parseBigintSafely(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`bigint ${text} does not fit a safe integer`);
  return value;
}

export function isPostgresUrl(location: string): boolean {
  return location.startsWith('postgres://') || location.startsWith('postgresql://');
}

export function openDatabase(location: string): Database {
  return isPostgresUrl(location) ? openPostgres(location) : openSqlite(location);
}

function openSqlite(file: string): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  // Commits are flushed in groups by `durable()`, not one by one (durability.ts).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${sqliteBusyTimeoutMs}`);
  sqlite.defaultSafeIntegers(false);
  const cache = new ReadCache();
  // A group rolled back whole takes back writes the cache may have read.
  const { database, counters, shared } = cachedStatements(sqlite, () => cache.forgetAll());
  const kysely = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  attachReadCache(kysely, cache);
  const durability = file === ':memory:' ? alwaysDurable : sqliteDurability(file, counters);
  const durable = async () => {
    await shared.commit();
    await durability.durable();
  };
  return {
    kysely,
    engine: 'sqlite',
    counters,
    durable,
    startGroupCommit: shared.start,
    // One process holds the file (process-lock.ts): every change is made, and forgotten, here.
    startReadCache: async () => {
      cache.enabled = true;
    },
    close: async () => {
      cache.enabled = false;
      await durable();
      await kysely.destroy();
      durability.close();
    },
  };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: pgPoolConnectionsMax,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pgBigintOid
          ? parseBigintSafely
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server closes (a restart, a dropped database)
  // emits 'error' on the pool; the pool replaces it, and the next query that
  // needs one reports any lasting fault. Without a listener it would crash the hub.
  pool.on('error', () => {});
  const counters: DatabaseCounters = { statements: 0, commits: 0, flushes: 0 };
  const kysely = new Kysely<Tables>({
    dialect: new PostgresDialect({ pool }),
    log: () => {
      counters.statements += 1;
    },
  });
  const cache = new ReadCache();
  attachReadCache(kysely, cache);
  let listener: ReturnType<typeof listenForChanges> | undefined;
  return {
    kysely,
    engine: 'postgres',
    counters,
    durable: alwaysDurable.durable,
    startGroupCommit: () => {},
    startReadCache: async () => {
      listener ??= listenForChanges(url, cache);
      await listener.ready;
    },
    close: async () => {
      await listener?.stop();
      await kysely.destroy();
    },
  };
}
