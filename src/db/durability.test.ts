import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Database, openDatabase } from './connection.ts';

// Group commit is SQLite's; the file is made here whatever the test engine, so both runs prove it.
let folder: string;
let database: Database;

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'lintas-durability-'));
  database = openDatabase(join(folder, 'hub.sqlite'));
  await sql`create table t (n integer)`.execute(database.kysely);
});
afterEach(async () => {
  await database.close();
  rmSync(folder, { recursive: true, force: true });
});

const insert = (n: number) => sql`insert into t (n) values (${n})`.execute(database.kysely);

describe('durable(): SQLite commits flushed in groups', () => {
  test('commits made together are flushed once for all who wait', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, n) => insert(n)));
    const before = database.counters.flushes;
    await Promise.all(Array.from({ length: 50 }, () => database.durable()));
    expect(database.counters.flushes - before).toBe(1);
  });

  test('with nothing committed since the last flush, nothing is flushed', async () => {
    await insert(1);
    await database.durable();
    const before = database.counters.flushes;
    await database.durable();
    await sql`select count(*) from t`.execute(database.kysely);
    await database.durable();
    expect(database.counters.flushes).toBe(before);
  });

  test('a commit made while a flush is under way waits for the next flush, not that one', async () => {
    await insert(1);
    const first = database.durable();
    await insert(2);
    const second = database.durable();
    const before = database.counters.flushes;
    await first;
    await second;
    expect(database.counters.flushes - before).toBe(2);
  });

  test('a transaction counts as one commit, whatever it wrote', async () => {
    const before = database.counters.commits;
    await database.kysely.transaction().execute(async (tx) => {
      await sql`insert into t (n) values (1)`.execute(tx);
      await sql`insert into t (n) values (2)`.execute(tx);
    });
    expect(database.counters.commits - before).toBe(1);
  });
});
