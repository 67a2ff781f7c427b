import { type Queryable, type Tx, forUpdate, noteChange, type PositionRow } from '../db/index.ts';
import { minor } from '../money/index.ts';
import { type Limits, type Position, type PositionView, headroomOf, noLimits } from './model.ts';

function toPosition(row: PositionRow): Position {
  return {
    participantId: row.participant_id,
    currency: row.currency,
    position: minor(row.position),
    reserved: minor(row.reserved),
    updatedAt: row.updated_at,
  };
}

/** Creates the row at zero unless it exists; a concurrent creator waits on the key, then does nothing. */
export async function ensurePositionRow(tx: Tx, participantId: string, currency: string, at: string): Promise<void> {
  await tx
    .insertInto('positions')
    .values({ participant_id: participantId, currency, position: 0, reserved: 0, updated_at: at })
    .onConflict((conflict) => conflict.columns(['participant_id', 'currency']).doNothing())
    .execute();
}

export async function lockPositionRow(tx: Tx, participantId: string, currency: string): Promise<Position | undefined> {
  const query = tx
    .selectFrom('positions')
    .selectAll()
    .where('participant_id', '=', participantId)
    .where('currency', '=', currency);
  const row = await forUpdate(tx, query).executeTakeFirst();
  return row ? toPosition(row) : undefined;
}

export async function findPosition(
  db: Queryable,
  participantId: string,
  currency: string,
): Promise<Position | undefined> {
  const row = await db
    .selectFrom('positions')
    .selectAll()
    .where('participant_id', '=', participantId)
    .where('currency', '=', currency)
    .executeTakeFirst();
  return row ? toPosition(row) : undefined;
}

/**
 * Adds `amount` to the position or the reserved column in one statement and answers the new value, for the caller to
 * assert.
 */
export async function addToPositionColumn(
  tx: Tx,
  participantId: string,
  currency: string,
  column: 'position' | 'reserved',
  amount: number,
  at: string,
): Promise<number | undefined> {
  const row = await tx
    .updateTable('positions')
    .set((eb) => ({ [column]: eb(column, '+', amount), updated_at: at }))
    .where('participant_id', '=', participantId)
    .where('currency', '=', currency)
    .returning(column)
    .executeTakeFirst();
  return row?.[column];
}

/** Adds `amount` to the position in one statement and answers the row as it now is (undefined: no row yet). */
export async function movePositionRow(
  tx: Tx,
  participantId: string,
  currency: string,
  amount: number,
  at: string,
): Promise<Position | undefined> {
  const row = await tx
    .updateTable('positions')
    .set((eb) => ({ position: eb('position', '+', amount), updated_at: at }))
    .where('participant_id', '=', participantId)
    .where('currency', '=', currency)
    .returningAll()
    .executeTakeFirst();
  return row ? toPosition(row) : undefined;
}

export type NewEntry = {
  id: string;
  transferId: string;
  account: string;
  currency: string;
  amount: number;
  createdAt: string;
};

export async function insertEntries(tx: Tx, entries: readonly NewEntry[]): Promise<void> {
  await tx
    .insertInto('ledger_entries')
    .values(
      entries.map((entry) => ({
        id: entry.id,
        transfer_id: entry.transferId,
        account: entry.account,
        currency: entry.currency,
        amount: entry.amount,
        created_at: entry.createdAt,
      })),
    )
    .execute();
}

/**
 * Caps and prefunding live in `participant_limits`, which the participants
 * capability creates; the ledger reads them here. No row means 0 and 0.
 */
/** A participant's limits in a currency; none set (no row) is 0 and 0. */
export async function findLimits(db: Queryable, participantId: string, currency: string): Promise<Limits> {
  return (await findStoredLimits(db, participantId, currency)) ?? noLimits;
}

/** The limits as stored, or undefined when the operator never set any (for audit trails' `before`). */
export async function findStoredLimits(
  db: Queryable,
  participantId: string,
  currency: string,
): Promise<Limits | undefined> {
  const row = await db
    .selectFrom('participant_limits')
    .select(['net_debit_cap', 'prefunding'])
    .where('participant_id', '=', participantId)
    .where('currency', '=', currency)
    .executeTakeFirst();
  return row ? { netDebitCap: minor(row.net_debit_cap), prefunding: minor(row.prefunding) } : undefined;
}

export async function upsertLimits(
  tx: Tx,
  participantId: string,
  currency: string,
  limits: Limits,
  at: string,
): Promise<void> {
  const values = { net_debit_cap: limits.netDebitCap, prefunding: limits.prefunding, updated_at: at };
  await tx
    .insertInto('participant_limits')
    .values({ participant_id: participantId, currency, ...values })
    .onConflict((conflict) => conflict.columns(['participant_id', 'currency']).doUpdateSet(values))
    .execute();
  // A participant is read with its caps (participants' cached view).
  await noteChange(tx, 'participant', participantId);
}

export type PositionFilter = {
  participantId?: string | undefined;
  currency?: string | undefined;
  limit: number;
  after?: string | undefined;
};

/** The cursor of a position list: `<participantId>:<currency>`, the key the list is ordered by. */
export function positionCursor(view: Pick<PositionView, 'participantId' | 'currency'>): string {
  return `${view.participantId}:${view.currency}`;
}

function parseCursor(cursor: string): { participantId: string; currency: string } {
  const mark = cursor.lastIndexOf(':');
  return mark === -1
    ? { participantId: cursor, currency: '' }
    : { participantId: cursor.slice(0, mark), currency: cursor.slice(mark + 1) };
}

/**
 * Every participant and currency that has a position row or limits: a
 * participant given a cap before its first transfer shows its headroom.
 * Fetches `limit + 1` rows for `toPage`.
 */
export async function listPositionViews(db: Queryable, filter: PositionFilter): Promise<PositionView[]> {
  const keys = db
    .selectFrom('positions')
    .select(['participant_id', 'currency'])
    .union(db.selectFrom('participant_limits').select(['participant_id', 'currency']));
  let query = db
    .selectFrom(keys.as('k'))
    .leftJoin('positions as p', (join) =>
      join.onRef('p.participant_id', '=', 'k.participant_id').onRef('p.currency', '=', 'k.currency'),
    )
    .leftJoin('participant_limits as l', (join) =>
      join.onRef('l.participant_id', '=', 'k.participant_id').onRef('l.currency', '=', 'k.currency'),
    )
    .select(['k.participant_id', 'k.currency', 'p.position', 'p.reserved', 'l.net_debit_cap', 'l.prefunding'])
    .orderBy('k.participant_id')
    .orderBy('k.currency')
    .limit(filter.limit + 1);
  if (filter.participantId !== undefined) query = query.where('k.participant_id', '=', filter.participantId);
  if (filter.currency !== undefined) query = query.where('k.currency', '=', filter.currency);
  if (filter.after !== undefined) {
    const after = parseCursor(filter.after);
    query = query.where((eb) =>
      eb.or([
        eb('k.participant_id', '>', after.participantId),
        eb.and([eb('k.participant_id', '=', after.participantId), eb('k.currency', '>', after.currency)]),
      ]),
    );
  }
  const rows = await query.execute();
  return rows.map((row) => {
    const position = { position: minor(row.position ?? 0), reserved: minor(row.reserved ?? 0) };
    const limits = { netDebitCap: minor(row.net_debit_cap ?? 0), prefunding: minor(row.prefunding ?? 0) };
    return {
      participantId: row.participant_id,
      currency: row.currency,
      ...position,
      ...limits,
      headroom: headroomOf(position, limits),
    };
  });
}
