import type { Kysely } from 'kysely';

/**
 * FSPIOP (Mojaloop) DFSPs: a participant reached at its FSPIOP callback base
 * URL under its fspId; the oracle of party identifiers; and each FSPIOP
 * transfer beside the Lintas transfer that reserves and commits it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fspiop_dfsps')
    .addColumn('fsp_id', 'text', (c) => c.primaryKey())
    .addColumn('participant_id', 'text', (c) => c.notNull().unique().references('participants.id'))
    .addColumn('callback_url', 'text', (c) => c.notNull())
    .addColumn('currencies', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('fspiop_parties')
    .addColumn('party_type', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('party_sub_id', 'text', (c) => c.notNull())
    .addColumn('fsp_id', 'text', (c) => c.notNull().references('fspiop_dfsps.fsp_id'))
    .addColumn('currency', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('fspiop_parties_pk', ['party_type', 'party_id', 'party_sub_id'])
    .execute();
  await db.schema
    .createTable('fspiop_transfers')
    .addColumn('transfer_id', 'text', (c) => c.primaryKey())
    .addColumn('lintas_transfer_id', 'text', (c) => c.notNull().unique().references('transfers.id'))
    .addColumn('payer_fsp', 'text', (c) => c.notNull())
    .addColumn('payee_fsp', 'text', (c) => c.notNull())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('expiration', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('fulfilment', 'text')
    .addColumn('error_code', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema
    .createIndex('fspiop_transfers_by_expiry')
    .on('fspiop_transfers')
    .columns(['state', 'expiration'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fspiop_transfers').execute();
  await db.schema.dropTable('fspiop_parties').execute();
  await db.schema.dropTable('fspiop_dfsps').execute();
}
