import { type Refusal, cryptoRandom, invariant, randomFraction } from '../platform/index.ts';
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
 * Work a use case leaves for the last statements before its COMMIT. A row
 * every request of one party writes (a large participant's position) is then
 * locked from its update to the commit, not for the whole use case. A piece
 * that refuses rolls the whole transaction back, and `inTransaction` answers
 * that refusal: only use cases whose result may carry its code leave work here.
 */
export type AtCommit = (tx: Tx) => Promise<Refusal<string> | undefined>;

const atCommitWork = new WeakMap<Tx, AtCommit[]>();

export function beforeCommit(tx: Tx, work: AtCommit): void {
  const queued = atCommitWork.get(tx);
  invariant(queued !== undefined, 'work left for the commit runs in a transaction opened by inTransaction');
  queued.push(work);
}

const afterCommitWork = new WeakMap<Queryable, (() => void)[]>();

/**
 * Runs `work` once the transaction has committed (a transaction not opened
 * by `inTransaction` runs none: callers must not need it for correctness).
 */
export function afterCommit(tx: Queryable, work: () => void): void {
  afterCommitWork.get(tx)?.push(work);
}

class RefusedAtCommit extends Error {
  constructor(readonly refusal: Refusal<string>) {
    super(refusal.detail);
  }
}

async function workThenCommitWork<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  const queued: AtCommit[] = [];
  atCommitWork.set(tx, queued);
  const result = await work(tx);
  for (let index = 0; index < queued.length; index += 1) {
    const refusal = await queued[index]?.(tx);
    if (refusal !== undefined) throw new RefusedAtCommit(refusal);
  }
  atCommitWork.delete(tx);
  return result;
}

/**
 * One use case = one transaction. PostgreSQL may abort a transaction for a
 * serialization failure or a deadlock; the work is then retried from the
 * start, a bounded number of times. SQLite transactions run one at a time.
 */
export async function inTransaction<T>(database: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const committed: (() => void)[] = [];
      const result = await database.kysely.transaction().execute((tx) => {
        afterCommitWork.set(tx, committed);
        return workThenCommitWork(tx, work);
      });
      for (const done of committed) done();
      return result;
    } catch (error) {
      if (error instanceof RefusedAtCommit) return error.refusal as T;
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
