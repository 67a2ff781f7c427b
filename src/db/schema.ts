import type {
  BridgeTables,
  ChannelTables,
  CheckoutTables,
  CoreTables,
  DisputeTables,
  FspiopTables,
  LedgerTables,
  NotifyTables,
  PlacardTables,
  PosTables,
  ReconciliationTables,
  RefundTables,
  RolloutTables,
  SettlementTables,
} from './tables/index.ts';

/** Every table of the hub: one type per capability's tables, composed here. */
export type Tables = CoreTables &
  DisputeTables &
  ChannelTables &
  CheckoutTables &
  LedgerTables &
  NotifyTables &
  RolloutTables &
  RefundTables &
  PlacardTables &
  ReconciliationTables &
  PosTables &
  SettlementTables &
  FspiopTables &
  BridgeTables;
