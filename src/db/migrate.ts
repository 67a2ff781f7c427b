import { Migrator, type Kysely } from 'kysely';
import type { Database } from './connection.ts';
import { migrations } from './migrations/index.ts';

/** Brings the schema up to date; safe to run from several hub processes at once. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    db: database.kysely as unknown as Kysely<unknown>,
    provider: { getMigrations: async () => migrations },
    // Capabilities are built side by side; a data directory made before a
    // sibling's migration landed must still take it.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
