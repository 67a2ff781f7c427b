// Disputes between an issuer and an acquirer (and its merchant): raised,
// answered, escalated and ruled, with chargebacks. The only door into
// src/disputes.
export { passDeadlines } from './service.ts';
export type { Dispute, DisputeReason, DisputeStatus } from './model.ts';
export { parseRaiseWindows, raiseWindowDaysDefault, raiseWindowDaysMax } from './model.ts';
