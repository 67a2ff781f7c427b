import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('merchant_qr_templates')
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('merchant_qr_templates_pk', ['merchant_id', 'template_id'])
    .execute();

  await db.schema
    .createTable('till_qr_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('acquirer_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('qr_payload', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('paid_at', 'text')
    .addColumn('expired_at', 'text')
    .addColumn('canceled_at', 'text')
    .addColumn('transfer_id', 'text')
    .addColumn('paid_wallet_id', 'text')
    .execute();
  await db.schema.createIndex('till_qr_codes_by_merchant').on('till_qr_codes').columns(['merchant_id', 'id']).execute();

  // A placard's token pays once: the wallet resolves again for the next payment.
  await db.schema.alterTable('payment_tokens').addColumn('used_at', 'text').execute();
}
