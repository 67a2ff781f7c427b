/** Rows of merchant-presented codes: foreign templates on placards, and till QRs. */
export type MerchantQrTemplateRow = {
  merchant_id: string;
  template_id: string;
  value: string;
};

export type TillQrRow = {
  id: string;
  merchant_id: string;
  acquirer_id: string;
  amount: number;
  currency: string;
  reference: string;
  status: string;
  token: string;
  qr_payload: string;
  expires_at: string;
  created_at: string;
  paid_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  transfer_id: string | null;
  paid_wallet_id: string | null;
};

export type PlacardTables = {
  merchant_qr_templates: MerchantQrTemplateRow;
  till_qr_codes: TillQrRow;
};
