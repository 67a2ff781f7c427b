import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type TestEngine = 'sqlite' | 'postgres';

export function testEngine(): TestEngine {
  const engine = process.env.LINTAS_TEST_ENGINE ?? 'sqlite';
  if (engine !== 'sqlite' && engine !== 'postgres')
    throw new Error(`LINTAS_TEST_ENGINE must be sqlite or postgres, not ${engine}`);
  return engine;
}

const defaultPgUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own for one test hub: a fresh SQLite file, or a fresh PostgreSQL database. */
export async function createTestDatabase(): Promise<{ location: string; dataDir: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lintas-test-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (testEngine() === 'sqlite') {
    return { location: join(dataDir, 'hub.sqlite'), dataDir, drop: async () => removeDir() };
  }
  const adminUrl = process.env.LINTAS_TEST_PG_URL ?? defaultPgUrl;
  const name = `lintas_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    location: url.toString(),
    dataDir,
    drop: async () => {
      removeDir();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
