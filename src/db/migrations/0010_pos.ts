import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pos_charges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('acquirer_id', 'text', (c) => c.notNull())
    .addColumn('issuer_id', 'text', (c) => c.notNull())
    .addColumn('payment_code', 'text', (c) => c.notNull())
    .addColumn('payment_code_hold', 'text')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('transfer_id', 'text', (c) => c.notNull().unique())
    .addColumn('receipt_number', 'text', (c) => c.notNull())
    .addColumn('decline_reason', 'text')
    .addColumn('reversal_reason', 'text')
    .addColumn('deadline_at', 'text', (c) => c.notNull())
    .addColumn('reverse_after', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('succeeded_at', 'text')
    .addColumn('declined_at', 'text')
    .addColumn('unknown_at', 'text')
    .addColumn('reversed_at', 'text')
    .execute();
  // A payment code is single use: held by one charge in any status but declined (NULLs never collide).
  await db.schema
    .createIndex('pos_charges_payment_code_hold')
    .on('pos_charges')
    .column('payment_code_hold')
    .unique()
    .execute();
  await db.schema.createIndex('pos_charges_by_merchant').on('pos_charges').columns(['merchant_id', 'id']).execute();
  await db.schema
    .createIndex('pos_charges_by_reversal_due')
    .on('pos_charges')
    .columns(['status', 'reverse_after'])
    .execute();
}
