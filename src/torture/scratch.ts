// A database of a run's own, made before it and dropped after: a SQLite file in a fresh folder, or a fresh
// database on a PostgreSQL server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type ScratchEngine = 'sqlite' | 'postgres';
export type Scratch = { db: string; dataDir: string; drop(): Promise<void> };

export const pgServerUrlDefault = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function onPostgresServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** `name` (letters, digits and underscores) names the folder and the PostgreSQL database, with this process's id. */
export async function scratchDatabase(engine: ScratchEngine, serverUrl: string, name: string): Promise<Scratch> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`a scratch database name is [a-z0-9_]+, not "${name}"`);
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (engine === 'sqlite') return { db: join(dataDir, 'hub.sqlite'), dataDir, drop: async () => removeDir() };
  const database = `${name}_${process.pid}`;
  await onPostgresServer(serverUrl, `create database ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return {
    db: url.toString(),
    dataDir,
    drop: async () => {
      removeDir();
      await onPostgresServer(serverUrl, `drop database if exists ${database} with (force)`);
    },
  };
}
