export { type Database, type Engine, openDatabase, isPostgresUrl, parseBigintSafely } from './connection.ts';
export {
  type Tx,
  type Queryable,
  inTransaction,
  beforeCommit,
  type AtCommit,
  forUpdate,
  lockNamed,
  isPostgres,
  toJson,
  fromJson,
} from './transaction.ts';
export { migrateToLatest } from './migrate.ts';
export { type CachedTopic, cachedRead, noteChange } from './read-cache.ts';
export type { Tables } from './schema.ts';
export type * from './tables/index.ts';
export { DatabaseInUseError, holdSqliteFile } from './process-lock.ts';
export { databaseMetrics } from './metrics.ts';
export type { DatabaseCounters } from './sqlite-statements.ts';
export { sqliteHoldsSealedSecrets } from './sealed-secrets.ts';
