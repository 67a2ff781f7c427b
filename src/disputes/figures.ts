import { sql } from 'kysely';
import type { Queryable } from '../db/index.ts';
import type { Caller } from '../http/index.ts';
import { minor, mulDivHalfEven } from '../money/index.ts';

/**
 * Dispute figures over a period: per issuer the disputes it raised, per
 * acquirer and per merchant the disputes raised against them, each split
 * into won, lost and still open, beside the payments of the period and the
 * dispute ratio (disputes per 10 000 payments, half-even). Won and lost are
 * from the party's side: an issuer wins an accepted dispute, an acquirer a
 * withdrawn one.
 */
export type FigureRole = 'issuer' | 'acquirer' | 'merchant';
export type DisputeFigures = {
  role: FigureRole;
  id: string;
  /** The merchant's acquirer; null on participant rows. */
  acquirerId: string | null;
  disputes: number;
  won: number;
  lost: number;
  open: number;
  payments: number;
  disputesPer10kPayments: number | null;
};

const issuerWins = ['accepted', 'won_by_issuer'];
const acquirerWins = ['withdrawn', 'won_by_acquirer'];
const columnOf = { issuer: 'issuer_id', acquirer: 'acquirer_id', merchant: 'merchant_id' } as const;
const payerColumnOf = { issuer: 'payer_id', acquirer: 'payee_id', merchant: 'merchant_id' } as const;
const keyOf = (role: FigureRole, id: string) => `${role}:${id}`;

async function disputeCounts(db: Queryable, role: FigureRole, period: { from: string; to: string }) {
  return db
    .selectFrom('disputes')
    .select([
      sql<string>`${sql.ref(columnOf[role])}`.as('id'),
      'acquirer_id',
      'status',
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('created_at', '>=', period.from)
    .where('created_at', '<', period.to)
    .groupBy([columnOf[role], 'acquirer_id', 'status'])
    .execute();
}

async function paymentCounts(db: Queryable, role: FigureRole, period: { from: string; to: string }) {
  return db
    .selectFrom('transfers')
    .select([
      sql<string>`${sql.ref(payerColumnOf[role])}`.as('id'),
      'payee_id',
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('kind', '=', 'payment')
    .where('status', '=', 'committed')
    .where('committed_at', '>=', period.from)
    .where('committed_at', '<', period.to)
    .groupBy([payerColumnOf[role], 'payee_id'])
    .execute();
}

function rowOf(figures: Map<string, DisputeFigures>, role: FigureRole, id: string, acquirerId: string) {
  const key = keyOf(role, id);
  const found = figures.get(key);
  if (found) return found;
  const fresh: DisputeFigures = {
    role,
    id,
    acquirerId: role === 'merchant' ? acquirerId : null,
    disputes: 0,
    won: 0,
    lost: 0,
    open: 0,
    payments: 0,
    disputesPer10kPayments: null,
  };
  figures.set(key, fresh);
  return fresh;
}

/** Who sees which rows: the operator all, a participant its own and its merchants', a merchant its own. */
function visible(caller: Caller, row: DisputeFigures): boolean {
  if (caller.type === 'operator') return true;
  if (caller.type === 'merchant') return row.role === 'merchant' && row.id === caller.id;
  if (caller.type !== 'participant') return false;
  return row.role === 'merchant' ? row.acquirerId === caller.id : row.id === caller.id;
}

export async function disputeFigures(
  db: Queryable,
  caller: Caller,
  period: { from: string; to: string },
): Promise<DisputeFigures[]> {
  const figures = new Map<string, DisputeFigures>();
  for (const role of ['issuer', 'acquirer', 'merchant'] as const) {
    for (const count of await disputeCounts(db, role, period)) {
      const row = rowOf(figures, role, count.id, count.acquirer_id);
      const n = Number(count.n);
      row.disputes += n;
      const partyWins = role === 'issuer' ? issuerWins : acquirerWins;
      const partyLoses = role === 'issuer' ? acquirerWins : issuerWins;
      if (partyWins.includes(count.status)) row.won += n;
      else if (partyLoses.includes(count.status)) row.lost += n;
      else row.open += n;
    }
    for (const count of await paymentCounts(db, role, period))
      rowOf(figures, role, count.id, count.payee_id).payments += Number(count.n);
  }
  const rows = [...figures.values()].filter((row) => visible(caller, row));
  for (const row of rows)
    row.disputesPer10kPayments = row.payments === 0 ? null : mulDivHalfEven(minor(row.disputes), 10_000, row.payments);
  return rows.sort((a, b) => (a.role === b.role ? (a.id < b.id ? -1 : 1) : a.role < b.role ? -1 : 1));
}
