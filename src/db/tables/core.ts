/** Rows of the foundation's tables. Times are ISO 8601 UTC text; JSON is text; flags are 0/1. */

export type ParticipantRow = {
  id: string;
  name: string;
  roles: string;
  currencies: string;
  callback_url: string;
  app_switch_url_template: string | null;
  status: string;
  status_reason: string | null;
  created_at: string;
  updated_at: string;
  approved_at: string | null;
  rejected_at: string | null;
  suspended_at: string | null;
  /** The operator's limit for this participant's requests; null: the hub's default. */
  rate_limit_per_minute: number | null;
  /** A bridged wallet's kind (`wechatpay_v3`), base URL and platform keys (JSON `[{serial, publicKeyPem}]`); null otherwise. */
  bridge_kind: string | null;
  bridge_base_url: string | null;
  bridge_platform_keys: string | null;
};

export type ParticipantKeyRow = {
  kid: string;
  participant_id: string;
  jwk: string;
  status: string;
  created_at: string;
  revoked_at: string | null;
};

export type PaymentCodePrefixRow = {
  prefix: string;
  participant_id: string;
};

export type ParticipantLimitRow = {
  participant_id: string;
  currency: string;
  net_debit_cap: number;
  prefunding: number;
  updated_at: string;
};

export type MerchantRow = {
  id: string;
  acquirer_id: string;
  name: string;
  mcc: string;
  city: string;
  country: string;
  currency: string;
  status: string;
  secret_key_hash: string;
  created_at: string;
  updated_at: string;
  suspended_at: string | null;
  key_rotated_at: string | null;
  /** What the merchant gave for EMV 59, 60 and 64/00; null: made from name and city. */
  name_latin: string | null;
  city_latin: string | null;
  language: string | null;
};

export type AuditEventRow = {
  id: string;
  at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string;
  before: string | null;
  after: string | null;
};

export type IdempotencyKeyRow = {
  scope: string;
  key: string;
  request_hash: string;
  status: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: string;
  locked_until: string;
  expires_at: string;
  owner: string | null;
  effect_kind: string | null;
  effect_id: string | null;
  effect_secret: string | null;
};

export type SignatureNonceRow = {
  key_id: string;
  nonce: string;
  expires_at: string;
};

/** Requests a caller made in its current window, summed across hub processes (PostgreSQL). */
export type RateLimitCounterRow = {
  key: string;
  window_start: number;
  count: number;
};

export type HubKeyRow = {
  kid: string;
  public_jwk: string;
  sealed_private_key: string;
  status: string;
  created_at: string;
};

export type CoreTables = {
  participants: ParticipantRow;
  participant_keys: ParticipantKeyRow;
  payment_code_prefixes: PaymentCodePrefixRow;
  participant_limits: ParticipantLimitRow;
  merchants: MerchantRow;
  audit_events: AuditEventRow;
  idempotency_keys: IdempotencyKeyRow;
  signature_nonces: SignatureNonceRow;
  rate_limit_counters: RateLimitCounterRow;
  hub_keys: HubKeyRow;
};
