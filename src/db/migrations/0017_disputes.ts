import type { Kysely } from 'kysely';

/**
 * Disputes (issue 22): an issuer's claim on a payment it paid, answered by
 * the acquirer or its merchant, and ruled by the operator when escalated.
 * A payment's `disputed_amount` is what disputes hold of it (open ones, and
 * those charged back), so refunds and disputes together never pass it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('transfers')
    .addColumn('disputed_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('disputes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_transfer_id', 'text', (c) => c.notNull().references('transfers.id'))
    .addColumn('chargeback_transfer_id', 'text', (c) => c.unique().references('transfers.id'))
    .addColumn('arbitration_fee_transfer_id', 'text', (c) => c.references('transfers.id'))
    .addColumn('issuer_id', 'text', (c) => c.notNull())
    .addColumn('acquirer_id', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('issuer_note', 'text', (c) => c.notNull())
    .addColumn('issuer_evidence', 'text')
    .addColumn('response_note', 'text')
    .addColumn('response_evidence', 'text')
    .addColumn('escalation_note', 'text')
    .addColumn('ruling_reason', 'text')
    .addColumn('ruling_note', 'text')
    .addColumn('responded_by', 'text')
    .addColumn('deadline_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text')
    .addColumn('contested_at', 'text')
    .addColumn('withdrawn_at', 'text')
    .addColumn('escalated_at', 'text')
    .addColumn('ruled_at', 'text')
    .execute();
  await db.schema.createIndex('disputes_by_payment').on('disputes').columns(['payment_transfer_id', 'id']).execute();
  await db.schema.createIndex('disputes_due').on('disputes').columns(['status', 'deadline_at']).execute();
}
