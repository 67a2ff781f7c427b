import { type Selectable, sql } from 'kysely';
import {
  type Queryable,
  type Tx,
  forUpdate,
  fromJson,
  isPostgres,
  type EventDeliveryRow,
  type EventRow,
} from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import type { Delivery, DeliveryKind, DeliveryStatus, FeedPosition, HubEvent } from './model.ts';

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

// ---------------------------------------------------------------- deliveries

export function toDelivery(row: EventDeliveryRow): Delivery {
  return {
    id: row.id,
    kind: row.kind as DeliveryKind,
    eventId: row.event_id,
    eventType: row.event_type,
    endpointId: row.endpoint_id,
    participantId: row.participant_id,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastResponseStatus: row.last_response_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    failedAt: row.failed_at,
  };
}

export type NewDelivery = {
  id: string;
  kind: DeliveryKind;
  eventId: string;
  eventType: string;
  merchantId: string | null;
  endpointId: string | null;
  participantId: string | null;
  createdAt: string;
  giveUpAt: string;
};

export async function insertDeliveries(tx: Tx, deliveries: readonly NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  for (const delivery of deliveries) {
    invariant(
      delivery.kind === 'webhook' ? delivery.endpointId !== null : delivery.participantId !== null,
      `${delivery.kind} delivery ${delivery.id} names its receiver`,
    );
    invariant(
      delivery.endpointId === null || delivery.participantId === null,
      `delivery ${delivery.id} has one receiver, not an endpoint and a participant`,
    );
  }
  await tx
    .insertInto('event_deliveries')
    .values(
      deliveries.map((delivery) => ({
        id: delivery.id,
        event_id: delivery.eventId,
        event_type: delivery.eventType,
        kind: delivery.kind,
        merchant_id: delivery.merchantId,
        endpoint_id: delivery.endpointId,
        participant_id: delivery.participantId,
        status: 'pending',
        attempts: 0,
        next_attempt_at: delivery.createdAt,
        give_up_at: delivery.giveUpAt,
        locked_until: null,
        lock_token: null,
        last_attempt_at: null,
        last_response_status: null,
        last_error: null,
        created_at: delivery.createdAt,
        updated_at: delivery.createdAt,
        delivered_at: null,
        failed_at: null,
      })),
    )
    .execute();
}

export async function findDeliveryRow(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<EventDeliveryRow | undefined> {
  const query = db.selectFrom('event_deliveries').selectAll().where('id', '=', id);
  return (lock ? forUpdate(db, query) : query).executeTakeFirst();
}

export type DeliveryFilter = {
  kind: DeliveryKind;
  merchantId?: string | undefined;
  participantId?: string | undefined;
  eventId?: string | undefined;
  status?: DeliveryStatus | undefined;
  limit: number;
  after?: string | undefined;
};

export async function listDeliveries(db: Queryable, filter: DeliveryFilter): Promise<Delivery[]> {
  let query = db
    .selectFrom('event_deliveries')
    .selectAll()
    .where('kind', '=', filter.kind)
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.merchantId !== undefined) query = query.where('merchant_id', '=', filter.merchantId);
  if (filter.participantId !== undefined) query = query.where('participant_id', '=', filter.participantId);
  if (filter.eventId !== undefined) query = query.where('event_id', '=', filter.eventId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toDelivery);
}

/**
 * Takes due deliveries for one attempt each: a lease (`locked_until`) and a
 * token to prove it later. One statement, so two processes never take the
 * same row: on PostgreSQL rows another process is taking are skipped
 * (`for update skip locked`) and a row it took meanwhile fails the
 * re-checked condition; SQLite runs one writer at a time.
 */
export type DeliveryClaim = {
  now: string;
  leaseUntil: string;
  token: string;
  limit: number;
  /** Only deliveries of this kind (webhooks and callbacks have lanes of their own). */
  kind?: 'webhook' | 'callback';
  /** Receivers (endpoint or participant ids) whose deliveries are not taken now: busy or tripped. */
  exceptReceivers?: readonly string[];
};

export async function claimDueDeliveries(db: Queryable, claim: DeliveryClaim): Promise<EventDeliveryRow[]> {
  let due = db
    .selectFrom('event_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', claim.now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', claim.now)]))
    .orderBy('next_attempt_at')
    .limit(claim.limit);
  if (claim.kind !== undefined) due = due.where('kind', '=', claim.kind);
  const except = claim.exceptReceivers ?? [];
  if (except.length > 0)
    due = due.where(claim.kind === 'callback' ? 'participant_id' : 'endpoint_id', 'not in', [...except]);
  const claimed = await db
    .updateTable('event_deliveries')
    .set({ locked_until: claim.leaseUntil, lock_token: claim.token })
    // PostgreSQL may run an `in (select … limit n for update skip locked)`
    // subquery more than once within one update and so take more than n rows
    // (seen: 40 of a 32-row batch, which the lease does not cover);
    // `= any(array(…))` is an init plan, evaluated exactly once.
    .where(
      isPostgres(db) ? sql<boolean>`id = any(array(${due.forUpdate().skipLocked()}))` : sql<boolean>`id in (${due})`,
    )
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', claim.now)]))
    .returningAll()
    .execute();
  invariant(
    claimed.length <= claim.limit,
    `a claim takes at most ${claim.limit} deliveries (it took ${claimed.length})`,
  );
  for (const row of claimed) {
    invariant(row.lock_token === claim.token, `claimed delivery ${row.id} carries this claim's token`);
    invariant(row.status === 'pending', `claimed delivery ${row.id} is pending (it is ${row.status})`);
  }
  invariant(new Set(claimed.map((row) => row.id)).size === claimed.length, 'a claim takes each delivery once');
  return claimed;
}

/** Gives claimed deliveries back unattempted (their receiver already has enough in flight). */
export async function releaseClaims(db: Queryable, ids: readonly string[], token: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('event_deliveries')
    .set({ locked_until: null, lock_token: null })
    .where('id', 'in', [...ids])
    .where('lock_token', '=', token)
    .execute();
}

export type AttemptRecord = {
  status: DeliveryStatus;
  attempts: number;
  at: string;
  nextAttemptAt: string | null;
  responseStatus: number | null;
  error: string | null;
};

/** Writes an attempt's outcome if this claimer still holds the lease; false when it lost it. */
export async function recordAttempt(tx: Tx, id: string, token: string, record: AttemptRecord): Promise<boolean> {
  const result = await tx
    .updateTable('event_deliveries')
    .set({
      status: record.status,
      attempts: record.attempts,
      next_attempt_at: record.nextAttemptAt,
      locked_until: null,
      lock_token: null,
      last_attempt_at: record.at,
      last_response_status: record.responseStatus,
      last_error: record.error,
      updated_at: record.at,
      ...(record.status === 'delivered' ? { delivered_at: record.at } : {}),
      ...(record.status === 'failed' ? { failed_at: record.at } : {}),
    })
    .where('id', '=', id)
    .where('lock_token', '=', token)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  invariant(result.numUpdatedRows <= 1n, `recording an attempt of delivery ${id} updated one row at most`);
  return result.numUpdatedRows === 1n;
}

/** Queues a locked delivery for an attempt at `change.at`. */
export async function rescheduleDelivery(tx: Tx, id: string, change: { at: string; giveUpAt: string }): Promise<void> {
  const result = await tx
    .updateTable('event_deliveries')
    .set({
      status: 'pending',
      next_attempt_at: change.at,
      give_up_at: change.giveUpAt,
      updated_at: change.at,
      delivered_at: null,
      failed_at: null,
    })
    .where('id', '=', id)
    .executeTakeFirst();
  invariant(result.numUpdatedRows === 1n, `locked delivery ${id} was rescheduled (${result.numUpdatedRows} rows)`);
}

// ---------------------------------------------------------------- gauges

export async function pendingCounts(db: Queryable): Promise<{ kind: string; count: number }[]> {
  const rows = await db
    .selectFrom('event_deliveries')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', '=', 'pending')
    .groupBy('kind')
    .execute();
  return rows.map((row) => ({ kind: row.kind, count: Number(row.count) }));
}

export async function oldestPendingCreatedAt(db: Queryable): Promise<string | undefined> {
  const row = await db
    .selectFrom('event_deliveries')
    .select((eb) => eb.fn.min('created_at').as('oldest'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row?.oldest ?? undefined;
}
