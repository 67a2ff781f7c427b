/** Rows of checkouts, attempts and payment tokens. */

export type CheckoutRow = {
  id: string;
  merchant_id: string;
  acquirer_id: string;
  amount: number;
  currency: string;
  reference: string;
  /** The reference while the checkout holds it (open or paid); null once it expired or was canceled. */
  reference_hold: string | null;
  buyer_id: string;
  lines: string;
  return_url: string | null;
  status: string;
  methods: string;
  decisions: string;
  client_secret_hash: string;
  expires_at: string;
  created_at: string;
  paid_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  transfer_id: string | null;
  paid_wallet_id: string | null;
};

export type CheckoutAttemptRow = {
  id: string;
  checkout_id: string;
  wallet_id: string;
  flow: string;
  share_token: string | null;
  /** The buyer's words to the friend a friend-pay link is for; null for any other flow. */
  share_note: string | null;
  created_at: string;
};

export type PaymentTokenRow = {
  token: string;
  source: string;
  object_id: string;
  attempt_id: string | null;
  wallet_id: string | null;
  merchant_id: string;
  expires_at: string;
  created_at: string;
  /** Added by 0009_placards: set when a single-use token paid. */
  used_at: string | null;
  /** Added by 0013_payments: the transfer this token paid. */
  transfer_id: string | null;
};

export type CheckoutTables = {
  checkouts: CheckoutRow;
  checkout_attempts: CheckoutAttemptRow;
  payment_tokens: PaymentTokenRow;
};
