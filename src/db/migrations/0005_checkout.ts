import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('checkouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('acquirer_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('reference_hold', 'text')
    .addColumn('buyer_id', 'text', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('methods', 'text', (c) => c.notNull())
    .addColumn('decisions', 'text', (c) => c.notNull())
    .addColumn('client_secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('paid_at', 'text')
    .addColumn('expired_at', 'text')
    .addColumn('canceled_at', 'text')
    .addColumn('transfer_id', 'text')
    .addColumn('paid_wallet_id', 'text')
    .execute();
  // A reference is unique per merchant among checkouts that still hold it.
  await db.schema
    .createIndex('checkouts_reference_hold')
    .on('checkouts')
    .columns(['merchant_id', 'reference_hold'])
    .unique()
    .execute();
  await db.schema.createIndex('checkouts_by_merchant').on('checkouts').columns(['merchant_id', 'id']).execute();
  await db.schema.createIndex('checkouts_open_by_expiry').on('checkouts').columns(['status', 'expires_at']).execute();

  await db.schema
    .createTable('checkout_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('checkout_id', 'text', (c) => c.notNull().references('checkouts.id'))
    .addColumn('wallet_id', 'text', (c) => c.notNull())
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('share_token', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('checkout_attempts_by_checkout')
    .on('checkout_attempts')
    .columns(['checkout_id', 'id'])
    .execute();

  await db.schema
    .createTable('payment_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('attempt_id', 'text')
    .addColumn('wallet_id', 'text')
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_tokens_by_object').on('payment_tokens').columns(['object_id']).execute();
}
