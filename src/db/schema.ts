import type { ChannelTables } from './tables/index.ts';
import type { CheckoutTables } from './tables/index.ts';
import type { CoreTables } from './tables/index.ts';
import type { LedgerTables } from './tables/index.ts';
import type { NotifyTables } from './tables/index.ts';
import type { PlacardTables } from './tables/index.ts';
import type { PosTables } from './tables/index.ts';
import type { ReconciliationTables } from './tables/index.ts';
import type { RefundTables } from './tables/index.ts';
import type { RolloutTables } from './tables/index.ts';
import type { SettlementTables } from './tables/index.ts';

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
