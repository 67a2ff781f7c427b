import type { Kysely } from 'kysely';

const backfillBatchEventsMax = 500;

/*
 * A migration is frozen history: the rows it reads and the party rule it
 * applies are copied here as they stood when it was written, so a later
 * change to the live audit rule cannot rewrite what this step did.
 */
type AuditEventRow = {
  id: string;
  actor_type: string;
  actor_id: string;
  object_type: string;
  object_id: string;
  before: string | null;
  after: string | null;
};
type AuditEventPartyRow = { party_id: string; event_id: string };
type BackfillTables = { audit_events: AuditEventRow; audit_event_parties: AuditEventPartyRow };

const partyIdPattern = /^(mer|par)_[0-9a-z]{1,64}$/;
const ownerFields = ['merchantId', 'walletId', 'participantId', 'payerParticipantId', 'payeeParticipantId'];
const ownerFieldsOfType: Record<string, readonly string[]> = { merchant: ['acquirerId'] };

function ownersIn(snapshot: unknown, fields: readonly string[]): string[] {
  if (snapshot === null || typeof snapshot !== 'object' || Array.isArray(snapshot)) return [];
  const record = snapshot as Record<string, unknown>;
  return fields.map((field) => record[field]).filter((value): value is string => typeof value === 'string');
}

function partiesOfEvent(row: AuditEventRow): string[] {
  const fields = [...ownerFields, ...(ownerFieldsOfType[row.object_type] ?? [])];
  const candidates = [
    ...(row.actor_type === 'merchant' || row.actor_type === 'participant' ? [row.actor_id] : []),
    row.object_id,
    ...ownersIn(row.before === null ? null : JSON.parse(row.before), fields),
    ...ownersIn(row.after === null ? null : JSON.parse(row.after), fields),
  ];
  return [...new Set(candidates.filter((id) => partyIdPattern.test(id)))];
}

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
  await backfillAuditParties(db as unknown as Kysely<BackfillTables>);
}

async function backfillAuditParties(db: Kysely<BackfillTables>): Promise<void> {
  for (let after = ''; ; ) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(backfillBatchEventsMax)
      .execute();
    const parties = rows.flatMap((row) => partiesOfEvent(row).map((party) => ({ party_id: party, event_id: row.id })));
    if (parties.length > 0) await db.insertInto('audit_event_parties').values(parties).execute();
    const last = rows[rows.length - 1];
    if (!last || rows.length < backfillBatchEventsMax) return;
    after = last.id;
  }
}
