/**
 * The ledger: balanced postings between position accounts. Pure rules, no I/O.
 *
 * Sign convention: a positive amount means the account is owed (it
 * receives), a negative one that it owes. A position is the sum of its
 * account's entries; the hub's own fee account is never a row, only the sum
 * of its entries (DESIGN: "No hot row").
 */
import { type Minor, minor } from '../money/index.ts';
import { invariant } from '../platform/index.ts';

/** The account of the hub's fees, beside the participants' accounts. */
export const hubAccount = 'hub';

export type Posting = { readonly account: string; readonly amount: Minor };

export type Position = {
  participantId: string;
  currency: string;
  position: Minor;
  reserved: Minor;
  updatedAt: string;
};

export type Limits = { netDebitCap: Minor; prefunding: Minor };

export const noLimits: Limits = { netDebitCap: minor(0), prefunding: minor(0) };

/** What GET /v1/positions shows for one participant and currency. */
export type PositionView = {
  participantId: string;
  currency: string;
  position: Minor;
  reserved: Minor;
  netDebitCap: Minor;
  prefunding: Minor;
  headroom: Minor;
};

/**
 * The ledger asserts with the shared `invariant` (STYLE 3, 4). Both stay
 * exported under their old names for the ledger's door, so callers and tests
 * that catch `LedgerInvariantError` keep working until they import from
 * platform instead.
 */
export { InvariantError as LedgerInvariantError, invariant } from '../platform/index.ts';

/**
 * How far the participant may still go into debit:
 * `netDebitCap + prefunding + position - reserved`. Reserved amounts count
 * against it before they are owed (issue 8).
 */
export function headroomOf(position: Pick<Position, 'position' | 'reserved'>, limits: Limits): Minor {
  return minor(limits.netDebitCap + limits.prefunding + position.position - position.reserved);
}

/** A debit (a negative net move) is allowed while it leaves the headroom at zero or above. */
export function fitsHeadroom(headroom: Minor, netMove: Minor): boolean {
  return netMove >= 0 || headroom + netMove >= 0;
}

/** Asserts a posting is well formed: each fact its own assertion. Programmer errors throw. */
export function assertPostings(transferId: string, postings: readonly Posting[]): void {
  invariant(postings.length >= 2, `transfer ${transferId} posts at least two entries (it has ${postings.length})`);
  let sum = 0;
  for (const posting of postings) {
    invariant(posting.account.length > 0, `transfer ${transferId} names an account for every entry`);
    invariant(
      Number.isSafeInteger(posting.amount),
      `transfer ${transferId} posts a safe integer amount to ${posting.account} (not ${posting.amount})`,
    );
    invariant(posting.amount !== 0, `transfer ${transferId} posts no zero entry (to ${posting.account})`);
    sum += posting.amount;
  }
  invariant(Number.isSafeInteger(sum), `transfer ${transferId} sums within safe integers`);
  invariant(sum === 0, `transfer ${transferId} balances (its entries sum to ${sum})`);
}

/** The net move of each account in a posting; the hub's account included. */
export function netMoves(postings: readonly Posting[]): Map<string, Minor> {
  const moves = new Map<string, Minor>();
  for (const posting of postings) moves.set(posting.account, minor((moves.get(posting.account) ?? 0) + posting.amount));
  return moves;
}

/** Participant accounts in the one order every use case locks them in, so two transfers never deadlock. */
export function participantAccountsInLockOrder(accounts: Iterable<string>): string[] {
  return [...new Set(accounts)].filter((account) => account !== hubAccount).sort();
}

/**
 * Headroom thresholds, in percent of the net debit cap, whose crossing the participant is told of
 * (`position.threshold`).
 */
export const headroomThresholdsPercent = [25, 10] as const;
export type HeadroomThreshold = (typeof headroomThresholdsPercent)[number];

export type ThresholdCrossing = { threshold: HeadroomThreshold; direction: 'down' | 'up' };

/** Whether the headroom is below `percent` % of the cap, exactly (in BigInt: cap × percent can pass 2^53). */
function isBelow(headroom: number, cap: number, percent: number): boolean {
  return BigInt(headroom) * 100n < BigInt(cap) * BigInt(percent);
}

/**
 * The thresholds the headroom crossed between `before` and `after`: `down`
 * when it went from at or above the threshold to below it, `up` when it came
 * back. Without a cap there is nothing to be a percentage of: no crossing.
 */
export function thresholdCrossings(before: Minor, after: Minor, cap: Minor): ThresholdCrossing[] {
  if (cap <= 0) return [];
  const crossings: ThresholdCrossing[] = [];
  for (const threshold of headroomThresholdsPercent) {
    const wasBelow = isBelow(before, cap, threshold);
    const isNowBelow = isBelow(after, cap, threshold);
    if (!wasBelow && isNowBelow) crossings.push({ threshold, direction: 'down' });
    if (wasBelow && !isNowBelow) crossings.push({ threshold, direction: 'up' });
  }
  return crossings;
}

/** Why `lintas ledger check` fails, in the order the checks run. */
export type LedgerViolationCode =
  /** A group's entries (a transfer's or a settlement's) do not sum to zero. */
  | 'entries_unbalanced'
  /** Entries name neither a transfer nor a settlement. */
  | 'entries_without_transfer'
  /** An entry's currency differs from its transfer's or settlement's. */
  | 'entry_currency_mismatch'
  /** A committed transfer posted no entries, though it moves money. */
  | 'committed_without_entries'
  /** A reserved or released transfer has entries: only a commit posts. */
  | 'uncommitted_with_entries'
  /**
   * A committed transfer has no window, names a missing one, or differs from its window's business date; or an
   * uncommitted one has a window.
   */
  | 'transfer_window_invalid'
  /** A reported window's aggregates differ from its transfers. */
  | 'window_report_mismatch'
  /** A settled window's settlement postings do not cancel its transfers' entries, or a window not settled has them. */
  | 'settlement_mismatch'
  /** The participants' positions and the hub's account do not sum to zero in a currency. */
  | 'currency_not_zero'
  /** A position row differs from the sum of its account's entries (or entries have no row). */
  | 'position_mismatch'
  /** A row's `reserved` differs from what its payer's reserved transfers will debit at commit. */
  | 'reserved_mismatch'
  /** A payment's refunded amount differs from its committed refunds, or passes its amount. */
  | 'refunded_amount_mismatch'
  /** A payment's refunds returned more interchange than it charged, or a fully refunded one another total. */
  | 'refund_fees_mismatch'
  /** A payment's chargebacks pass what its disputes hold, or its refunds and disputes together pass its amount. */
  | 'disputed_amount_mismatch';

/** What a passing check looked at. */
export type LedgerCounts = {
  transfers: number;
  entries: number;
  positions: number;
  currencies: number;
  windows: number;
};
