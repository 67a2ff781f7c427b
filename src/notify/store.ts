import { type Selectable, sql } from 'kysely';
import { type Queryable, type Tx, fromJson, isPostgres, type EventRow } from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import type { FeedPosition, HubEvent } from './model.ts';

// ---------------------------------------------------------------- events

/**
 * On PostgreSQL an event records the id of the transaction that wrote it.
 * Sequence values are handed out at insert, not at commit, so a reader
 * ordering by them alone could pass an event that commits later with a
 * smaller number and never see it. Readers instead page by (xid, seq) and
 * only read events whose transaction is older than every transaction that
 * could still write one: that prefix can no longer grow, so no event is ever
 * skipped. SQLite has one writer at a time, so insert order is commit order
 * and xid is 0.
 */
const currentXid = sql<number>`pg_current_xact_id()::text::bigint`;

/**
 * The oldest transaction still running that could write to this database,
 * or the next id to be handed out when none is. A transaction running in
 * another database on the same server cannot write an event here, so it does
 * not hold this feed back; one whose database cannot be told (its id is
 * handed out but not yet published) counts as this database's. The snapshot
 * is the statement's own, so what it calls finished is visible to the read.
 * `pg_stat_activity` shows every session's `backend_xid` to every role, and
 * xid8 values compare with the 32-bit `xid` by their low 32 bits.
 */
const oldestXidThatCouldWriteHere = sql<number>`coalesce(
  (select min(running.xid::text::bigint)
     from pg_snapshot_xip(pg_current_snapshot()) as running(xid)
    where running.xid::text::bigint % 4294967296 not in (
      select a.backend_xid::text::bigint from pg_stat_activity a
       where a.backend_xid is not null and a.datname is distinct from current_database()
      union all
      select p.transaction::text::bigint from pg_prepared_xacts p
       where p.database <> current_database())),
  pg_snapshot_xmax(pg_current_snapshot())::text::bigint)`;

export function toHubEvent(row: Pick<EventRow, 'id' | 'type' | 'created_at' | 'data'>): HubEvent {
  return { id: row.id, type: row.type, createdAt: row.created_at, data: fromJson(row.data) };
}

export async function insertEvent(
  tx: Tx,
  event: { id: string; type: string; createdAt: string; dataJson: string; merchantId: string | null },
): Promise<FeedPosition> {
  const row = await tx
    .insertInto('events')
    .values({
      id: event.id,
      xid: isPostgres(tx) ? currentXid : 0,
      type: event.type,
      data: event.dataJson,
      merchant_id: event.merchantId,
      created_at: event.createdAt,
    })
    .returning(['xid', 'seq'])
    .executeTakeFirstOrThrow();
  return { xid: Number(row.xid), seq: Number(row.seq) };
}

export async function insertEventParticipants(
  tx: Tx,
  eventId: string,
  position: FeedPosition,
  participantIds: readonly string[],
): Promise<void> {
  if (participantIds.length === 0) return;
  await tx
    .insertInto('event_participants')
    .values(
      participantIds.map((participantId) => ({
        participant_id: participantId,
        xid: position.xid,
        seq: position.seq,
        event_id: eventId,
      })),
    )
    .execute();
}

export async function findEventRow(db: Queryable, id: string): Promise<Selectable<EventRow> | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function isEventAddressedTo(db: Queryable, eventId: string, participantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('event_participants')
    .select('event_id')
    .where('event_id', '=', eventId)
    .where('participant_id', '=', participantId)
    .executeTakeFirst();
  return row !== undefined;
}

export type FeedAudience = { type: 'merchant'; id: string } | { type: 'participant'; id: string } | { type: 'all' };

/** Up to `limit` events after `after`, in the order readers page through them. */
export async function readFeed(
  db: Queryable,
  filter: { audience: FeedAudience; after: FeedPosition; types: readonly string[] | undefined; limit: number },
): Promise<(HubEvent & FeedPosition)[]> {
  const postgres = isPostgres(db);
  const audience = filter.audience;
  const merchantId = audience.type === 'merchant' ? audience.id : undefined;
  const base =
    audience.type === 'participant'
      ? db
          .selectFrom('event_participants as p')
          .innerJoin('events as e', 'e.id', 'p.event_id')
          .where('p.participant_id', '=', audience.id)
          .where((eb) => eb(eb.refTuple('p.xid', 'p.seq'), '>', eb.tuple(filter.after.xid, filter.after.seq)))
          .orderBy('p.xid')
          .orderBy('p.seq')
      : db
          .selectFrom('events as e')
          .$if(merchantId !== undefined, (query) => query.where('e.merchant_id', '=', merchantId ?? ''))
          .where((eb) => eb(eb.refTuple('e.xid', 'e.seq'), '>', eb.tuple(filter.after.xid, filter.after.seq)))
          .orderBy('e.xid')
          .orderBy('e.seq');
  const rows = await base
    .select(['e.id', 'e.type', 'e.created_at', 'e.data', 'e.xid', 'e.seq'])
    .$if(filter.types !== undefined, (query) => query.where('e.type', 'in', [...(filter.types ?? [])]))
    .$if(postgres, (query) => query.where('e.xid', '<', oldestXidThatCouldWriteHere))
    .limit(filter.limit)
    .execute();
  return rows.map((row) => ({ ...toHubEvent(row), xid: Number(row.xid), seq: Number(row.seq) }));
}

/** Old events with nothing left to deliver; their deliveries and recipients go with them. */
export async function purgeEvents(tx: Tx, createdBefore: string, limit: number): Promise<number> {
  const rows = await tx
    .selectFrom('events')
    .select('id')
    .where('created_at', '<', createdBefore)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('event_deliveries as d')
            .select('d.id')
            .whereRef('d.event_id', '=', 'events.id')
            .where('d.status', '=', 'pending'),
        ),
      ),
    )
    .orderBy('created_at')
    .limit(limit)
    .execute();
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return 0;
  await tx.deleteFrom('event_deliveries').where('event_id', 'in', ids).execute();
  await tx.deleteFrom('event_participants').where('event_id', 'in', ids).execute();
  const deleted = await tx.deleteFrom('events').where('id', 'in', ids).executeTakeFirst();
  invariant(deleted.numDeletedRows <= BigInt(ids.length), `a purge deletes only the ${ids.length} events it chose`);
  return ids.length;
}

export * from './endpoint-store.ts';
export * from './delivery-store.ts';
