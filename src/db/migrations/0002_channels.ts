import { type Kysely, sql } from 'kysely';

/**
 * Channels (a merchant's application to a wallet, which is the channel) and
 * the merchant's checkout settings that rank them. Portable types only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('wallet_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('business_details', 'text', (c) => c.notNull())
    .addColumn('question', 'text')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'text')
    .addColumn('rejected_at', 'text')
    .addColumn('suspended_at', 'text')
    .addColumn('reinstated_at', 'text')
    .addColumn('info_requested_at', 'text')
    .addColumn('info_provided_at', 'text')
    .execute();
  // One live channel per (merchant, wallet); rejected ones stay as history and
  // do not block a new application. Partial unique indexes exist on both engines.
  await db.schema
    .createIndex('channels_live_per_merchant_wallet')
    .on('channels')
    .columns(['merchant_id', 'wallet_id'])
    .unique()
    .where(sql<boolean>`status <> 'rejected'`)
    .execute();
  await db.schema.createIndex('channels_by_merchant').on('channels').columns(['merchant_id', 'id']).execute();
  await db.schema.createIndex('channels_by_wallet').on('channels').columns(['wallet_id', 'status', 'id']).execute();

  await db.schema
    .createTable('checkout_settings')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey().references('merchants.id'))
    .addColumn('default_wallet_id', 'text', (c) => c.references('participants.id'))
    .addColumn('primary_wallet_ids', 'text', (c) => c.notNull())
    .addColumn('method_order', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
