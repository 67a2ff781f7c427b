import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { alwaysDurable, sqliteDurability } from './durability.ts';
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
  const { database, counters, shared } = cachedStatements(sqlite);
  const kysely = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
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
    close: async () => {
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
  return {
    kysely,
    engine: 'postgres',
    counters,
    durable: alwaysDurable.durable,
    startGroupCommit: () => {},
    close: () => kysely.destroy(),
  };
}
