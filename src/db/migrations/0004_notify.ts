import { type Kysely, PostgresAdapter } from 'kysely';

/**
 * The outbox of events, their recipients, webhook endpoints and deliveries.
 *
 * One engine difference, on purpose: `events.seq` is SQLite's rowid
 * (AUTOINCREMENT, never reused after a purge) and a PostgreSQL identity
 * column. Neither is commit order on PostgreSQL, where the feed pages by
 * (xid, seq) instead; see `src/notify/store.ts`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('events')
    .addColumn('seq', postgres ? 'bigint' : 'integer', (c) =>
      postgres ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('xid', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.references('merchants.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_by_position').on('events').columns(['xid', 'seq']).execute();
  await db.schema.createIndex('events_by_merchant').on('events').columns(['merchant_id', 'xid', 'seq']).execute();
  await db.schema.createIndex('events_by_age').on('events').column('created_at').execute();

  await db.schema
    .createTable('event_participants')
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('xid', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
    .addPrimaryKeyConstraint('event_participants_pk', ['participant_id', 'xid', 'seq'])
    .execute();
  await db.schema.createIndex('event_participants_by_event').on('event_participants').column('event_id').execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('sealed_secret', 'text', (c) => c.notNull())
    .addColumn('sealed_previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('secret_rotated_at', 'text')
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_by_merchant')
    .on('webhook_endpoints')
    .columns(['merchant_id', 'id'])
    .execute();

  await db.schema
    .createTable('event_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text')
    .addColumn('endpoint_id', 'text', (c) => c.references('webhook_endpoints.id'))
    .addColumn('participant_id', 'text', (c) => c.references('participants.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('give_up_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('lock_token', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_response_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('failed_at', 'text')
    .execute();
  await db.schema
    .createIndex('event_deliveries_due')
    .on('event_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema.createIndex('event_deliveries_by_event').on('event_deliveries').column('event_id').execute();
  await db.schema
    .createIndex('event_deliveries_by_merchant')
    .on('event_deliveries')
    .columns(['merchant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('event_deliveries_by_participant')
    .on('event_deliveries')
    .columns(['participant_id', 'id'])
    .execute();
}
