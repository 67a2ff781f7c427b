import type { Kysely } from 'kysely';
import { auditPartiesOf } from '../../audit/model.ts';
import type { AuditEventRow } from '../tables/core.ts';
import type { AuditEventPartyRow } from '../tables/rollout.ts';

const backfillBatchEventsMax = 500;

/**
 * Rollout rules (one per merchant and wallet), an index for the funnel's
 * per-day reads of a merchant's checkouts, and who may read each audit
 * event: merchants and participants read the events about their own
 * objects. Events recorded before this migration get their parties here,
 * by the same rule the audit writer applies from now on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rollout_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.id'))
    .addColumn('wallet_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rollout_rules_per_merchant_wallet')
    .on('rollout_rules')
    .columns(['merchant_id', 'wallet_id'])
    .unique()
    .execute();
  await db.schema.createIndex('rollout_rules_by_wallet').on('rollout_rules').columns(['wallet_id', 'id']).execute();

  await db.schema
    .createIndex('checkouts_by_merchant_created')
    .on('checkouts')
    .columns(['merchant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('audit_event_parties')
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull().references('audit_events.id'))
    .addPrimaryKeyConstraint('audit_event_parties_pk', ['party_id', 'event_id'])
    .execute();
  await backfillAuditParties(
    db as unknown as Kysely<{ audit_events: AuditEventRow; audit_event_parties: AuditEventPartyRow }>,
  );
}

async function backfillAuditParties(
  db: Kysely<{ audit_events: AuditEventRow; audit_event_parties: AuditEventPartyRow }>,
): Promise<void> {
  for (let after = ''; ; ) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(backfillBatchEventsMax)
      .execute();
    const parties = rows.flatMap((row) =>
      auditPartiesOf({
        actor: { type: row.actor_type as 'operator', id: row.actor_id },
        action: row.action,
        objectType: row.object_type,
        objectId: row.object_id,
        before: row.before === null ? null : JSON.parse(row.before),
        after: row.after === null ? null : JSON.parse(row.after),
      }).map((party) => ({ party_id: party, event_id: row.id })),
    );
    if (parties.length > 0) await db.insertInto('audit_event_parties').values(parties).execute();
    const last = rows[rows.length - 1];
    if (!last || rows.length < backfillBatchEventsMax) return;
    after = last.id;
  }
}
