import { type Queryable, type Tx, fromJson, toJson, type AuditEventRow } from '../db/index.ts';
import type { ActorType, AuditEvent } from './model.ts';

export async function insertAuditEvent(tx: Tx, event: AuditEvent, parties: readonly string[]): Promise<void> {
  await tx
    .insertInto('audit_events')
    .values({
      id: event.id,
      at: event.at,
      actor_type: event.actor.type,
      actor_id: event.actor.id,
      action: event.action,
      object_type: event.objectType,
      object_id: event.objectId,
      before: event.before === undefined ? null : toJson(event.before),
      after: event.after === undefined ? null : toJson(event.after),
    })
    .execute();
  if (parties.length > 0)
    await tx
      .insertInto('audit_event_parties')
      .values(parties.map((party) => ({ party_id: party, event_id: event.id })))
      .execute();
}

export type AuditFilter = {
  /** Only events this merchant or participant may read; absent for the operator, who reads them all. */
  party?: string | undefined;
  objectId?: string | undefined;
  objectIds?: readonly string[] | undefined;
  actor?: string | undefined;
  after?: string | undefined;
  limit: number;
};

export async function listAuditEvents(db: Queryable, filter: AuditFilter): Promise<AuditEvent[]> {
  if (filter.party !== undefined) return listAuditEventsOfParty(db, { ...filter, party: filter.party });
  let query = db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.objectId !== undefined) query = query.where('object_id', '=', filter.objectId);
  if (filter.objectIds !== undefined)
    query = query.where('object_id', 'in', filter.objectIds.length ? [...filter.objectIds] : ['']);
  if (filter.actor !== undefined) query = query.where('actor_id', '=', filter.actor);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  const rows = await query.execute();
  return rows.map(toAuditEvent);
}

/** A party's events, through its rows in `audit_event_parties` (keyed by party, then event id). */
async function listAuditEventsOfParty(db: Queryable, filter: AuditFilter & { party: string }): Promise<AuditEvent[]> {
  let query = db
    .selectFrom('audit_event_parties as p')
    .innerJoin('audit_events as e', 'e.id', 'p.event_id')
    .selectAll('e')
    .where('p.party_id', '=', filter.party)
    .orderBy('p.event_id')
    .limit(filter.limit + 1);
  if (filter.objectId !== undefined) query = query.where('e.object_id', '=', filter.objectId);
  if (filter.objectIds !== undefined)
    query = query.where('e.object_id', 'in', filter.objectIds.length ? [...filter.objectIds] : ['']);
  if (filter.actor !== undefined) query = query.where('e.actor_id', '=', filter.actor);
  if (filter.after !== undefined) query = query.where('p.event_id', '>', filter.after);
  const rows = await query.execute();
  return rows.map(toAuditEvent);
}

function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    actor: { type: row.actor_type as ActorType, id: row.actor_id },
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    before: fromJson(row.before),
    after: fromJson(row.after),
  };
}
