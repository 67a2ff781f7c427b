import { invariant } from '../platform/index.ts';

export type ActorType = 'operator' | 'merchant' | 'participant' | 'buyer' | 'system';

export type Actor = { type: ActorType; id: string };

export type AuditEvent = {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  objectType: string;
  objectId: string;
  before: unknown;
  after: unknown;
};

/**
 * What a use case records. `parties` names merchants or participants who
 * may read the event besides those `auditPartiesOf` finds by itself; most
 * callers leave it out.
 */
export type AuditEntry = Omit<AuditEvent, 'id' | 'at'> & { parties?: readonly string[] | undefined };

export const systemActor: Actor = { type: 'system', id: 'hub' };

/** Ids of the parties that read the trail besides the operator: merchants and participants. */
const partyIdPattern = /^(mer|par)_[0-9a-z]{1,64}$/;

/** Fields of an object's snapshot that name a party whose object it is. */
const ownerFields = ['merchantId', 'walletId', 'participantId', 'payerParticipantId', 'payeeParticipantId'] as const;
/** A merchant is also its acquirer's object; other objects that carry `acquirerId` (checkouts) are not. */
const ownerFieldsOfType: Record<string, readonly string[]> = { merchant: ['acquirerId'] };

/** An event may concern a handful of parties; more is a programmer error. */
export const auditPartiesMax = 16;

function ownersIn(snapshot: unknown, fields: readonly string[]): string[] {
  if (snapshot === null || typeof snapshot !== 'object' || Array.isArray(snapshot)) return [];
  const record = snapshot as Record<string, unknown>;
  return fields.map((field) => record[field]).filter((value): value is string => typeof value === 'string');
}

/**
 * Who may read an event about an object, besides the operator: the
 * merchant or participant that acted, the object itself when it is a
 * merchant or participant (or their checkout settings, whose id is the
 * merchant's), and the owners its snapshots name at their top level
 * (`merchantId`, `walletId`, ...). Lists nested in a snapshot name no
 * owner: a merchant's settings mention wallets that must not read them.
 */
export function auditPartiesOf(entry: AuditEntry): string[] {
  const fields = [...ownerFields, ...(ownerFieldsOfType[entry.objectType] ?? [])];
  const candidates = [
    ...(entry.actor.type === 'merchant' || entry.actor.type === 'participant' ? [entry.actor.id] : []),
    entry.objectId,
    ...ownersIn(entry.before, fields),
    ...ownersIn(entry.after, fields),
    ...(entry.parties ?? []),
  ];
  const parties = [...new Set(candidates.filter((id) => partyIdPattern.test(id)))];
  invariant(
    parties.length <= auditPartiesMax,
    `audit event ${entry.action} names at most ${auditPartiesMax} parties (it names ${parties.length})`,
  );
  return parties;
}
