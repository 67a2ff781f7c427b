export { type ChannelRow, type ChannelTables, type CheckoutSettingsRow } from './channels.ts';
export { type CheckoutAttemptRow, type CheckoutRow, type CheckoutTables, type PaymentTokenRow } from './checkout.ts';
export {
  type AuditEventRow,
  type CoreTables,
  type MerchantRow,
  type ParticipantKeyRow,
  type ParticipantRow,
} from './core.ts';
export { type LedgerTables, type PositionRow, type TransferRow } from './ledger.ts';
export { type EventDeliveryRow, type EventRow, type NotifyTables, type WebhookEndpointRow } from './notify.ts';
export { type PlacardTables, type TillQrRow } from './placards.ts';
export { type PosChargeRow, type PosTables } from './pos.ts';
export { type ReconciliationItemRow, type ReconciliationRow, type ReconciliationTables } from './reconciliation.ts';
export { type RefundRow, type RefundTables } from './refunds.ts';
export { type AuditEventPartyRow, type RolloutRuleRow, type RolloutTables } from './rollout.ts';
export { type SettlementTables, type SettlementWindowRow } from './settlement.ts';
