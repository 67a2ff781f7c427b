export type { ChannelRow, ChannelTables, CheckoutSettingsRow } from './channels.ts';
export type { CheckoutAttemptRow, CheckoutRow, CheckoutTables, PaymentTokenRow } from './checkout.ts';
export type {
  AuditEventRow,
  CoreTables,
  MerchantRow,
  ParticipantKeyRow,
  ParticipantRow,
} from './core.ts';
export type { DisputeEvidenceRow, DisputeRow, DisputeTables, LiabilityRuleRow } from './disputes.ts';
export type { LedgerTables, PositionRow, TransferRow } from './ledger.ts';
export type { EventDeliveryRow, EventRow, NotifyTables, WebhookEndpointRow } from './notify.ts';
export type { PlacardTables, TillQrRow } from './placards.ts';
export type { PosChargeRow, PosTables } from './pos.ts';
export type { ReconciliationItemRow, ReconciliationRow, ReconciliationTables } from './reconciliation.ts';
export type { RefundRow, RefundTables } from './refunds.ts';
export type { AuditEventPartyRow, RolloutRuleRow, RolloutTables } from './rollout.ts';
export type { SettlementTables, SettlementWindowRow } from './settlement.ts';
export type {
  FspiopDfspRow,
  FspiopOutboundRow,
  FspiopPartyRow,
  FspiopTables,
  FspiopTransferRow,
} from './fspiop.ts';
export type {
  BridgeCredentialsRow,
  BridgeNotificationRow,
  BridgeOrderRow,
  BridgeRefundRow,
  BridgeTables,
} from './bridges.ts';
