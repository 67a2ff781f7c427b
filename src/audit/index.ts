export { createAuditWriter, type AuditWriter } from './service.ts';
export { type Actor, type AuditEntry, systemActor } from './model.ts';
