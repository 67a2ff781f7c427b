import type { Kysely } from 'kysely';

/**
 * Rate limits. `rate_limit_counters` holds, per caller key (`participant:…`,
 * `merchant:…`, `buyer:…`, `address:…`), the requests counted in its current
 * fixed window (`window_start`, epoch milliseconds), summed by every hub
 * process on one PostgreSQL. A participant's own limit, set by the operator,
 * is `participants.rate_limit_per_minute` (null: the hub's default).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('window_start', 'bigint', (column) => column.notNull())
    .addColumn('count', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.alterTable('participants').addColumn('rate_limit_per_minute', 'integer').execute();
}
