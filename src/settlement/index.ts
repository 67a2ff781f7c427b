// Clearing and settlement: windows (one open at a time), the window every
// committed transfer joins, reports that sum to zero, settlement postings,
// the cutoff schedule and `lintas settle`. The only door into src/settlement.
export { type SettlementCutoff, businessDateOf, formatCutoff, lastCutoff, parseCutoff } from './calendar.ts';
export {
  type BilateralLine,
  type MerchantLine,
  type ReportLine,
  type SettlementWindow,
  type WindowReport,
  type WindowStatus,
  hubParticipantId,
  reportCsv,
} from './model.ts';
export {
  type Progress,
  type TransferWindow,
  closeWindow,
  ensureOpenWindow,
  findWindow,
  readReport,
  runCutoff,
  settleWindow,
  windowForTransfer,
} from './service.ts';
