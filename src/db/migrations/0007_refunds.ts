import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_transfer_id', 'text', (c) => c.notNull())
    .addColumn('transfer_id', 'text', (c) => c.notNull().unique())
    .addColumn('issuer_id', 'text', (c) => c.notNull())
    .addColumn('acquirer_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_event_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('succeeded_at', 'text')
    .execute();
  await db.schema.createIndex('refunds_by_payment').on('refunds').columns(['payment_transfer_id', 'id']).execute();
  await db.schema.createIndex('refunds_pending').on('refunds').columns(['status', 'id']).execute();
}
