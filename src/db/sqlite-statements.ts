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
import { type SharedTransaction, sharedTransaction } from './shared-transaction.ts';

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

type Control = 'begin' | 'commit' | 'rollback';

function controlOf(sql: string): Control | undefined {
  const word = sql.slice(0, 8).toLowerCase();
  if (word.startsWith('begin')) return 'begin';
  if (word.startsWith('commit')) return 'commit';
  if (word.startsWith('rollback') && !sql.toLowerCase().startsWith('rollback to')) return 'rollback';
  return undefined;
}

const noChanges = { changes: 0, lastInsertRowid: 0 };

/** A use case's BEGIN, COMMIT or ROLLBACK as Kysely runs it, made a savepoint of the shared transaction. */
function controlStatement(shared: SharedTransaction, control: Control): SqliteStatement {
  const act = { begin: shared.begin, commit: shared.release, rollback: shared.rollback }[control];
  const run = () => {
    act();
    return noChanges;
  };
  const all = () => {
    run();
    return [];
  };
  return { reader: false, run, all, iterate: () => [][Symbol.iterator]() } as SqliteStatement;
}

/** A statement that, once groups started, makes a write outside a use case join the open group. */
function sharedStatement(shared: SharedTransaction, statement: BetterSqlite3.Statement): SqliteStatement {
  const write = !statement.readonly;
  const around = <T>(run: () => T): T => {
    if (write) shared.beforeWrite();
    try {
      return run();
    } finally {
      shared.afterStatement();
    }
  };
  return {
    reader: statement.reader,
    all: (parameters: readonly unknown[]) => around(() => statement.all(parameters)),
    run: (parameters: readonly unknown[]) => around(() => statement.run(parameters)),
    iterate: (parameters: readonly unknown[]) => around(() => statement.iterate(parameters)),
  } as SqliteStatement;
}

export function cachedStatements(
  sqlite: BetterSqlite3.Database,
  onGroupLost: () => void,
): {
  database: SqliteDatabase;
  counters: DatabaseCounters;
  shared: SharedTransaction;
} {
  const counters: DatabaseCounters = { statements: 0, commits: 0, flushes: 0 };
  const prepared = new Map<string, BetterSqlite3.Statement>();
  const wrapped = new Map<string, SqliteStatement>();
  const shared = sharedTransaction(
    sqlite,
    () => {
      counters.commits += 1;
    },
    onGroupLost,
  );
  let inTransaction = false;

  function note(sql: string, readonly: boolean): void {
    counters.statements += 1;
    if (shared.started) return;
    const control = controlOf(sql);
    if (control === 'begin') {
      invariant(!inTransaction, 'a transaction begins only when none is open on the one connection');
      inTransaction = true;
    } else if (control === 'commit') {
      inTransaction = false;
      counters.commits += 1;
    } else if (control === 'rollback') {
      inTransaction = false;
    } else if (!inTransaction && !readonly) {
      counters.commits += 1;
    }
  }

  function statementOf(sql: string): BetterSqlite3.Statement {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      if (prepared.size >= preparedStatementsMax) {
        prepared.clear();
        wrapped.clear();
      }
      statement = sqlite.prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  }

  function prepare(sql: string): SqliteStatement {
    if (!shared.started) {
      const statement = statementOf(sql);
      note(sql, statement.readonly);
      return statement as unknown as SqliteStatement;
    }
    counters.statements += 1;
    let statement = wrapped.get(sql);
    if (statement === undefined) {
      const control = controlOf(sql);
      statement = control ? controlStatement(shared, control) : sharedStatement(shared, statementOf(sql));
      wrapped.set(sql, statement);
    }
    return statement;
  }

  return { database: { prepare, close: () => sqlite.close() }, counters, shared };
}
