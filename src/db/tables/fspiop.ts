/** Rows of the FSPIOP adapter: DFSPs, the party oracle, FSPIOP transfers. Times are ISO 8601 UTC text. */
export type FspiopDfspRow = {
  fsp_id: string;
  participant_id: string;
  /** The DFSP's FSPIOP callback base URL: resources are appended (`/parties/...`, `/transfers/...`). */
  callback_url: string;
  /** JSON array of ISO 4217 codes. */
  currencies: string;
  /** The merchant (the DFSP's own, under it as acquirer) that P2P transfers to this DFSP are booked under. */
  merchant_id: string;
  /** PEM of the DFSP's RSA public key for FSPIOP-Signature (JWS, RS256); null when none is checked. */
  jws_public_key: string | null;
  created_at: string;
  updated_at: string;
};

export type FspiopPartyRow = {
  party_type: string;
  party_id: string;
  /** '' when the identifier has no sub-id. */
  party_sub_id: string;
  fsp_id: string;
  currency: string | null;
  created_at: string;
};

export type FspiopTransferRow = {
  /** The DFSP's transfer id (a UUID). */
  transfer_id: string;
  lintas_transfer_id: string;
  payer_fsp: string;
  payee_fsp: string;
  /** SHA-256 of the POST body's canonical JSON: a repeat with another body is 3106. */
  body_hash: string;
  condition: string;
  expiration: string;
  /** RESERVED, COMMITTED or ABORTED. */
  state: string;
  fulfilment: string | null;
  error_code: string | null;
  created_at: string;
  completed_at: string | null;
};

/** A Lintas wallet's payment to a DFSP's party, from the quote the hub asked for on. */
export type FspiopOutboundRow = {
  quote_id: string;
  /** The FSPIOP transfer id the hub will use once the quote is answered. */
  transfer_id: string;
  wallet_id: string;
  /** The wallet's own reference: a repeat returns the same payment. */
  payer_ref: string;
  payee_fsp: string;
  party_type: string;
  party_id: string;
  /** Minor units. */
  amount: number;
  currency: string;
  /** QUOTING, TRANSFERRING (see fspiop_transfers) or FAILED. */
  state: string;
  error_code: string | null;
  created_at: string;
};

/** The hub's own JWS key pair (name `jws`). */
export type FspiopHubKeyRow = {
  name: string;
  /** PKCS#8 PEM sealed under the master key. */
  private_key_sealed: string;
  /** SPKI PEM. */
  public_key: string;
  created_at: string;
};

export type FspiopTables = {
  fspiop_hub_keys: FspiopHubKeyRow;
  fspiop_outbound: FspiopOutboundRow;
  fspiop_dfsps: FspiopDfspRow;
  fspiop_parties: FspiopPartyRow;
  fspiop_transfers: FspiopTransferRow;
};
