import { sql } from 'kysely';
import { type Queryable, type Tx, forUpdate, isPostgres, type EventDeliveryRow } from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import type { Delivery, DeliveryKind, DeliveryStatus } from './model.ts';

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
