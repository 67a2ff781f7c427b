/**
 * Rows of the money core: transfers, the ledger entries they post, and each
 * participant's position per currency. Amounts are bigint minor units, read
 * back as safe integers; times are ISO 8601 UTC text; flags are 0/1.
 */

export type TransferRow = {
  id: string;
  kind: string;
  status: string;
  receipt_number: string;
  payer_id: string;
  payee_id: string;
  merchant_id: string;
  amount: number;
  currency: string;
  source: string;
  checkout_id: string | null;
  payer_ref: string | null;
  payment_transfer_id: string | null;
  refunded_amount: number;
  /** On a payment: what its disputes hold (open, or charged back); refunded + disputed never pass the amount. */
  disputed_amount: number;
  interchange: number;
  issuer_switch_fee: number;
  acquirer_switch_fee: number;
  merchant_discount: number;
  on_us: number;
  /** The settlement window the transfer was committed in, and that window's business date; null until committed. */
  window_id: string | null;
  business_date: string | null;
  created_at: string;
  committed_at: string | null;
  released_at: string | null;
};

/** One line of a balanced posting. `account` is a participant id or 'hub'. */
export type LedgerEntryRow = {
  id: string;
  transfer_id: string;
  account: string;
  currency: string;
  amount: number;
  created_at: string;
};

/** A participant's running net in one currency; the hub's own account never has a row. */
export type PositionRow = {
  participant_id: string;
  currency: string;
  position: number;
  reserved: number;
  updated_at: string;
};

export type LedgerTables = {
  transfers: TransferRow;
  ledger_entries: LedgerEntryRow;
  positions: PositionRow;
};
