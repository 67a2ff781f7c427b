/** Rows of the rollout capability, and of who may read each audit event. Times are ISO 8601 UTC text; JSON is text. */

export type RolloutRuleRow = {
  id: string;
  merchant_id: string;
  wallet_id: string;
  /** Where the merchant listed the rule in its settings, from 0. */
  position: number;
  /** JSON: the rule as the merchant set it, normalized (`RolloutRule` of src/rollout/model.ts). */
  rule: string;
  created_at: string;
  updated_at: string;
};

/** One row per merchant or participant that may read an audit event (the operator reads them all). */
export type AuditEventPartyRow = {
  party_id: string;
  event_id: string;
};

export type RolloutTables = {
  rollout_rules: RolloutRuleRow;
  audit_event_parties: AuditEventPartyRow;
};
