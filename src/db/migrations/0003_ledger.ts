import type { Kysely } from 'kysely';

/**
 * Transfers, ledger entries and positions. Entries carry no foreign key to
 * their transfer on purpose: `transfer_id` names the balanced group, and
 * `lintas ledger check` proves every group belongs to a transfer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transfers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('receipt_number', 'text', (c) => c.notNull())
    .addColumn('payer_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('payee_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('checkout_id', 'text')
    .addColumn('payer_ref', 'text')
    .addColumn('payment_transfer_id', 'text', (c) => c.references('transfers.id'))
    .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('interchange', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('issuer_switch_fee', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('acquirer_switch_fee', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('merchant_discount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('on_us', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('committed_at', 'text')
    .addColumn('released_at', 'text')
    .execute();
  await db.schema
    .createIndex('transfers_receipt_number_unique')
    .on('transfers')
    .column('receipt_number')
    .unique()
    .execute();
  // NULLs are distinct on both engines: transfers without a payer ref never clash.
  await db.schema
    .createIndex('transfers_payer_ref_unique')
    .on('transfers')
    .columns(['payer_id', 'payer_ref'])
    .unique()
    .execute();
  await db.schema.createIndex('transfers_by_payer').on('transfers').columns(['payer_id', 'id']).execute();
  await db.schema.createIndex('transfers_by_payee').on('transfers').columns(['payee_id', 'id']).execute();
  await db.schema.createIndex('transfers_by_merchant').on('transfers').columns(['merchant_id', 'id']).execute();
  await db.schema.createIndex('transfers_by_checkout').on('transfers').column('checkout_id').execute();
  await db.schema.createIndex('transfers_by_payment').on('transfers').column('payment_transfer_id').execute();
  await db.schema
    .createIndex('transfers_by_status')
    .on('transfers')
    .columns(['status', 'payer_id', 'currency'])
    .execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transfer_id', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_by_transfer').on('ledger_entries').column('transfer_id').execute();
  await db.schema
    .createIndex('ledger_entries_by_account')
    .on('ledger_entries')
    .columns(['account', 'currency', 'id'])
    .execute();

  await db.schema
    .createTable('positions')
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('reserved', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('positions_pk', ['participant_id', 'currency'])
    .execute();
}
