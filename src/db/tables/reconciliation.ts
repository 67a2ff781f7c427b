/** Rows of reconciliations: the participant's upload, staged, and what matching found. */
export type ReconciliationRow = {
  id: string;
  participant_id: string;
  window_id: string;
  status: string;
  lines: number;
  matched: number;
  missing_at_hub: number;
  missing_at_participant: number;
  mismatched: number;
  malformed: number;
  created_at: string;
  completed_at: string | null;
};

/** One well-formed uploaded line while it is matched; deleted once the result is written. */
export type ReconciliationUploadRow = {
  reconciliation_id: string;
  line: number;
  transfer_id: string;
  direction: string;
  amount: number;
  currency: string;
};

export type ReconciliationItemRow = {
  reconciliation_id: string;
  kind: string;
  /** The upload line; null for what is missing at the participant (ordered by transfer id instead). */
  line: number | null;
  transfer_id: string | null;
  direction: string | null;
  field: string | null;
  participant_value: string | null;
  hub_value: string | null;
  error: string | null;
};

export type ReconciliationTables = {
  reconciliations: ReconciliationRow;
  reconciliation_uploads: ReconciliationUploadRow;
  reconciliation_items: ReconciliationItemRow;
};
