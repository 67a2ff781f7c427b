import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reconciliations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('window_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lines', 'integer', (c) => c.notNull())
    .addColumn('matched', 'integer', (c) => c.notNull())
    .addColumn('missing_at_hub', 'integer', (c) => c.notNull())
    .addColumn('missing_at_participant', 'integer', (c) => c.notNull())
    .addColumn('mismatched', 'integer', (c) => c.notNull())
    .addColumn('malformed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema
    .createIndex('reconciliations_by_participant_window')
    .on('reconciliations')
    .columns(['participant_id', 'window_id', 'id'])
    .execute();

  await db.schema
    .createTable('reconciliation_uploads')
    .addColumn('reconciliation_id', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('transfer_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('reconciliation_uploads_key')
    .on('reconciliation_uploads')
    .columns(['reconciliation_id', 'transfer_id', 'direction'])
    .execute();

  await db.schema
    .createTable('reconciliation_items')
    .addColumn('reconciliation_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('line', 'integer')
    .addColumn('transfer_id', 'text')
    .addColumn('direction', 'text')
    .addColumn('field', 'text')
    .addColumn('participant_value', 'text')
    .addColumn('hub_value', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('reconciliation_items_by_kind')
    .on('reconciliation_items')
    .columns(['reconciliation_id', 'kind', 'line', 'transfer_id'])
    .execute();

  // Statements and reconciliation read one participant's transfers of one window, from either side.
  await db.schema
    .createIndex('transfers_by_payer_window')
    .on('transfers')
    .columns(['payer_id', 'window_id', 'id'])
    .execute();
  await db.schema
    .createIndex('transfers_by_payee_window')
    .on('transfers')
    .columns(['payee_id', 'window_id', 'id'])
    .execute();
}
