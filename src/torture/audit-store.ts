/**
 * What the auditor reads from the database once the hub is stopped: every row the run can have made (a run
 * makes thousands, not millions, so they are loaded whole), and what the hub still has to do while it drains.
 */
import { sql } from 'kysely';
import type {
  CheckoutAttemptRow,
  EventDeliveryRow,
  PosChargeRow,
  Queryable,
  RefundRow,
  SettlementWindowRow,
  TillQrRow,
  TransferRow,
} from '../db/index.ts';
import { hubAccount } from '../ledger/index.ts';

export type CheckoutTrace = {
  id: string;
  merchantId: string;
  reference: string;
  status: string;
  transferId: string | null;
};
export type EventTrace = { id: string; type: string; subjectId: string | undefined };

export type Snapshot = {
  transfers: TransferRow[];
  refunds: RefundRow[];
  checkouts: CheckoutTrace[];
  attempts: CheckoutAttemptRow[];
  tillQrs: TillQrRow[];
  charges: PosChargeRow[];
  windows: SettlementWindowRow[];
  events: EventTrace[];
  deliveries: EventDeliveryRow[];
  /** Per currency, every participant's position plus the hub's account: zero when the ledger holds. */
  currencySums: { currency: string; sum: number }[];
};

/** PostgreSQL sums bigints into numeric; cast back so the driver returns a checked safe integer. */
const sumOf = (column: string) => sql<number>`cast(sum(${sql.ref(column)}) as bigint)`;

function subjectOf(data: string): string | undefined {
  try {
    const parsed = JSON.parse(data) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

async function currencySums(db: Queryable): Promise<Snapshot['currencySums']> {
  const positions = await db
    .selectFrom('positions')
    .select(['currency', sumOf('position').as('sum')])
    .groupBy('currency')
    .execute();
  const hub = await db
    .selectFrom('ledger_entries')
    .where('account', '=', hubAccount)
    .select(['currency', sumOf('amount').as('sum')])
    .groupBy('currency')
    .execute();
  const sums = new Map<string, number>();
  for (const row of [...positions, ...hub]) sums.set(row.currency, (sums.get(row.currency) ?? 0) + Number(row.sum));
  return [...sums].map(([currency, sum]) => ({ currency, sum }));
}

export async function readSnapshot(db: Queryable): Promise<Snapshot> {
  const checkouts = await db
    .selectFrom('checkouts')
    .select(['id', 'merchant_id', 'reference', 'status', 'transfer_id'])
    .execute();
  const events = await db.selectFrom('events').select(['id', 'type', 'data']).execute();
  return {
    transfers: await db.selectFrom('transfers').selectAll().orderBy('id').execute(),
    refunds: await db.selectFrom('refunds').selectAll().orderBy('id').execute(),
    checkouts: checkouts.map((row) => ({
      id: row.id,
      merchantId: row.merchant_id,
      reference: row.reference,
      status: row.status,
      transferId: row.transfer_id,
    })),
    attempts: await db.selectFrom('checkout_attempts').selectAll().orderBy('id').execute(),
    tillQrs: await db.selectFrom('till_qr_codes').selectAll().orderBy('id').execute(),
    charges: await db.selectFrom('pos_charges').selectAll().orderBy('id').execute(),
    windows: await db.selectFrom('settlement_windows').selectAll().orderBy('id').execute(),
    events: events.map((row) => ({ id: row.id, type: row.type, subjectId: subjectOf(row.data) })),
    deliveries: await db.selectFrom('event_deliveries').selectAll().orderBy('id').execute(),
    currencySums: await currencySums(db),
  };
}

/** What the hub still owes once the clients are done: deliveries to make, refunds to confirm, charges to decide. */
export async function pendingWork(db: Queryable): Promise<{ deliveries: number; refunds: number; charges: number }> {
  const count = sql<number>`count(*)`;
  const deliveries = await db
    .selectFrom('event_deliveries')
    .where('status', '=', 'pending')
    .select(count.as('n'))
    .executeTakeFirstOrThrow();
  const refunds = await db
    .selectFrom('refunds')
    .where('status', '=', 'pending')
    .select(count.as('n'))
    .executeTakeFirstOrThrow();
  const charges = await db
    .selectFrom('pos_charges')
    .where('status', 'in', ['pending', 'unknown'])
    .select(count.as('n'))
    .executeTakeFirstOrThrow();
  return { deliveries: Number(deliveries.n), refunds: Number(refunds.n), charges: Number(charges.n) };
}
