/**
 * Rows of clearing and settlement (issue 10): fee schedules, settlement
 * windows, the per-window aggregates their reports are read from, and the
 * settlement postings. Amounts are bigint minor units, read back as safe
 * integers; times are ISO 8601 UTC text.
 */

/**
 * One fee of a currency's schedule: `fee` is interchange, issuer_switch_fee, acquirer_switch_fee or merchant_discount.
 */
export type FeeScheduleRow = {
  currency: string;
  fee: string;
  bps: number;
  fixed_amount: number;
  min_amount: number;
  updated_at: string;
};

/** An acquirer's own merchant discount for one merchant, in the merchant's currency. */
export type MerchantFeeRow = {
  merchant_id: string;
  bps: number;
  fixed_amount: number;
  min_amount: number;
  updated_at: string;
};

export type SettlementWindowRow = {
  id: string;
  status: string;
  /** YYYY-MM-DD: the business day the window's transfers count to. */
  business_date: string;
  /** 1 while the window is open, else null: a unique index keeps one window open. */
  open_marker: number | null;
  opened_at: string;
  closed_at: string | null;
  /** When the window's aggregates were computed (after its close). */
  reported_at: string | null;
  settled_at: string | null;
  next_window_id: string | null;
};

/**
 * The window's committed transfers summed per payer, payee, merchant,
 * currency and kind: what its report (lines, bilateral obligations, merchant
 * discounts, counts) is read from.
 */
export type SettlementFlowRow = {
  window_id: string;
  payer_id: string;
  payee_id: string;
  merchant_id: string;
  currency: string;
  kind: string;
  transfers: number;
  amount: number;
  interchange: number;
  issuer_switch_fee: number;
  acquirer_switch_fee: number;
  merchant_discount: number;
};

/** One balanced group of ledger entries that records a window's settlement in one currency. */
export type SettlementRow = {
  id: string;
  window_id: string;
  currency: string;
  created_at: string;
};

export type SettlementTables = {
  fee_schedules: FeeScheduleRow;
  merchant_fees: MerchantFeeRow;
  settlement_windows: SettlementWindowRow;
  settlement_flows: SettlementFlowRow;
  settlements: SettlementRow;
};
