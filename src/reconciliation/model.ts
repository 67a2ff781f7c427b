/** Reconciliation: a participant's own records of a window against the hub's. Pure rules. */
import { isCurrencyAlpha } from '../money/index.ts';

export const requiredColumns = ['transferId', 'amount', 'currency', 'direction'] as const;
export type RequiredColumn = (typeof requiredColumns)[number];

export type UploadLine = {
  line: number;
  transferId: string;
  direction: 'debit' | 'credit';
  amount: number;
  currency: string;
};

export type ItemKind = 'missing_at_hub' | 'missing_at_participant' | 'mismatched' | 'malformed';
export const itemKinds: readonly ItemKind[] = ['missing_at_hub', 'missing_at_participant', 'mismatched', 'malformed'];

export type ReconciliationCounts = {
  lines: number;
  matched: number;
  missingAtHub: number;
  missingAtParticipant: number;
  mismatched: number;
  malformed: number;
};

export type Reconciliation = {
  id: string;
  participantId: string;
  windowId: string;
  status: 'processing' | 'completed';
  counts: ReconciliationCounts;
  createdAt: string;
  completedAt: string | null;
};

const integerPattern = /^-?\d{1,16}$/;
const transferIdCharsMax = 64;

/** Where each required column sits in the header, or which are missing. */
export function locateColumns(
  header: readonly string[],
): { ok: true; at: Record<RequiredColumn, number> } | { ok: false; missing: RequiredColumn[] } {
  const names = header.map((name) => name.trim());
  const missing = requiredColumns.filter((column) => !names.includes(column));
  if (missing.length > 0) return { ok: false, missing };
  return {
    ok: true,
    at: Object.fromEntries(requiredColumns.map((column) => [column, names.indexOf(column)])) as Record<
      RequiredColumn,
      number
    >,
  };
}

/** One data line, or why it is malformed; the first fault found is the one reported. */
export function readLine(
  line: number,
  fields: readonly string[],
  at: Record<RequiredColumn, number>,
): { ok: true; value: UploadLine } | { ok: false; error: string } {
  const transferId = fields[at.transferId]?.trim() ?? '';
  const amountText = fields[at.amount]?.trim() ?? '';
  const currency = fields[at.currency]?.trim() ?? '';
  const direction = fields[at.direction]?.trim() ?? '';
  if (transferId === '' || transferId.length > transferIdCharsMax)
    return { ok: false, error: 'transferId is missing or too long' };
  if (!integerPattern.test(amountText) || !Number.isSafeInteger(Number(amountText)))
    return { ok: false, error: `amount "${amountText}" is not an integer in minor units` };
  if (!isCurrencyAlpha(currency)) return { ok: false, error: `currency "${currency}" is not an ISO 4217 code` };
  if (direction !== 'debit' && direction !== 'credit')
    return { ok: false, error: `direction "${direction}" is neither debit nor credit` };
  return { ok: true, value: { line, transferId, direction, amount: Number(amountText), currency } };
}
