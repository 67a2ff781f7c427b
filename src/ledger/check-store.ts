/**
 * The queries of `checkLedger`: aggregates computed by the database, so a
 * check over millions of entries never loads them. They read the transfers
 * and settlement tables too: the ledger proves what transfers and
 * settlements posted.
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

/** An entry whose group is neither a transfer nor a settlement. */
export async function firstEntryWithoutTransfer(db: Queryable) {
  return db
    .selectFrom('ledger_entries as e')
    .leftJoin('transfers as t', 't.id', 'e.transfer_id')
    .leftJoin('settlements as s', 's.id', 'e.transfer_id')
    .select(['e.id', 'e.transfer_id'])
    .where('t.id', 'is', null)
    .where('s.id', 'is', null)
    .orderBy('e.id')
    .limit(1)
    .executeTakeFirst();
}

export async function firstEntryInAnotherCurrency(db: Queryable) {
  const ofTransfers = db
    .selectFrom('ledger_entries as e')
    .innerJoin('transfers as t', 't.id', 'e.transfer_id')
    .select(['e.id', 'e.transfer_id', 'e.currency', 't.currency as group_currency'])
    .whereRef('e.currency', '<>', 't.currency');
  const ofSettlements = db
    .selectFrom('ledger_entries as e')
    .innerJoin('settlements as s', 's.id', 'e.transfer_id')
    .select(['e.id', 'e.transfer_id', 'e.currency', 's.currency as group_currency'])
    .whereRef('e.currency', '<>', 's.currency');
  return db
    .selectFrom(ofTransfers.unionAll(ofSettlements).as('x'))
    .selectAll()
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/**
 * A committed transfer without entries, unless it moves nothing: payer and
 * payee differ, the interchange is the whole amount and there is no switch
 * fee (every line of its posting is zero).
 */
export async function firstCommittedWithoutEntries(db: Queryable) {
  return db
    .selectFrom('transfers as t')
    .select(['t.id'])
    .where('t.status', '=', 'committed')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('ledger_entries as e').select('e.id').whereRef('e.transfer_id', '=', 't.id'))),
    )
    .where((eb) =>
      eb.not(
        eb.and([
          eb('t.payer_id', '<>', eb.ref('t.payee_id')),
          eb('t.amount', '=', eb.ref('t.interchange')),
          eb('t.issuer_switch_fee', '=', 0),
          eb('t.acquirer_switch_fee', '=', 0),
        ]),
      ),
    )
    .orderBy('t.id')
    .limit(1)
    .executeTakeFirst();
}

export async function firstUncommittedWithEntries(db: Queryable) {
  return db
    .selectFrom('transfers as t')
    .select(['t.id', 't.status'])
    .where('t.status', '<>', 'committed')
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('ledger_entries as e').select('e.id').whereRef('e.transfer_id', '=', 't.id')),
    )
    .orderBy('t.id')
    .limit(1)
    .executeTakeFirst();
}

/** A committed transfer outside a window (or off its window's business date), or an uncommitted one inside one. */
export async function firstTransferWithBadWindow(db: Queryable) {
  return db
    .selectFrom('transfers as t')
    .leftJoin('settlement_windows as w', 'w.id', 't.window_id')
    .select([
      't.id',
      't.status',
      't.window_id',
      't.business_date',
      'w.id as found_window',
      'w.business_date as window_date',
    ])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('t.status', '=', 'committed'),
          eb.or([
            eb('w.id', 'is', null),
            eb('t.business_date', 'is', null),
            eb('t.business_date', '<>', eb.ref('w.business_date')),
          ]),
        ]),
        eb.and([eb('t.status', '<>', 'committed'), eb('t.window_id', 'is not', null)]),
      ]),
    )
    .orderBy('t.id')
    .limit(1)
    .executeTakeFirst();
}

/** A reported window whose aggregates differ from what its transfers sum to now. */
export async function firstMisreportedWindow(db: Queryable): Promise<{ window_id: string } | undefined> {
  const { rows } = await sql<{ window_id: string }>`
    with fresh as (
      select t.window_id, t.payer_id, t.payee_id, t.merchant_id, t.currency, t.kind, count(*) as transfers,
        sum(t.amount) as amount, sum(t.interchange) as interchange,
             sum(t.issuer_switch_fee) as issuer_switch_fee, sum(t.acquirer_switch_fee) as acquirer_switch_fee,
               sum(t.merchant_discount) as merchant_discount
      from transfers t join settlement_windows w on w.id = t.window_id
      where w.reported_at is not null and t.status = 'committed'
      group by t.window_id, t.payer_id, t.payee_id, t.merchant_id, t.currency, t.kind
    ),
    stored as (
      select window_id, payer_id, payee_id, merchant_id, currency, kind, transfers, amount, interchange,
        issuer_switch_fee, acquirer_switch_fee, merchant_discount
      from settlement_flows
    ),
    differing as (
      select * from (select * from fresh except select * from stored) as missing
      union all
      select * from (select * from stored except select * from fresh) as extra
    )
    select window_id from differing order by window_id limit 1`.execute(db);
  return rows[0];
}

/** A settlement of a window that is not settled. */
export async function firstSettlementOfUnsettledWindow(db: Queryable) {
  return db
    .selectFrom('settlements as s')
    .innerJoin('settlement_windows as w', 'w.id', 's.window_id')
    .select(['s.id', 's.window_id', 'w.status'])
    .where('w.status', '<>', 'settled')
    .orderBy('s.id')
    .limit(1)
    .executeTakeFirst();
}

/** In a settled window, an account whose transfers' entries and settlement entries do not cancel. */
export async function firstUncancelledSettledAccount(db: Queryable) {
  const groups = db
    .selectFrom('transfers as t')
    .innerJoin('settlement_windows as w', 'w.id', 't.window_id')
    .select(['t.id as group_id', 't.window_id'])
    .where('w.status', '=', 'settled')
    .unionAll(db.selectFrom('settlements as s').select(['s.id as group_id', 's.window_id']));
  return db
    .selectFrom('ledger_entries as e')
    .innerJoin(groups.as('g'), 'g.group_id', 'e.transfer_id')
    .select(['g.window_id', 'e.account', 'e.currency', sumOfAmount.as('sum')])
    .groupBy(['g.window_id', 'e.account', 'e.currency'])
    .having(sql`sum(amount)`, '<>', 0)
    .orderBy('g.window_id')
    .orderBy('e.account')
    .limit(1)
    .executeTakeFirst();
}

/** The sum of each account's entries per currency, the hub's account included. */
export async function entrySumsByAccount(db: Queryable): Promise<{ account: string; currency: string; sum: number }[]> {
  return db
    .selectFrom('ledger_entries')
    .select(['account', 'currency', sumOfAmount.as('sum')])
    .groupBy(['account', 'currency'])
    .execute();
}

export async function allPositions(db: Queryable) {
  return db
    .selectFrom('positions')
    .select(['participant_id', 'currency', 'position', 'reserved'])
    .orderBy('participant_id')
    .orderBy('currency')
    .execute();
}

/** What each payer's reserved transfers will debit it at commit, per currency: A − I + Si, or on-us Si + Sa. */
export async function reservedSumsByPayer(
  db: Queryable,
): Promise<{ payer_id: string; currency: string; sum: number }[]> {
  const debit = sql<number>`cast(sum(case when payer_id = payee_id then issuer_switch_fee + acquirer_switch_fee else
    amount - interchange + issuer_switch_fee end) as bigint)`;
  return db
    .selectFrom('transfers')
    .select(['payer_id', 'currency', debit.as('sum')])
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
    .where((eb) =>
      eb.or([
        eb(eb.fn.coalesce('r.refunded', sql.lit(0)), '<>', eb.ref('p.refunded_amount')),
        eb('p.refunded_amount', '>', eb.ref('p.amount')),
      ]),
    )
    .orderBy('p.id')
    .limit(1)
    .executeTakeFirst();
}

/**
 * A payment whose refunds and chargebacks returned more interchange than it
 * charged, or, fully returned, another total.
 */
export async function firstMisreturnedInterchange(db: Queryable) {
  const returned = db
    .selectFrom('transfers')
    .select([
      'payment_transfer_id',
      sql<number>`cast(sum(interchange) as bigint)`.as('returned'),
      sumOfAmount.as('returned_amount'),
    ])
    .where('kind', 'in', ['refund', 'chargeback'])
    .where('status', '=', 'committed')
    .groupBy('payment_transfer_id')
    .as('r');
  return db
    .selectFrom('transfers as p')
    .innerJoin(returned, 'r.payment_transfer_id', 'p.id')
    .select(['p.id', 'p.interchange', 'r.returned'])
    .where('p.kind', '=', 'payment')
    .where((eb) =>
      eb.or([
        eb('r.returned', '>', eb.ref('p.interchange')),
        eb.and([eb('r.returned_amount', '=', eb.ref('p.amount')), eb('r.returned', '<>', eb.ref('p.interchange'))]),
      ]),
    )
    .orderBy('p.id')
    .limit(1)
    .executeTakeFirst();
}

/** A payment whose chargebacks pass what its disputes hold, or whose refunds and disputes pass its amount. */
export async function firstOverdisputedPayment(db: Queryable) {
  const chargebacks = db
    .selectFrom('transfers')
    .select(['payment_transfer_id', sumOfAmount.as('charged_back')])
    .where('kind', '=', 'chargeback')
    .where('status', '=', 'committed')
    .groupBy('payment_transfer_id')
    .as('c');
  return db
    .selectFrom('transfers as p')
    .leftJoin(chargebacks, 'c.payment_transfer_id', 'p.id')
    .select(['p.id', 'p.amount', 'p.refunded_amount', 'p.disputed_amount', 'c.charged_back'])
    .where('p.kind', '=', 'payment')
    .where((eb) =>
      eb.or([
        eb(eb.fn.coalesce('c.charged_back', sql.lit(0)), '>', eb.ref('p.disputed_amount')),
        eb(eb('p.refunded_amount', '+', eb.ref('p.disputed_amount')), '>', eb.ref('p.amount')),
      ]),
    )
    .orderBy('p.id')
    .limit(1)
    .executeTakeFirst();
}

export async function countRows(db: Queryable): Promise<{ transfers: number; entries: number; windows: number }> {
  const [transfers, entries, windows] = await Promise.all([
    db
      .selectFrom('transfers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('settlement_windows')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { transfers: Number(transfers.n), entries: Number(entries.n), windows: Number(windows.n) };
}
