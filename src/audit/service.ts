import type { Tx } from '../db/index.ts';
import { type Clock, type Random, newId } from '../platform/index.ts';
import { type AuditEntry, auditPartiesOf } from './model.ts';
import { insertAuditEvent } from './store.ts';

/**
 * The one writer of the audit trail. It runs inside the caller's
 * transaction, so a change, its audit event and the parties who may read
 * the event commit together or not at all.
 */
export function createAuditWriter(clock: Clock, random: Random) {
  return async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
    const at = clock.now();
    const { parties: _extraParties, ...event } = entry;
    await insertAuditEvent(tx, { ...event, id: newId('aud', at, random), at: at.toISOString() }, auditPartiesOf(entry));
  };
}

export type AuditWriter = ReturnType<typeof createAuditWriter>;
