import type { Kysely } from 'kysely';

/**
 * Who bears the loss of a dispute, per reason and circumstance: data the
 * operator owns (and changes, audited), seeded with the defaults of
 * docs/disputes.md. A dispute a rule decided names that rule.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('liability_rules')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('circumstance', 'text', (c) => c.notNull())
    .addColumn('bears', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('liability_rules_pk', ['reason', 'circumstance'])
    .execute();
  await db.schema.alterTable('disputes').addColumn('decided_by_rule', 'text').execute();
  const at = '2026-12-07T00:00:00.000Z';
  const rows = defaultRules.map(([reason, circumstance, bears, note]) => ({
    reason,
    circumstance,
    bears,
    note,
    updated_at: at,
  }));
  await (db as Kysely<{ liability_rules: (typeof rows)[number] }>).insertInto('liability_rules').values(rows).execute();
}

const signed = 'the issuer authorised the payment with its own signed transfer, so an unauthorised one is its loss';
const proof = 'the merchant must show delivery; contested without proof the operator finds for the issuer';

/** [reason, circumstance, bears, note]: the defaults a fresh hub starts with. */
const defaultRules: readonly [string, string, string, string][] = [
  ['duplicate', 'checkout_payment', 'refused', 'the hub holds one transfer per checkout: it cannot be paid twice'],
  ['not_received', 'unanswered', 'acquirer', 'no answer by the deadline is an acceptance'],
  ['not_as_described', 'unanswered', 'acquirer', 'no answer by the deadline is an acceptance'],
  ['duplicate', 'unanswered', 'acquirer', 'no answer by the deadline is an acceptance'],
  ['amount_differs', 'unanswered', 'acquirer', 'no answer by the deadline is an acceptance'],
  ['unauthorised', 'unanswered', 'issuer', signed],
  ['canceled_but_charged', 'unanswered', 'acquirer', 'no answer by the deadline is an acceptance'],
  ['other', 'unanswered', 'acquirer', 'no answer by the deadline is an acceptance'],
  ['not_received', 'escalated', 'acquirer', proof],
  ['not_as_described', 'escalated', 'acquirer', 'the merchant sold it; the operator weighs the evidence'],
  ['duplicate', 'escalated', 'acquirer', 'a second charge is the merchant’s to return'],
  ['amount_differs', 'escalated', 'acquirer', 'the merchant set the amount'],
  ['unauthorised', 'escalated', 'issuer', signed],
  ['canceled_but_charged', 'escalated', 'acquirer', 'the merchant charged after the cancellation'],
  ['other', 'escalated', 'issuer', 'a claim outside the listed reasons is the issuer’s to prove'],
];
