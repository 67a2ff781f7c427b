import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Transaction, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Database, openDatabase } from './connection.ts';
import type { Tables } from './schema.ts';
import { cachedRead } from './read-cache.ts';
import { groupAgeMsMax } from './shared-transaction.ts';

// Groups are SQLite's; the file is made here whatever the test engine, so both runs prove it.
let folder: string;
let file: string;
let database: Database;
let reader: BetterSqlite3.Database;

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'lintas-groups-'));
  file = join(folder, 'hub.sqlite');
  database = openDatabase(file);
  await sql`create table t (n integer)`.execute(database.kysely);
  database.startGroupCommit();
  reader = new BetterSqlite3(file, { readonly: true });
});
afterEach(async () => {
  reader.close();
  await database.close();
  rmSync(folder, { recursive: true, force: true });
});

const insert = (n: number) => sql`insert into t (n) values (${n})`.execute(database.kysely);
/** What another process sees: only what was committed. */
const committedRows = () => (reader.prepare('select n from t order by n').all() as { n: number }[]).map((row) => row.n);
const inUseCase = <T>(work: (tx: Transaction<Tables>) => Promise<T>) => database.kysely.transaction().execute(work);

describe('a served SQLite hub: requests that arrive together share one COMMIT', () => {
  test('use cases and writes outside them commit once, when someone must answer', async () => {
    const commitsBefore = database.counters.commits;
    await insert(1);
    await inUseCase(async (tx) => {
      await sql`insert into t (n) values (2)`.execute(tx);
    });
    await insert(3);
    expect(committedRows()).toEqual([]);
    await Promise.all([database.durable(), database.durable()]);
    expect(committedRows()).toEqual([1, 2, 3]);
    expect(database.counters.commits - commitsBefore).toBe(1);
  });

  test('a group SQLite rolls back whole makes the read cache forget what it read from it', async () => {
    await database.startReadCache();
    let loads = 0;
    const load = async () => {
      loads += 1;
      return `read ${loads}`;
    };
    await insert(1);
    expect(await cachedRead(database.kysely, 'merchant', 'mer_in_group', load)).toBe('read 1');
    expect(await cachedRead(database.kysely, 'merchant', 'mer_in_group', load)).toBe('read 1');
    // As a full disk would, SQLite ends the whole transaction itself: here a trigger's RAISE(ROLLBACK).
    await sql`create table lost (n integer)`.execute(database.kysely);
    await sql`create trigger lose before insert on lost begin select raise(rollback, 'lost'); end`.execute(
      database.kysely,
    );
    await expect(sql`insert into lost (n) values (1)`.execute(database.kysely)).rejects.toThrow('lost');
    await database.durable();
    expect(committedRows()).toEqual([]);
    expect(await cachedRead(database.kysely, 'merchant', 'mer_in_group', load)).toBe('read 2');
  });

  test('a use case that fails loses its own writes only', async () => {
    await insert(1);
    await expect(
      inUseCase(async (tx) => {
        await sql`insert into t (n) values (2)`.execute(tx);
        throw new Error('refused half way');
      }),
    ).rejects.toThrow('refused half way');
    await insert(3);
    await database.durable();
    expect(committedRows()).toEqual([1, 3]);
  });

  test('a commit asked for while a use case is half way waits until it ends', async () => {
    let letGo: () => void = () => {};
    const held = new Promise<void>((done) => {
      letGo = done;
    });
    const running = inUseCase(async (tx) => {
      await sql`insert into t (n) values (1)`.execute(tx);
      await held;
      await sql`insert into t (n) values (2)`.execute(tx);
    });
    await new Promise((done) => setTimeout(done, 5));
    const durable = database.durable();
    await new Promise((done) => setTimeout(done, 5));
    expect(committedRows()).toEqual([]);
    letGo();
    await running;
    await durable;
    expect(committedRows()).toEqual([1, 2]);
  });

  test(`a group nobody asks about commits on its own, ${groupAgeMsMax} ms after its first write`, async () => {
    await insert(7);
    expect(committedRows()).toEqual([]);
    // The timer's own delay is asserted loosely: a loaded machine runs it late, never not at all.
    const deadline = performance.now() + 2_000;
    while (committedRows().length === 0 && performance.now() < deadline)
      await new Promise((done) => setTimeout(done, 5));
    expect(committedRows()).toEqual([7]);
  });

  test('reads on the hub see its own group before it commits', async () => {
    await insert(5);
    const seen = await sql<{ n: number }>`select n from t`.execute(database.kysely);
    expect(seen.rows.map((row) => row.n)).toEqual([5]);
    expect(committedRows()).toEqual([]);
  });
});
