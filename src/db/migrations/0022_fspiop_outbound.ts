import type { Kysely } from 'kysely';

/**
 * A Lintas wallet paying a DFSP's party: the hub is the payer FSP, and this is where it keeps the quote
 * it asked for until the DFSP answers; the transfer that follows is an ordinary fspiop_transfers row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fspiop_outbound')
    .addColumn('quote_id', 'text', (c) => c.primaryKey())
    .addColumn('transfer_id', 'text', (c) => c.notNull().unique())
    .addColumn('wallet_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('payer_ref', 'text', (c) => c.notNull())
    .addColumn('payee_fsp', 'text', (c) => c.notNull().references('fspiop_dfsps.fsp_id'))
    .addColumn('party_type', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('fspiop_outbound_payer_ref', ['wallet_id', 'payer_ref'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fspiop_outbound').execute();
}
