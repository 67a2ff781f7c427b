/** Rows of the channels and rollout capabilities. Times are ISO 8601 UTC text; JSON is text. */

export type ChannelRow = {
  id: string;
  merchant_id: string;
  wallet_id: string;
  status: string;
  /** JSON: {website?, expectedMonthlyVolume?: {amount, currency}, note?} */
  business_details: string;
  question: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
  approved_at: string | null;
  rejected_at: string | null;
  suspended_at: string | null;
  reinstated_at: string | null;
  info_requested_at: string | null;
  info_provided_at: string | null;
};

export type CheckoutSettingsRow = {
  merchant_id: string;
  default_wallet_id: string | null;
  /** JSON: string[] */
  primary_wallet_ids: string;
  /** JSON: string[] */
  method_order: string;
  created_at: string;
  updated_at: string;
};

export type ChannelTables = {
  channels: ChannelRow;
  checkout_settings: CheckoutSettingsRow;
};
