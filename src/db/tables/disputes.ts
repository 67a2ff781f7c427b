/** Rows of disputes: an issuer's claim on a payment, its answer, and its ruling; one row moves through its table. */
export type DisputeRow = {
  id: string;
  status: string;
  reason: string;
  amount: number;
  currency: string;
  payment_transfer_id: string;
  /** The chargeback the dispute posted; null until (and unless) it moves money. */
  chargeback_transfer_id: string | null;
  /** The arbitration fee the loser of a ruling paid; null unless ruled under a schedule that charges one. */
  arbitration_fee_transfer_id: string | null;
  issuer_id: string;
  acquirer_id: string;
  merchant_id: string;
  issuer_note: string;
  issuer_evidence: string | null;
  response_note: string | null;
  response_evidence: string | null;
  escalation_note: string | null;
  ruling_reason: string | null;
  ruling_note: string | null;
  /** Who answered: `merchant`, `acquirer`, or `deadline` when nobody did. */
  responded_by: string | null;
  /** When the party whose turn it is must have acted; null once the dispute is final or with the operator. */
  deadline_at: string | null;
  created_at: string;
  accepted_at: string | null;
  contested_at: string | null;
  withdrawn_at: string | null;
  escalated_at: string | null;
  ruled_at: string | null;
  /** The liability rule (`reason/circumstance`) that decided the dispute; null when a party or the operator did. */
  decided_by_rule: string | null;
};

/** Who bears a dispute's loss for a reason in a circumstance; owned by the operator. */
export type LiabilityRuleRow = {
  reason: string;
  circumstance: string;
  bears: string;
  note: string;
  updated_at: string;
};

/** One evidence file of a dispute: what the hub checked it is, its digest, and its bytes as base64. */
export type DisputeEvidenceRow = {
  id: string;
  dispute_id: string;
  /** Who filed it: `issuer`, `acquirer` or `merchant`. */
  party: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  content_base64: string;
  created_at: string;
};

export type DisputeTables = {
  disputes: DisputeRow;
  liability_rules: LiabilityRuleRow;
  dispute_evidence: DisputeEvidenceRow;
};
