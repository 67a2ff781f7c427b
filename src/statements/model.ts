/** Statements: every transfer a participant is party to, as it would book it. Pure rules. */
import { csvRow } from '../platform/index.ts';

export type Direction = 'debit' | 'credit';

export type StatementLine = {
  transferId: string;
  receiptNumber: string;
  createdAt: string;
  businessDate: string | null;
  kind: 'payment' | 'refund';
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
  'merchantDiscount',
  'net',
] as const satisfies readonly (keyof MerchantSummary)[];

/** What the acquirer owes each merchant: what it collected, less what it gave back and its discount. */
export function netToMerchant(gross: number, refunds: number, merchantDiscount: number): number {
  return gross - refunds - merchantDiscount;
}
