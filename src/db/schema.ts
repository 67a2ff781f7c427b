import type { ChannelTables } from './tables/channels.ts';
import type { CheckoutTables } from './tables/checkout.ts';
import type { CoreTables } from './tables/core.ts';
import type { LedgerTables } from './tables/ledger.ts';
import type { NotifyTables } from './tables/notify.ts';
import type { PlacardTables } from './tables/placards.ts';
import type { PosTables } from './tables/pos.ts';
import type { ReconciliationTables } from './tables/reconciliation.ts';
import type { RefundTables } from './tables/refunds.ts';
import type { RolloutTables } from './tables/rollout.ts';
import type { SettlementTables } from './tables/settlement.ts';

/** Every table of the hub: one type per capability's tables, composed here. */
export type Tables = CoreTables &
  ChannelTables &
  CheckoutTables &
  LedgerTables &
  NotifyTables &
  RolloutTables &
  RefundTables &
  PlacardTables &
  ReconciliationTables &
  PosTables &
  SettlementTables;
