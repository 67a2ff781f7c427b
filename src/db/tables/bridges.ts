/** Rows of the bridges to wallets' own merchant APIs. Times are ISO 8601 UTC text; JSON is text. */

/** A merchant's credentials at a bridged wallet, for one channel: JSON sealed under the master key. */
export type BridgeCredentialsRow = {
  channel_id: string;
  kind: string;
  sealed: string;
  created_at: string;
  updated_at: string;
};

/** The wallet's order behind one checkout attempt; `id` is the order number sent to the wallet. */
export type BridgeOrderRow = {
  id: string;
  attempt_id: string;
  checkout_id: string;
  channel_id: string;
  wallet_id: string;
  flow: string;
  amount: number;
  currency: string;
  /** The attempt's token for this wallet: the payment commits through it, as a wallet's transfer would. */
  payment_token: string;
  /** open, paid, closed or failed (see the wallet's mapping). */
  state: string;
  /** WeChat's `code_url` (QR) or `h5_url` (app switch). */
  wallet_url: string | null;
  transaction_id: string | null;
  transfer_id: string | null;
  queries: number;
  next_query_at: string;
  expires_at: string;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
};

export type BridgeNotificationRow = {
  channel_id: string;
  notification_id: string;
  order_id: string;
  received_at: string;
};

/** A refund sent to the wallet for a Lintas refund; `id` is the refund number sent (`out_refund_no`). */
export type BridgeRefundRow = {
  id: string;
  order_id: string;
  refund_id: string;
  amount: number;
  /** pending, succeeded or failed. */
  state: string;
  wallet_refund_id: string | null;
  created_at: string;
  updated_at: string;
};

export type BridgeTables = {
  bridge_credentials: BridgeCredentialsRow;
  bridge_orders: BridgeOrderRow;
  bridge_notifications: BridgeNotificationRow;
  bridge_refunds: BridgeRefundRow;
};
