import { cryptoRandom, randomFraction } from '../platform/index.ts';
import { type Kysely, PostgresAdapter, type Transaction, sql } from 'kysely';
import type { Database } from './connection.ts';
import type { Tables } from './schema.ts';

/** What every store function takes: the transaction of the use case it runs in. */
export type Tx = Transaction<Tables>;
/** Reads that need no transaction may take the plain handle too. */
export type Queryable = Kysely<Tables>;

const retryAttemptsMax = 8;
const retryDelayMsMax = 50;
const retryableSqlStates = new Set(['40001', '40P01']);

/**
 * One use case = one transaction. PostgreSQL may abort a transaction for a
 * serialization failure or a deadlock; the work is then retried from the
 * start, a bounded number of times. SQLite transactions run one at a time.
 */
export async function inTransaction<T>(database: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await database.kysely.transaction().execute(work);
    } catch (error) {
      if (attempt >= retryAttemptsMax || !isRetryable(error)) throw error;
      await new Promise((done) => setTimeout(done, randomFraction(cryptoRandom) * retryDelayMsMax * attempt));
    }
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && retryableSqlStates.has(code);
}

export function isPostgres(db: Queryable): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Row locks where the engine has them. SQLite needs none: a process holds
 * one connection and runs its transactions one after another.
 */
export function forUpdate<QB extends { forUpdate(): QB }>(tx: Queryable, query: QB): QB {
  return isPostgres(tx) ? query.forUpdate() : query;
}

/** Serializes rare global decisions (such as prefix overlap) across hub processes. */
export async function lockNamed(tx: Tx, name: string): Promise<void> {
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(tx);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string | null): T {
  if (text === null) return null as T;
  return JSON.parse(text) as T;
}
