/**
 * better-sqlite3 behind Kysely, with its prepared statements kept. Kysely prepares every query it runs
 * (`db.prepare(sql)` then `all` or `run`); the hub runs a few hundred distinct statements, so each is
 * compiled by SQLite once per process instead of once per use. Counting the prepares counts the statements,
 * and watching BEGIN/COMMIT counts the commits (each a write to the WAL and, at `synchronous = FULL`, an
 * fsync), which the payments bench reports per payment.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { invariant } from '../platform/index.ts';

/** Distinct statements kept; past it the cache starts again, so a generated-SQL path cannot grow it forever. */
export const preparedStatementsMax = 2_000;

export type DatabaseCounters = {
  /** Statements run, BEGIN and COMMIT included. */
  statements: number;
  /** Transactions committed, a write outside a transaction counting as its own. */
  commits: number;
  /** Flushes of the WAL to the disk, each covering every commit before it (see durability.ts). */
  flushes: number;
};

export function cachedStatements(sqlite: BetterSqlite3.Database): {
  database: SqliteDatabase;
  counters: DatabaseCounters;
} {
  const counters: DatabaseCounters = { statements: 0, commits: 0, flushes: 0 };
  const prepared = new Map<string, BetterSqlite3.Statement>();
  let inTransaction = false;

  function note(sql: string, readonly: boolean): void {
    counters.statements += 1;
    const word = sql.slice(0, 8).toLowerCase();
    if (word.startsWith('begin')) {
      invariant(!inTransaction, 'a transaction begins only when none is open on the one connection');
      inTransaction = true;
    } else if (word.startsWith('commit')) {
      inTransaction = false;
      counters.commits += 1;
    } else if (word.startsWith('rollback') && !sql.toLowerCase().startsWith('rollback to')) {
      inTransaction = false;
    } else if (!inTransaction && !readonly) {
      counters.commits += 1;
    }
  }

  function prepare(sql: string): SqliteStatement {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      if (prepared.size >= preparedStatementsMax) prepared.clear();
      statement = sqlite.prepare(sql);
      prepared.set(sql, statement);
    }
    note(sql, statement.readonly);
    return statement as unknown as SqliteStatement;
  }

  return { database: { prepare, close: () => sqlite.close() }, counters };
}
