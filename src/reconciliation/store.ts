import { type RawBuilder, sql } from 'kysely';
import {
  type Queryable,
  type Tx,
  isPostgres,
  type ReconciliationItemRow,
  type ReconciliationRow,
} from '../db/index.ts';
import type { ItemKind, Reconciliation, ReconciliationCounts, UploadLine } from './model.ts';

export type Scope = { reconciliationId: string; participantId: string; windowId: string };

export async function insertReconciliation(db: Queryable, row: ReconciliationRow): Promise<void> {
  await db.insertInto('reconciliations').values(row).execute();
}

export async function insertUploads(
  db: Queryable,
  reconciliationId: string,
  lines: readonly UploadLine[],
): Promise<void> {
  if (lines.length === 0) return;
  await db
    .insertInto('reconciliation_uploads')
    .values(
      lines.map((line) => ({
        reconciliation_id: reconciliationId,
        line: line.line,
        transfer_id: line.transferId,
        direction: line.direction,
        amount: line.amount,
        currency: line.currency,
      })),
    )
    .execute();
}

export async function insertMalformed(
  db: Queryable,
  reconciliationId: string,
  items: readonly { line: number; error: string }[],
): Promise<void> {
  if (items.length === 0) return;
  await db
    .insertInto('reconciliation_items')
    .values(
      items.map((item) => ({
        reconciliation_id: reconciliationId,
        kind: 'malformed',
        line: item.line,
        transfer_id: null,
        direction: null,
        field: null,
        participant_value: null,
        hub_value: null,
        error: item.error,
      })),
    )
    .execute();
}

/** The hub's side of the participant's statement for the window: one row per (transfer, direction). */
function hubLines(scope: Scope): RawBuilder<unknown> {
  return sql`(select id as transfer_id, 'debit' as direction, amount, currency from transfers where payer_id =
    ${scope.participantId} and window_id = ${scope.windowId} and status = 'committed'
    union all
    select id as transfer_id, 'credit' as direction, amount, currency from transfers where payee_id =
      ${scope.participantId} and window_id = ${scope.windowId} and status = 'committed')`;
}

/**
 * The hub's transfer `t` behind an uploaded line `u`, found by its id (the
 * primary key) rather than through the union of both sides, which a planner
 * may not push a join condition into.
 */
function hubTransferOf(scope: Scope): RawBuilder<unknown> {
  return sql`t.id = u.transfer_id and t.status = 'committed' and t.window_id = ${scope.windowId}
    and ((u.direction = 'debit' and t.payer_id = ${scope.participantId}) or (u.direction = 'credit' and t.payee_id =
      ${scope.participantId}))`;
}

const itemColumns = sql`insert into reconciliation_items (reconciliation_id, kind, line, transfer_id, direction,
  field, participant_value, hub_value, error)`;

/** A second line for the same transfer and direction is malformed, and leaves the matching. */
async function separateDuplicates(tx: Tx, scope: Scope): Promise<void> {
  const id = scope.reconciliationId;
  await sql`${itemColumns}
    select u.reconciliation_id, 'malformed', u.line, u.transfer_id, u.direction, null, null, null,
      'a duplicate of an earlier line for this transfer and direction'
    from reconciliation_uploads u
    where u.reconciliation_id = ${id} and exists (select 1 from reconciliation_uploads e where e.reconciliation_id =
      ${id} and e.transfer_id = u.transfer_id and e.direction = u.direction and e.line < u.line)`.execute(tx);
  await sql`delete from reconciliation_uploads where reconciliation_id = ${id}
    and line in (select line from reconciliation_items where reconciliation_id = ${id} and kind = 'malformed' and
      transfer_id is not null)`.execute(tx);
}

/**
 * Matching runs in the database, so an upload of millions of lines never
 * sits in memory: each finding is an INSERT … SELECT over the staged upload
 * and the hub's lines.
 */
export async function matchUpload(
  tx: Tx,
  scope: Scope,
): Promise<Omit<ReconciliationCounts, 'lines' | 'malformed'> & { duplicates: number }> {
  const id = scope.reconciliationId;
  // Fresh staging rows have no statistics yet; without them PostgreSQL plans nested scans.
  if (isPostgres(tx)) await sql`analyze reconciliation_uploads`.execute(tx);
  await separateDuplicates(tx, scope);
  const hub = hubLines(scope);
  const atHub = hubTransferOf(scope);
  await sql`${itemColumns}
    select u.reconciliation_id, 'missing_at_hub', u.line, u.transfer_id, u.direction, null, cast(u.amount as text),
      null, null
    from reconciliation_uploads u
    where u.reconciliation_id = ${id} and not exists (select 1 from transfers t where ${atHub})`.execute(tx);
  await sql`${itemColumns}
    select cast(${id} as text), 'missing_at_participant', null, h.transfer_id, h.direction, null, null, cast(h.amount
      as text), null
    from ${hub} h
    where not exists (select 1 from reconciliation_uploads u where u.reconciliation_id = ${id} and u.transfer_id =
      h.transfer_id and u.direction = h.direction)`.execute(tx);
  for (const field of ['amount', 'currency'] as const) {
    await sql`${itemColumns}
      select u.reconciliation_id, 'mismatched', u.line, u.transfer_id, u.direction, ${sql.lit(field)},
        cast(${sql.ref(`u.${field}`)} as text), cast(${sql.ref(`t.${field}`)} as text), null
      from reconciliation_uploads u join transfers t on ${atHub}
      where u.reconciliation_id = ${id} and ${sql.ref(`u.${field}`)} <> ${sql.ref(`t.${field}`)}`.execute(tx);
  }
  const matched = await sql<{
    count: number | string;
  }>`select count(*) as count from reconciliation_uploads u join transfers t on ${atHub}
    where u.reconciliation_id = ${id} and u.amount = t.amount and u.currency = t.currency`.execute(tx);
  const counts = await tx
    .selectFrom('reconciliation_items')
    .select(['kind', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('reconciliation_id', '=', id)
    .groupBy('kind')
    .execute();
  const countOf = (kind: ItemKind) => Number(counts.find((row) => row.kind === kind)?.count ?? 0);
  const mismatchedLines = await sql<{
    count: number | string;
  }>`select count(distinct line) as count from reconciliation_items where reconciliation_id = ${id} and kind =
    'mismatched'`.execute(tx);
  const duplicates = await sql<{
    count: number | string;
  }>`select count(*) as count from reconciliation_items where reconciliation_id = ${id} and kind = 'malformed' and
    transfer_id is not null`.execute(tx);
  await tx.deleteFrom('reconciliation_uploads').where('reconciliation_id', '=', id).execute();
  return {
    matched: Number(matched.rows[0]?.count ?? 0),
    missingAtHub: countOf('missing_at_hub'),
    missingAtParticipant: countOf('missing_at_participant'),
    mismatched: Number(mismatchedLines.rows[0]?.count ?? 0),
    duplicates: Number(duplicates.rows[0]?.count ?? 0),
  };
}

/** Removes every trace of an upload that could not be read as a whole. */
export async function discardReconciliation(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('reconciliation_uploads').where('reconciliation_id', '=', id).execute();
  await tx.deleteFrom('reconciliation_items').where('reconciliation_id', '=', id).execute();
  await tx.deleteFrom('reconciliations').where('id', '=', id).execute();
}

export async function completeReconciliation(
  tx: Tx,
  id: string,
  counts: ReconciliationCounts,
  at: string,
): Promise<void> {
  await tx
    .updateTable('reconciliations')
    .set({
      status: 'completed',
      lines: counts.lines,
      matched: counts.matched,
      missing_at_hub: counts.missingAtHub,
      missing_at_participant: counts.missingAtParticipant,
      mismatched: counts.mismatched,
      malformed: counts.malformed,
      completed_at: at,
    })
    .where('id', '=', id)
    .execute();
}

export function toReconciliation(row: ReconciliationRow): Reconciliation {
  return {
    id: row.id,
    participantId: row.participant_id,
    windowId: row.window_id,
    status: row.status as Reconciliation['status'],
    counts: {
      lines: row.lines,
      matched: row.matched,
      missingAtHub: row.missing_at_hub,
      missingAtParticipant: row.missing_at_participant,
      mismatched: row.mismatched,
      malformed: row.malformed,
    },
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

export async function findReconciliation(db: Queryable, id: string): Promise<Reconciliation | undefined> {
  const row = await db.selectFrom('reconciliations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toReconciliation(row) : undefined;
}

export type ItemCursor = { line: number | null; transferId: string | null; field: string | null };

export async function listItems(
  db: Queryable,
  id: string,
  kind: ItemKind,
  after: string | undefined,
  limit: number,
): Promise<ReconciliationItemRow[]> {
  let query = db
    .selectFrom('reconciliation_items')
    .selectAll()
    .where('reconciliation_id', '=', id)
    .where('kind', '=', kind)
    .limit(limit + 1);
  if (kind === 'missing_at_participant') {
    query = query.orderBy('transfer_id').orderBy('direction');
    if (after !== undefined) {
      const [transferId, direction] = after.split('|');
      query = query.where((eb) =>
        eb.or([
          eb('transfer_id', '>', transferId ?? ''),
          eb.and([eb('transfer_id', '=', transferId ?? ''), eb('direction', '>', direction ?? '')]),
        ]),
      );
    }
    return query.execute();
  }
  query = query.orderBy('line').orderBy('field');
  if (after !== undefined) {
    const [line, field] = after.split('|');
    query = query.where((eb) =>
      eb.or([eb('line', '>', Number(line)), eb.and([eb('line', '=', Number(line)), eb('field', '>', field ?? '')])]),
    );
  }
  return query.execute();
}

/** The newest reconciliation of each participant and window. */
export async function listLatest(
  db: Queryable,
  participantId: string | undefined,
  limit: number,
  after: string | undefined,
): Promise<Reconciliation[]> {
  let query = db
    .selectFrom('reconciliations as r')
    .selectAll('r')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('reconciliations as newer')
            .select('newer.id')
            .whereRef('newer.participant_id', '=', 'r.participant_id')
            .whereRef('newer.window_id', '=', 'r.window_id')
            .whereRef('newer.id', '>', 'r.id'),
        ),
      ),
    )
    .orderBy('r.id')
    .limit(limit + 1);
  if (participantId !== undefined) query = query.where('r.participant_id', '=', participantId);
  if (after !== undefined) query = query.where('r.id', '>', after);
  return (await query.execute()).map(toReconciliation);
}
