/**
 * The settlement tables and the aggregate queries a window's report is read
 * from. A report never loads transfers: one `insert … select … group by`
 * sums a closed window's transfers into `settlement_flows` (per payer,
 * payee, merchant, currency and kind); lines, bilateral obligations,
 * merchant discounts and counts are then read from those rows by SQL.
 */
import { type Expression, sql } from 'kysely';
import { type Queryable, type Tx, forUpdate, isPostgres, type SettlementWindowRow } from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import {
  type BilateralLine,
  type MerchantLine,
  type ReportAudience,
  type ReportCounts,
  type ReportLine,
  type SettlementWindow,
  type WindowStatus,
  hubParticipantId,
  nextWindowStatus,
} from './model.ts';

function toWindow(row: SettlementWindowRow): SettlementWindow {
  return {
    id: row.id,
    status: row.status as WindowStatus,
    businessDate: row.business_date,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    settledAt: row.settled_at,
    nextWindowId: row.next_window_id,
  };
}

export type StoredWindow = SettlementWindow & { reportedAt: string | null };

function toStoredWindow(row: SettlementWindowRow): StoredWindow {
  return { ...toWindow(row), reportedAt: row.reported_at };
}

/**
 * PostgreSQL: the advisory lock that keeps a window open while a transfer
 * joins it. Transfers take it shared, the close exclusive, both until their
 * transaction ends: a close waits for every transfer that read the old
 * window to commit, and a transfer that arrives meanwhile waits for the
 * close and then reads the new window. The two-key form keeps it apart from
 * `lockNamed`'s one-key space. SQLite runs one transaction at a time.
 */
const windowLockKeys = sql`${sql.lit(0x4c4e5453)}, ${sql.lit(10)}`;

export async function holdWindowShared(tx: Tx): Promise<void> {
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock_shared(${windowLockKeys})`.execute(tx);
}

export async function holdWindowExclusive(tx: Tx): Promise<void> {
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${windowLockKeys})`.execute(tx);
}

export async function findOpenWindow(db: Queryable): Promise<StoredWindow | undefined> {
  const row = await db.selectFrom('settlement_windows').selectAll().where('open_marker', '=', 1).executeTakeFirst();
  return row ? toStoredWindow(row) : undefined;
}

export async function findWindow(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<StoredWindow | undefined> {
  const query = db.selectFrom('settlement_windows').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toStoredWindow(row) : undefined;
}

/** Opens a window unless one is open; a concurrent opener waits on the unique key, then does nothing. */
export async function insertOpenWindow(
  tx: Tx,
  window: { id: string; businessDate: string; openedAt: string },
): Promise<void> {
  const result = await tx
    .insertInto('settlement_windows')
    .values({
      id: window.id,
      status: 'open',
      business_date: window.businessDate,
      open_marker: 1,
      opened_at: window.openedAt,
    })
    .onConflict((conflict) => conflict.column('open_marker').doNothing())
    .executeTakeFirst();
  invariant((result.numInsertedOrUpdatedRows ?? 0n) <= 1n, `opening window ${window.id} wrote one row at most`);
}

/** Moves an open window on by its table; false when it was no longer open. */
export async function markClosed(tx: Tx, id: string, change: { at: string; nextWindowId: string }): Promise<boolean> {
  const to = nextWindowStatus('open', 'close');
  invariant(to === 'closed', `an open window closes (the table says ${to})`);
  invariant(change.nextWindowId !== id, `window ${id} is not its own next window`);
  const result = await tx
    .updateTable('settlement_windows')
    .set({ status: to, open_marker: null, closed_at: change.at, next_window_id: change.nextWindowId })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  invariant(result.numUpdatedRows <= 1n, `closing window ${id} updated one row at most`);
  return result.numUpdatedRows === 1n;
}

/** Stamps the report of a window the caller has locked and found unreported. */
export async function markReported(tx: Tx, id: string, at: string): Promise<void> {
  const result = await tx
    .updateTable('settlement_windows')
    .set({ reported_at: at })
    .where('id', '=', id)
    .where('reported_at', 'is', null)
    .executeTakeFirst();
  invariant(result.numUpdatedRows === 1n, `locked window ${id} was reported once (${result.numUpdatedRows} rows)`);
}

/** Moves a closed window on by its table; false when it was no longer closed. */
export async function markSettled(tx: Tx, id: string, at: string): Promise<boolean> {
  const to = nextWindowStatus('closed', 'settle');
  invariant(to === 'settled', `a closed window settles (the table says ${to})`);
  const result = await tx
    .updateTable('settlement_windows')
    .set({ status: to, settled_at: at })
    .where('id', '=', id)
    .where('status', '=', 'closed')
    .executeTakeFirst();
  invariant(result.numUpdatedRows <= 1n, `settling window ${id} updated one row at most`);
  return result.numUpdatedRows === 1n;
}

export async function listWindows(
  db: Queryable,
  filter: { status?: WindowStatus | undefined; limit: number; after?: string | undefined },
): Promise<SettlementWindow[]> {
  let query = db
    .selectFrom('settlement_windows')
    .selectAll()
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toWindow);
}

/** Closed windows whose report was not made yet (the hub stopped between the close and its report). */
export async function listUnreportedWindowIds(db: Queryable, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('settlement_windows')
    .select('id')
    .where('status', '<>', 'open')
    .where('reported_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** PostgreSQL sums bigints into numeric; cast back so the driver returns a checked safe integer. */
function total(expression: Expression<unknown> | ReturnType<typeof sql>) {
  return sql<number>`cast(sum(${expression}) as bigint)`;
}

/**
 * Sums the closed window's committed transfers per payer, payee, merchant,
 * currency and kind, in the database: one pass over `transfers_by_window`,
 * which holds every column read, in this grouping's order.
 */
export async function insertFlows(tx: Tx, windowId: string): Promise<void> {
  const groups = ['window_id', 'payer_id', 'payee_id', 'merchant_id', 'currency', 'kind'] as const;
  const sums = tx
    .selectFrom('transfers')
    .select((eb) => [
      ...groups,
      eb.fn.countAll<number>().as('transfers'),
      total(eb.ref('amount')).as('amount'),
      total(eb.ref('interchange')).as('interchange'),
      total(eb.ref('issuer_switch_fee')).as('issuer_switch_fee'),
      total(eb.ref('acquirer_switch_fee')).as('acquirer_switch_fee'),
      total(eb.ref('merchant_discount')).as('merchant_discount'),
    ])
    .where('window_id', '=', windowId)
    .where('status', '=', 'committed')
    .groupBy([...groups]);
  await tx
    .insertInto('settlement_flows')
    .columns([
      ...groups,
      'transfers',
      'amount',
      'interchange',
      'issuer_switch_fee',
      'acquirer_switch_fee',
      'merchant_discount',
    ])
    .expression(sums)
    .execute();
}

/**
 * Each participant's line per currency, and the hub's, from the window's
 * flows. For any transfer the payer moves −(amount − interchange) −
 * issuer switch fee, the payee +(amount − interchange) − acquirer switch fee
 * and the hub the two switch fees (a refund's switch fees are 0), so:
 * payer side sent = amount, feesPaid = issuer switch fee, feesReceived =
 * interchange; payee side received = amount, feesPaid = interchange +
 * acquirer switch fee; hub feesReceived = both switch fees.
 */
export async function reportLines(db: Queryable, windowId: string, audience: ReportAudience): Promise<ReportLine[]> {
  const flows = () => db.selectFrom('settlement_flows').where('window_id', '=', windowId);
  const zero = sql<number>`0`;
  const sides = flows()
    .select([
      'payer_id as participant_id',
      'currency',
      'amount as sent',
      zero.as('received'),
      'issuer_switch_fee as fees_paid',
      'interchange as fees_received',
    ])
    .unionAll(
      flows().select((eb) => [
        'payee_id as participant_id',
        'currency',
        zero.as('sent'),
        'amount as received',
        eb('interchange', '+', eb.ref('acquirer_switch_fee')).as('fees_paid'),
        zero.as('fees_received'),
      ]),
    )
    .unionAll(
      flows().select((eb) => [
        sql.lit(hubParticipantId).as('participant_id'),
        'currency',
        zero.as('sent'),
        zero.as('received'),
        zero.as('fees_paid'),
        eb('issuer_switch_fee', '+', eb.ref('acquirer_switch_fee')).as('fees_received'),
      ]),
    );
  let query = db
    .selectFrom(sides.as('side'))
    .select([
      'participant_id',
      'currency',
      total(sql.ref('sent')).as('sent'),
      total(sql.ref('received')).as('received'),
      total(sql.ref('fees_paid')).as('fees_paid'),
      total(sql.ref('fees_received')).as('fees_received'),
      total(sql`received - sent + fees_received - fees_paid`).as('net'),
    ])
    .groupBy(['participant_id', 'currency'])
    .orderBy('currency')
    .orderBy(sql`case when participant_id = ${hubParticipantId} then 1 else 0 end`)
    .orderBy('participant_id');
  if (audience.type === 'participant') query = query.where('participant_id', '=', audience.id);
  const rows = await query.execute();
  return rows.map((row) => ({
    participantId: row.participant_id,
    currency: row.currency,
    sent: Number(row.sent),
    received: Number(row.received),
    feesPaid: Number(row.fees_paid),
    feesReceived: Number(row.fees_received),
    net: Number(row.net),
  }));
}

/**
 * Who owes whom for the window, netted both ways per pair: each transfer
 * moves amount − interchange from its payer to its payee, and each switch
 * fee from its participant to the hub. On-us transfers owe nobody but the hub.
 */
export async function bilateralLines(
  db: Queryable,
  windowId: string,
  audience: ReportAudience,
): Promise<BilateralLine[]> {
  const flows = () => db.selectFrom('settlement_flows').where('window_id', '=', windowId);
  const hub = sql.lit(hubParticipantId);
  const owed = flows()
    .where((eb) => eb('payer_id', '<>', eb.ref('payee_id')))
    .select((eb) => [
      'payer_id as debtor',
      'payee_id as creditor',
      'currency',
      eb('amount', '-', eb.ref('interchange')).as('amount'),
    ])
    .unionAll(
      flows()
        .where((eb) => eb('payer_id', '<>', eb.ref('payee_id')))
        .select((eb) => [
          'payee_id as debtor',
          'payer_id as creditor',
          'currency',
          eb('interchange', '-', eb.ref('amount')).as('amount'),
        ]),
    )
    .unionAll(flows().select(['payer_id as debtor', hub.as('creditor'), 'currency', 'issuer_switch_fee as amount']))
    .unionAll(flows().select(['payee_id as debtor', hub.as('creditor'), 'currency', 'acquirer_switch_fee as amount']));
  let query = db
    .selectFrom(owed.as('owed'))
    .select(['debtor', 'creditor', 'currency', total(sql.ref('amount')).as('amount')])
    .groupBy(['debtor', 'creditor', 'currency'])
    .having(sql`sum(amount)`, '>', 0)
    .orderBy('currency')
    .orderBy('debtor')
    .orderBy('creditor');
  if (audience.type === 'participant')
    query = query.where((eb) => eb.or([eb('debtor', '=', audience.id), eb('creditor', '=', audience.id)]));
  const rows = await query.execute();
  return rows.map((row) => ({
    payerId: row.debtor,
    payeeId: row.creditor,
    currency: row.currency,
    amount: Number(row.amount),
  }));
}

/**
 * Per merchant: its payments, refunds and chargebacks and the merchant
 * discount its acquirer charges (a payment's payee, a refund's or
 * chargeback's payer). Neither returns the merchant discount.
 */
export async function merchantLines(
  db: Queryable,
  windowId: string,
  audience: ReportAudience,
): Promise<MerchantLine[]> {
  const acquirer = sql<string>`case when kind = 'payment' then payee_id else payer_id end`;
  const ofKind = (kind: 'payment' | 'refund' | 'chargeback', column: 'transfers' | 'amount' | 'merchant_discount') =>
    total(sql`case when kind = ${kind} then ${sql.ref(column)} else 0 end`);
  let query = db
    .selectFrom('settlement_flows')
    .select([
      'merchant_id',
      acquirer.as('acquirer_id'),
      'currency',
      ofKind('payment', 'transfers').as('payments'),
      ofKind('payment', 'amount').as('payment_amount'),
      ofKind('refund', 'transfers').as('refunds'),
      ofKind('refund', 'amount').as('refund_amount'),
      ofKind('chargeback', 'transfers').as('chargebacks'),
      ofKind('chargeback', 'amount').as('chargeback_amount'),
      ofKind('payment', 'merchant_discount').as('merchant_discount'),
    ])
    .where('window_id', '=', windowId)
    // An arbitration fee is between a participant and the hub, not the merchant's business.
    .where('kind', '<>', 'arbitration_fee')
    .groupBy(['merchant_id', acquirer, 'currency'])
    .orderBy('currency')
    .orderBy('merchant_id');
  if (audience.type === 'participant') query = query.where(acquirer, '=', audience.id);
  const rows = await query.execute();
  return rows.map((row) => ({
    merchantId: row.merchant_id,
    acquirerId: row.acquirer_id,
    currency: row.currency,
    payments: Number(row.payments),
    paymentAmount: Number(row.payment_amount),
    refunds: Number(row.refunds),
    refundAmount: Number(row.refund_amount),
    chargebacks: Number(row.chargebacks),
    chargebackAmount: Number(row.chargeback_amount),
    merchantDiscount: Number(row.merchant_discount),
  }));
}

export async function reportCounts(db: Queryable, windowId: string, audience: ReportAudience): Promise<ReportCounts> {
  let query = db
    .selectFrom('settlement_flows')
    .select(['kind', total(sql.ref('transfers')).as('transfers')])
    .where('window_id', '=', windowId)
    .groupBy('kind');
  if (audience.type === 'participant')
    query = query.where((eb) => eb.or([eb('payer_id', '=', audience.id), eb('payee_id', '=', audience.id)]));
  const rows = await query.execute();
  const of = (kind: string) => Number(rows.find((row) => row.kind === kind)?.transfers ?? 0);
  const transfers = rows.reduce((sum, row) => sum + Number(row.transfers), 0);
  return { transfers, payments: of('payment'), refunds: of('refund'), chargebacks: of('chargeback') };
}

/** The participants with a line in the window: those its events are addressed to. */
export async function windowParticipantIds(db: Queryable, windowId: string): Promise<string[]> {
  const flows = () => db.selectFrom('settlement_flows').where('window_id', '=', windowId);
  const rows = await flows().select('payer_id as id').union(flows().select('payee_id as id')).orderBy('id').execute();
  return rows.map((row) => row.id);
}

export async function insertSettlement(
  tx: Tx,
  settlement: { id: string; windowId: string; currency: string; createdAt: string },
): Promise<void> {
  const result = await tx
    .insertInto('settlements')
    .values({
      id: settlement.id,
      window_id: settlement.windowId,
      currency: settlement.currency,
      created_at: settlement.createdAt,
    })
    .executeTakeFirst();
  invariant(result.numInsertedOrUpdatedRows === 1n, `settlement ${settlement.id} was recorded`);
}
