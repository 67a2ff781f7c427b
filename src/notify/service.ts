import type { HubContext } from '../context.ts';
import { inTransaction, type Queryable, type Tx } from '../db/index.ts';
import { actorOf, type Caller } from '../http/index.ts';
import { InvariantError, type Result, invariant, newId, ok, refuse } from '../platform/index.ts';
import {
  type Delivery,
  type DeliveryKind,
  type DeliveryStatus,
  type FeedPosition,
  type HubEvent,
  deliveryRetryWindowMs,
  encodeCursor,
  endpointHears,
  eventDataBytesMax,
  eventParticipantsMax,
  isEventType,
  nextDeliveryStatus,
} from './model.ts';
import { closeBreaker } from './lanes.ts';
import * as store from './store.ts';

export type NewEvent = {
  type: string;
  data: unknown;
  merchantId?: string | null;
  participantIds?: readonly string[];
};

function checkNewEvent(event: NewEvent): string {
  invariant(isEventType(event.type), `event type ${JSON.stringify(event.type)} is a dotted lowercase name`);
  const dataJson = JSON.stringify(event.data);
  invariant(dataJson !== undefined, `event ${event.type} has data that is JSON`);
  if (Buffer.byteLength(dataJson) > eventDataBytesMax)
    throw new Error(`event ${event.type} data exceeds ${eventDataBytesMax} bytes`);
  const participantIds = event.participantIds ?? [];
  invariant(
    participantIds.length <= eventParticipantsMax,
    `event ${event.type} is addressed to at most ${eventParticipantsMax} participants (not ${participantIds.length})`,
  );
  invariant(new Set(participantIds).size === participantIds.length, `event ${event.type} names each participant once`);
  return dataJson;
}

/**
 * Writes an event and one pending delivery per receiver in the caller's
 * transaction, so the change it reports and the news of it commit together
 * or not at all. Receivers: the merchant's enabled webhook endpoints that
 * hear this type, and each named participant's callback URL. Nothing is sent
 * here; the delivery worker sends after the commit.
 */
export async function emitEvent(ctx: HubContext, tx: Tx, input: NewEvent): Promise<HubEvent> {
  const dataJson = checkNewEvent(input);
  const at = ctx.clock.now();
  const createdAt = at.toISOString();
  const giveUpAt = new Date(at.getTime() + deliveryRetryWindowMs).toISOString();
  const merchantId = input.merchantId ?? null;
  const participantIds = input.participantIds ?? [];
  const event: HubEvent = { id: newId('evt', at, ctx.random), type: input.type, createdAt, data: JSON.parse(dataJson) };
  const position = await store.insertEvent(tx, { id: event.id, type: event.type, createdAt, dataJson, merchantId });
  invariant(
    Number.isSafeInteger(position.xid) && Number.isSafeInteger(position.seq),
    `event ${event.id} has a feed position of safe integers`,
  );
  await store.insertEventParticipants(tx, event.id, position, participantIds);
  const common = { eventId: event.id, eventType: event.type, createdAt, giveUpAt };
  const endpoints =
    merchantId === null
      ? []
      : (await store.enabledEndpointsOf(tx, merchantId)).filter((endpoint) =>
          endpointHears(endpoint.events, event.type),
        );
  await store.insertDeliveries(tx, [
    ...endpoints.map((endpoint) => ({
      ...common,
      id: newId('dlv', at, ctx.random),
      kind: 'webhook' as const,
      merchantId,
      endpointId: endpoint.id,
      participantId: null,
    })),
    ...participantIds.map((participantId) => ({
      ...common,
      id: newId('dlv', at, ctx.random),
      kind: 'callback' as const,
      merchantId: null,
      endpointId: null,
      participantId,
    })),
  ]);
  return event;
}

// ---------------------------------------------------------------- the feed

function audienceOf(caller: Caller): store.FeedAudience {
  switch (caller.type) {
    case 'merchant':
      return { type: 'merchant', id: caller.id };
    case 'participant':
      return { type: 'participant', id: caller.id };
    case 'operator':
      return { type: 'all' };
    case 'buyer':
      throw new InvariantError('invariant failed: a buyer never reaches the event feed');
    default: {
      const unknownCaller: never = caller;
      throw new Error(`unknown caller ${JSON.stringify(unknownCaller)}`);
    }
  }
}

/**
 * A page of the caller's events after `after`. `nextCursor` is always set:
 * past the last event returned, or the position asked for when there is
 * nothing new, so a reader polls from it without missing or repeating.
 */
export async function readFeed(
  db: Queryable,
  caller: Caller,
  query: { after: FeedPosition; types: readonly string[] | undefined; limit: number },
): Promise<{ data: HubEvent[]; nextCursor: string }> {
  const rows = await store.readFeed(db, {
    audience: audienceOf(caller),
    after: query.after,
    types: query.types,
    limit: query.limit,
  });
  const last = rows[rows.length - 1];
  return {
    data: rows.map(({ xid: _xid, seq: _seq, ...event }) => event),
    nextCursor: encodeCursor(last ? { xid: last.xid, seq: last.seq } : query.after),
  };
}

/** An event the caller may see: addressed to it (merchant, participant), or any for the operator. */
export async function findEventFor(db: Queryable, caller: Caller, id: string): Promise<HubEvent | undefined> {
  const row = await store.findEventRow(db, id);
  if (!row) return undefined;
  const visible =
    caller.type === 'operator' ||
    (caller.type === 'merchant' && row.merchant_id === caller.id) ||
    (caller.type === 'participant' && (await store.isEventAddressedTo(db, id, caller.id)));
  return visible ? store.toHubEvent(row) : undefined;
}

// ---------------------------------------------------------------- deliveries seen by their receivers

type DeliveryOwner = { merchantId?: string; participantId?: string };

/** Whose deliveries a caller sees: a merchant its webhooks, a participant its callbacks, the operator all. */
function ownerOf(caller: Caller, kind: DeliveryKind): DeliveryOwner | undefined {
  if (caller.type === 'operator') return {};
  if (kind === 'webhook' && caller.type === 'merchant') return { merchantId: caller.id };
  if (kind === 'callback' && caller.type === 'participant') return { participantId: caller.id };
  return undefined;
}

function owns(owner: DeliveryOwner, delivery: { merchant_id: string | null; participant_id: string | null }): boolean {
  return (
    (owner.merchantId === undefined || owner.merchantId === delivery.merchant_id) &&
    (owner.participantId === undefined || owner.participantId === delivery.participant_id)
  );
}

export async function listDeliveries(
  db: Queryable,
  caller: Caller,
  kind: DeliveryKind,
  query: {
    eventId?: string | undefined;
    status?: DeliveryStatus | undefined;
    limit: number;
    after?: string | undefined;
  },
): Promise<Delivery[]> {
  const owner = ownerOf(caller, kind);
  if (!owner) return [];
  return store.listDeliveries(db, { kind, ...owner, ...query });
}

export async function findDelivery(
  db: Queryable,
  caller: Caller,
  kind: DeliveryKind,
  id: string,
): Promise<Delivery | undefined> {
  const owner = ownerOf(caller, kind);
  const row = await store.findDeliveryRow(db, id);
  if (!owner || !row || row.kind !== kind || !owns(owner, row)) return undefined;
  return store.toDelivery(row);
}

export type RetryRefusal = 'not_found';

/**
 * Queues one more attempt now. A pending delivery keeps its retry window; a
 * delivered or failed one gets a single attempt (its window ends now), after
 * which the feed remains the way to catch up.
 */
export async function retryDelivery(
  ctx: HubContext,
  caller: Caller,
  kind: DeliveryKind,
  id: string,
): Promise<Result<Delivery, RetryRefusal>> {
  const owner = ownerOf(caller, kind);
  const retried = await inTransaction(ctx.db, async (tx) => {
    const row = await store.findDeliveryRow(tx, id, { lock: true });
    if (!owner || !row || row.kind !== kind || !owns(owner, row))
      return refuse('not_found', `delivery ${id} was not found`);
    const before = store.toDelivery(row);
    const to = nextDeliveryStatus(before.status, 'retry');
    invariant(to === 'pending', `a ${before.status} delivery is pending once retried (the table says ${String(to)})`);
    const at = ctx.clock.now().toISOString();
    await store.rescheduleDelivery(tx, id, { at, giveUpAt: before.status === 'pending' ? row.give_up_at : at });
    const afterRow = await store.findDeliveryRow(tx, id);
    invariant(afterRow !== undefined, `delivery ${id} exists after it was rescheduled`);
    const after = store.toDelivery(afterRow);
    invariant(after.status === to, `delivery ${id} is ${to} after its retry (it is ${after.status})`);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: `${kind}_delivery.retry`,
      objectType: `${kind}_delivery`,
      objectId: id,
      before,
      after,
    });
    return ok({ after, receiver: kind === 'webhook' ? row.endpoint_id : row.participant_id });
  });
  if (!retried.ok) return retried;
  closeBreaker(ctx, retried.value.receiver);
  return ok(retried.value.after);
}
