/**
 * Rows of charges at the till: a scanned payment code, the reserved transfer
 * behind it and what the issuing wallet answered. Amounts are bigint minor
 * units; times are ISO 8601 UTC text.
 */
export type PosChargeRow = {
  id: string;
  merchant_id: string;
  acquirer_id: string;
  /** The wallet whose payment-code prefix the code begins with. */
  issuer_id: string;
  payment_code: string;
  /**
   * The code while the charge holds it (every status but declined); null once declined, so the code may be charged
   * again.
   */
  payment_code_hold: string | null;
  amount: number;
  currency: string;
  reference: string;
  status: string;
  /** The payment transfer, reserved at creation; committed on approval, released on decline or reversal. */
  transfer_id: string;
  /** The transfer's receipt number, shown once the charge succeeded. */
  receipt_number: string;
  decline_reason: string | null;
  reversal_reason: string | null;
  /** When the hub stops waiting for the wallet's answer to the authorization call. */
  deadline_at: string;
  /** When the reversal worker reverses the charge if it is still pending or unknown. */
  reverse_after: string;
  created_at: string;
  succeeded_at: string | null;
  declined_at: string | null;
  unknown_at: string | null;
  reversed_at: string | null;
};

export type PosTables = { pos_charges: PosChargeRow };
