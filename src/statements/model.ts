/** Statements: every transfer a participant is party to, as it would book it. Pure rules. */
import { csvRow } from '../platform/index.ts';

export type Direction = 'debit' | 'credit';

export type StatementLine = {
  transferId: string;
  receiptNumber: string;
  createdAt: string;
  businessDate: string | null;
  kind: 'payment' | 'refund' | 'chargeback' | 'arbitration_fee';
  direction: Direction;
  counterpartyId: string;
  merchantId: string;
  amount: number;
  currency: string;
  interchange: number;
  switchFee: number;
  source: string;
  payerRef: string | null;
};

/** The columns, in order; the header of every CSV statement and of what reconciliation reads. */
export const statementColumns = [
  'transferId',
  'receiptNumber',
  'createdAt',
  'businessDate',
  'kind',
  'direction',
  'counterpartyId',
  'merchantId',
  'amount',
  'currency',
  'interchange',
  'switchFee',
  'source',
  'payerRef',
] as const satisfies readonly (keyof StatementLine)[];

/** A line as CSV: a payer's reference that starts like a formula is written with a leading `'`. */
export function statementCsvRow(line: StatementLine): string {
  return csvRow(statementColumns.map((column) => line[column]));
}

export type MerchantSummary = {
  merchantId: string;
  currency: string;
  payments: number;
  refundCount: number;
  gross: number;
  refunds: number;
  chargebackCount: number;
  /** What disputes charged back to the acquirer on the merchant's payments. */
  chargebacks: number;
  merchantDiscount: number;
  net: number;
};

export const merchantSummaryColumns = [
  'merchantId',
  'currency',
  'payments',
  'refundCount',
  'gross',
  'refunds',
  'chargebackCount',
  'chargebacks',
  'merchantDiscount',
  'net',
] as const satisfies readonly (keyof MerchantSummary)[];

/** What the acquirer owes each merchant: what it collected, less what it gave back (refunds, chargebacks) and its discount. */
export function netToMerchant(gross: number, refunds: number, chargebacks: number, merchantDiscount: number): number {
  return gross - refunds - chargebacks - merchantDiscount;
}
