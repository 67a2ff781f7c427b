/**
 * The queries of `checkLedger`: aggregates computed by the database, so a
 * check over millions of entries never loads them. They read the transfers
 * table too: the ledger proves what transfers posted.
 */
import { sql } from 'kysely';
import type { Queryable } from '../db/index.ts';

/** PostgreSQL sums bigints into numeric; cast back so the driver returns a checked safe integer. */
const sumOfAmount = sql<number>`cast(sum(amount) as bigint)`;

export async function firstUnbalancedTransfer(db: Queryable) {
  return db
    .selectFrom('ledger_entries')
    .select(['transfer_id', 'currency', sumOfAmount.as('sum')])
    .groupBy(['transfer_id', 'currency'])
    .having(sql`sum(amount)`, '<>', 0)
    .orderBy('transfer_id')
    .limit(1)
    .executeTakeFirst();
}

export async function firstEntryWithoutTransfer(db: Queryable) {
  return db
    .selectFrom('ledger_entries as e')
    .leftJoin('transfers as t', 't.id', 'e.transfer_id')
    .select(['e.id', 'e.transfer_id'])
    .where('t.id', 'is', null)
    .orderBy('e.id')
    .limit(1)
    .executeTakeFirst();
}

export async function firstEntryInAnotherCurrency(db: Queryable) {
  return db
    .selectFrom('ledger_entries as e')
    .innerJoin('transfers as t', 't.id', 'e.transfer_id')
    .select(['e.id', 'e.transfer_id', 'e.currency', 't.currency as transfer_currency'])
    .whereRef('e.currency', '<>', 't.currency')
    .orderBy('e.id')
    .limit(1)
    .executeTakeFirst();
}

export async function firstCommittedWithoutEntries(db: Queryable) {
  return db
    .selectFrom('transfers as t')
    .select(['t.id'])
    .where('t.status', '=', 'committed')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('ledger_entries as e').select('e.id').whereRef('e.transfer_id', '=', 't.id'))))
    .orderBy('t.id')
    .limit(1)
    .executeTakeFirst();
}

export async function firstUncommittedWithEntries(db: Queryable) {
  return db
    .selectFrom('transfers as t')
    .select(['t.id', 't.status'])
    .where('t.status', '<>', 'committed')
    .where(({ exists, selectFrom }) => exists(selectFrom('ledger_entries as e').select('e.id').whereRef('e.transfer_id', '=', 't.id')))
    .orderBy('t.id')
    .limit(1)
    .executeTakeFirst();
}

/** The sum of each account's entries per currency, the hub's account included. */
export async function entrySumsByAccount(db: Queryable): Promise<{ account: string; currency: string; sum: number }[]> {
  return db.selectFrom('ledger_entries').select(['account', 'currency', sumOfAmount.as('sum')]).groupBy(['account', 'currency']).execute();
}

export async function allPositions(db: Queryable) {
  return db.selectFrom('positions').select(['participant_id', 'currency', 'position', 'reserved']).orderBy('participant_id').orderBy('currency').execute();
}

/** What each payer has reserved and not yet committed or released, per currency. */
export async function reservedSumsByPayer(db: Queryable): Promise<{ payer_id: string; currency: string; sum: number }[]> {
  return db
    .selectFrom('transfers')
    .select(['payer_id', 'currency', sumOfAmount.as('sum')])
    .where('status', '=', 'reserved')
    .groupBy(['payer_id', 'currency'])
    .execute();
}

/** A payment whose refunded amount differs from its committed refunds, or passes its own amount. */
export async function firstMisrefundedPayment(db: Queryable) {
  const refunds = db
    .selectFrom('transfers')
    .select(['payment_transfer_id', sumOfAmount.as('refunded')])
    .where('kind', '=', 'refund')
    .where('status', '=', 'committed')
    .groupBy('payment_transfer_id')
    .as('r');
  return db
    .selectFrom('transfers as p')
    .leftJoin(refunds, 'r.payment_transfer_id', 'p.id')
    .select(['p.id', 'p.amount', 'p.refunded_amount', 'r.refunded'])
    .where('p.kind', '=', 'payment')
    .where((eb) => eb.or([eb(eb.fn.coalesce('r.refunded', sql.lit(0)), '<>', eb.ref('p.refunded_amount')), eb('p.refunded_amount', '>', eb.ref('p.amount'))]))
    .orderBy('p.id')
    .limit(1)
    .executeTakeFirst();
}

export async function countRows(db: Queryable): Promise<{ transfers: number; entries: number }> {
  const [transfers, entries] = await Promise.all([
    db.selectFrom('transfers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('ledger_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { transfers: Number(transfers.n), entries: Number(entries.n) };
}

