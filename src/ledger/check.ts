import { type Queryable, isPostgres } from '../db/index.ts';
import { type Progress, type Result, ok, refuse } from '../platform/index.ts';
import * as checks from './check-store.ts';
import { type LedgerCounts, type LedgerViolationCode, hubAccount } from './model.ts';

type Verdict = Result<true, LedgerViolationCode>;
const passed: Verdict = ok(true);

/**
 * Proves the ledger's invariants on a whole database (`lintas ledger check`):
 * every group of entries (a transfer's or a settlement's) balances and
 * belongs to it; a committed transfer has entries (unless it moves nothing)
 * and a reserved or released one none; every committed transfer sits in one
 * window on that window's business date; a reported window's aggregates
 * still equal its transfers; a settled window's settlement cancels its
 * transfers' entries account by account; per currency all accounts, the
 * hub's derived one included, sum to zero; each position row equals its
 * entries; `reserved` equals what the reserved transfers will debit;
 * refunded amounts and returned interchange agree with their refunds (and
 * chargebacks); chargebacks stay within what disputes hold, and refunds and
 * disputes together within the payment.
 * Answers the first violation, in that order, as a value.
 *
 * It reads one snapshot, so a hub serving payments meanwhile cannot make a
 * half-committed state appear.
 */
export async function checkLedger(
  db: Queryable,
  progress: Progress = () => {},
): Promise<Result<LedgerCounts, LedgerViolationCode>> {
  if (db.isTransaction) return checkSnapshot(db, progress);
  const transaction = isPostgres(db) ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
  return transaction.execute((tx) => checkSnapshot(tx, progress));
}

/** Each is one pass over a whole table or two; on a large database each takes a while, so each is reported. */
const scans = [
  [checkEntriesBalance, 'transfers balance'],
  [checkEntriesBelong, 'entries belong'],
  [checkCommittedPosted, 'committed transfers posted'],
  [checkWindows, 'windows'],
  [checkSettlements, 'settlements'],
] as const;
const stepsTotal = scans.length + 3;

async function checkSnapshot(db: Queryable, progress: Progress): Promise<Result<LedgerCounts, LedgerViolationCode>> {
  for (const [index, [check, name]] of scans.entries()) {
    progress({ done: index, total: stepsTotal, name });
    const verdict = await check(db);
    if (!verdict.ok) return verdict;
  }
  progress({ done: scans.length, total: stepsTotal, name: 'positions' });
  const [sums, positions, reserved] = await Promise.all([
    checks.entrySumsByAccount(db),
    checks.allPositions(db),
    checks.reservedSumsByPayer(db),
  ]);
  const zero = checkCurrenciesSumToZero(sums, positions);
  if (!zero.ok) return zero;
  const accounts = checkPositions(sums, positions);
  if (!accounts.ok) return accounts;
  const reservations = checkReserved(reserved, positions);
  if (!reservations.ok) return reservations;
  progress({ done: scans.length + 1, total: stepsTotal, name: 'refunds' });
  const refunds = await checkRefunds(db);
  if (!refunds.ok) return refunds;
  progress({ done: scans.length + 2, total: stepsTotal, name: 'counts' });
  const counts = await checks.countRows(db);
  progress({ done: stepsTotal, total: stepsTotal, name: 'done' });
  const currencies = new Set([...sums.map((sum) => sum.currency), ...positions.map((position) => position.currency)]);
  return ok({
    transfers: counts.transfers,
    entries: counts.entries,
    positions: positions.length,
    currencies: currencies.size,
    windows: counts.windows,
  });
}

async function checkEntriesBalance(db: Queryable): Promise<Verdict> {
  const unbalanced = await checks.firstUnbalancedTransfer(db);
  if (unbalanced)
    return refuse(
      'entries_unbalanced',
      `transfer ${unbalanced.transfer_id}: its ${unbalanced.currency} entries sum to ${unbalanced.sum}, not 0`,
    );
  return passed;
}

async function checkEntriesBelong(db: Queryable): Promise<Verdict> {
  const orphan = await checks.firstEntryWithoutTransfer(db);
  if (orphan)
    return refuse(
      'entries_without_transfer',
      `entry ${orphan.id} names transfer ${orphan.transfer_id}, which does not exist`,
    );
  const foreign = await checks.firstEntryInAnotherCurrency(db);
  if (foreign) {
    return refuse(
      'entry_currency_mismatch',
      `entry ${foreign.id} is in ${foreign.currency}, its transfer ${foreign.transfer_id} in ${foreign.group_currency}`,
    );
  }
  return passed;
}

async function checkCommittedPosted(db: Queryable): Promise<Verdict> {
  const unposted = await checks.firstCommittedWithoutEntries(db);
  if (unposted)
    return refuse('committed_without_entries', `transfer ${unposted.id} is committed but posted no entries`);
  const early = await checks.firstUncommittedWithEntries(db);
  if (early) return refuse('uncommitted_with_entries', `transfer ${early.id} is ${early.status} but has entries`);
  return passed;
}

async function checkWindows(db: Queryable): Promise<Verdict> {
  const stray = await checks.firstTransferWithBadWindow(db);
  if (stray) {
    if (stray.status !== 'committed')
      return refuse(
        'transfer_window_invalid',
        `transfer ${stray.id} is ${stray.status} with window ${stray.window_id}: only a commit joins a window`,
      );
    const where =
      stray.window_id === null
        ? 'no window'
        : stray.found_window === null
          ? `window ${stray.window_id}, which does not exist`
          : `business date ${stray.business_date}, its window's is ${stray.window_date}`;
    return refuse('transfer_window_invalid', `transfer ${stray.id} is committed with ${where}`);
  }
  const misreported = await checks.firstMisreportedWindow(db);
  if (misreported)
    return refuse(
      'window_report_mismatch',
      `window ${misreported.window_id}: its report aggregates differ from its transfers`,
    );
  return passed;
}

async function checkSettlements(db: Queryable): Promise<Verdict> {
  const early = await checks.firstSettlementOfUnsettledWindow(db);
  if (early)
    return refuse(
      'settlement_mismatch',
      `settlement ${early.id} posts for window ${early.window_id}, which is ${early.status}`,
    );
  const uncancelled = await checks.firstUncancelledSettledAccount(db);
  if (uncancelled) {
    return refuse(
      'settlement_mismatch',
      `settled window ${uncancelled.window_id}: account ${uncancelled.account} ${uncancelled.currency} is left at ` +
        `${uncancelled.sum}, not 0`,
    );
  }
  return passed;
}

type Sum = { account: string; currency: string; sum: number };
type PositionRow = { participant_id: string; currency: string; position: number; reserved: number };

function keyOf(account: string, currency: string): string {
  return `${account} ${currency}`;
}

function checkPositions(sums: readonly Sum[], positions: readonly PositionRow[]): Verdict {
  const entriesOf = new Map(
    sums.filter((sum) => sum.account !== hubAccount).map((sum) => [keyOf(sum.account, sum.currency), sum.sum]),
  );
  for (const row of positions) {
    const expected = entriesOf.get(keyOf(row.participant_id, row.currency)) ?? 0;
    if (row.position !== expected) {
      return refuse(
        'position_mismatch',
        `position ${row.participant_id} ${row.currency} is ${row.position}; its entries sum to ${expected}`,
      );
    }
    entriesOf.delete(keyOf(row.participant_id, row.currency));
  }
  for (const [key, sum] of entriesOf) {
    if (sum !== 0)
      return refuse('position_mismatch', `account ${key} has entries summing to ${sum} but no position row`);
  }
  return passed;
}

function checkCurrenciesSumToZero(sums: readonly Sum[], positions: readonly PositionRow[]): Verdict {
  const totals = new Map<string, number>();
  const add = (currency: string, amount: number) => totals.set(currency, (totals.get(currency) ?? 0) + amount);
  for (const row of positions) add(row.currency, row.position);
  for (const sum of sums) if (sum.account === hubAccount) add(sum.currency, sum.sum);
  for (const [currency, total] of totals) {
    if (total !== 0)
      return refuse('currency_not_zero', `in ${currency} the positions and the hub's account sum to ${total}, not 0`);
  }
  return passed;
}

function checkReserved(
  reserved: readonly { payer_id: string; currency: string; sum: number }[],
  positions: readonly PositionRow[],
): Verdict {
  const reservedOf = new Map(reserved.map((sum) => [keyOf(sum.payer_id, sum.currency), sum.sum]));
  for (const row of positions) {
    const expected = reservedOf.get(keyOf(row.participant_id, row.currency)) ?? 0;
    if (row.reserved !== expected) {
      return refuse(
        'reserved_mismatch',
        `position ${row.participant_id} ${row.currency} has ${row.reserved} reserved; its reserved transfers will ` +
          `debit ${expected}`,
      );
    }
    reservedOf.delete(keyOf(row.participant_id, row.currency));
  }
  for (const [key, sum] of reservedOf)
    return refuse('reserved_mismatch', `${key} has reserved transfers summing to ${sum} but no position row`);
  return passed;
}

async function checkRefunds(db: Queryable): Promise<Verdict> {
  const payment = await checks.firstMisrefundedPayment(db);
  if (payment) {
    return refuse(
      'refunded_amount_mismatch',
      `payment ${payment.id} of ${payment.amount} shows ${payment.refunded_amount} refunded; its committed refunds ` +
        `sum to ${payment.refunded ?? 0}`,
    );
  }
  const interchange = await checks.firstMisreturnedInterchange(db);
  if (interchange) {
    return refuse(
      'refund_fees_mismatch',
      `payment ${interchange.id} charged ${interchange.interchange} interchange; its refunds and chargebacks ` +
        `returned ${interchange.returned}`,
    );
  }
  const disputed = await checks.firstOverdisputedPayment(db);
  if (disputed) {
    return refuse(
      'disputed_amount_mismatch',
      `payment ${disputed.id} of ${disputed.amount} has ${disputed.refunded_amount} refunded and ` +
        `${disputed.disputed_amount} disputed; its chargebacks sum to ${disputed.charged_back ?? 0}`,
    );
  }
  return passed;
}
