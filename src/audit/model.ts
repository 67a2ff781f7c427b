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

export type AuditEntry = Omit<AuditEvent, 'id' | 'at'>;

export const systemActor: Actor = { type: 'system', id: 'hub' };
