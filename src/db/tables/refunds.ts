/** Rows of refunds: the merchant-facing record of a transfer back to the issuer. */
export type RefundRow = {
  id: string;
  merchant_id: string;
  status: string;
  amount: number;
  currency: string;
  payment_transfer_id: string;
  transfer_id: string;
  issuer_id: string;
  acquirer_id: string;
  reason: string;
  /** The `refund.created` event the issuer must acknowledge. */
  created_event_id: string;
  created_at: string;
  succeeded_at: string | null;
};

export type RefundTables = { refunds: RefundRow };
