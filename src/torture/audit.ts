/**
 * The auditor: every answer a client took as final is held against the database, exactly once; then the
 * money (no checkout paid twice, no payer.ref with two transfers, no refund beyond what was asked, positions
 * summing to zero) and the news (every delivery reached its receiver, one event per fact). Pure over what it
 * is given, so a test can hand it a doubled refund and see it named.
 */
import type { Snapshot } from './audit-store.ts';
import { auditDeliveries, groupBy } from './audit-deliveries.ts';
import { type Answer, type Op, type OpKind, isSuccess, textField } from './model.ts';
import type { Received } from './receivers.ts';
import { type Violation, broken, doubled, lost } from './violations.ts';

export type AuditInput = {
  ops: readonly Op[];
  snapshot: Snapshot;
  received: ReadonlyMap<string, Received>;
  /** Who receives a party's deliveries: merchant or participant id → `merchant:<slug>` or `wallet:<slug>`. */
  receiverOf: ReadonlyMap<string, string>;
};

function named(op: Op): string {
  return `${op.kind} ${op.key ?? op.id}`;
}

function heard(answer: Answer): string {
  return answer.code === undefined ? String(answer.status) : `${answer.status} ${answer.code}`;
}

/** An operation that creates one object: a success names it and it is there once; a refusal left none. */
function heldOnce(op: Op, answer: Answer, rows: readonly { id: string }[], what: string): Violation[] {
  const ids = rows.map((row) => row.id).join(', ');
  if (!isSuccess(answer)) {
    if (rows.length === 0) return [];
    return [lost('refusal_not_held', `${named(op)} was refused ${heard(answer)}, yet it made ${what} ${ids}`)];
  }
  const id = textField(answer.body, 'id');
  if (rows.length === 0) return [lost('answer_not_held', `${named(op)} was answered ${id}, but no ${what} is there`)];
  if (rows.length > 1) return [doubled('done_twice', `${named(op)}: one request, ${rows.length} of ${what}: ${ids}`)];
  if (rows[0]?.id !== id) return [lost('answer_not_held', `${named(op)} was answered ${id}, but made ${ids}`)];
  return [];
}

function checkTransfer(op: Op, answer: Answer, snapshot: Snapshot): Violation[] {
  const rows = snapshot.transfers.filter(
    (row) => row.kind === 'payment' && row.payer_id === op.facts.walletId && row.payer_ref === op.facts.reference,
  );
  const found = heldOnce(op, answer, rows, 'transfer');
  const row = rows[0];
  if (found.length > 0 || !isSuccess(answer) || row === undefined) return found;
  if (row.status !== 'committed')
    found.push(broken('payment_status', `${named(op)}: transfer ${row.id} is ${row.status}`));
  if (row.amount !== op.facts.amount)
    found.push(broken('payment_amount', `${named(op)} paid ${op.facts.amount}; transfer ${row.id} is ${row.amount}`));
  return found;
}

function checkRefund(op: Op, answer: Answer, snapshot: Snapshot): Violation[] {
  const rows = snapshot.refunds.filter((row) => row.reason === op.facts.reason);
  const found = heldOnce(op, answer, rows, 'refund');
  const row = rows[0];
  if (found.length === 0 && isSuccess(answer) && row !== undefined && row.amount !== op.facts.amount)
    found.push(broken('refund_amount', `${named(op)} asked ${op.facts.amount}; refund ${row.id} is ${row.amount}`));
  return found;
}

const decidedCodes = new Set(['payment_declined', 'charge_reversed']);

/** A charge the till heard decided (or polled until decided) is there once, as the till was told, its money too. */
function checkCharge(op: Op, answer: Answer, snapshot: Snapshot): Violation[] {
  const rows = snapshot.charges.filter(
    (row) => row.merchant_id === op.facts.merchantId && row.reference === op.facts.reference,
  );
  if (!isSuccess(answer) && !decidedCodes.has(answer.code ?? ''))
    return rows.length === 0
      ? []
      : [lost('refusal_not_held', `${named(op)} was refused ${heard(answer)}, yet made a charge`)];
  if (op.settled === undefined) return [lost('unfinished', `${named(op)}: the till never learnt how its charge ended`)];
  const ids = rows.map((row) => row.id).join(', ');
  if (rows.length !== 1)
    return rows.length === 0
      ? [lost('answer_not_held', `${named(op)} was told ${op.settled}, but no charge is there`)]
      : [doubled('done_twice', `${named(op)}: one sale, ${rows.length} charges: ${ids}`)];
  const row = rows[0] as (typeof rows)[number];
  const found: Violation[] = [];
  if (row.status !== op.settled)
    found.push(
      lost('answer_not_held', `${named(op)}: the till was told ${op.settled}, charge ${row.id} is ${row.status}`),
    );
  const transfer = snapshot.transfers.find((candidate) => candidate.id === row.transfer_id);
  const expected = row.status === 'succeeded' ? 'committed' : 'released';
  if (transfer?.status !== expected)
    found.push(
      broken('charge_money', `charge ${row.id} is ${row.status}, its transfer is ${transfer?.status ?? 'missing'}`),
    );
  return found;
}

type Checker = (op: Op, answer: Answer, snapshot: Snapshot) => Violation[];

const checkers: Partial<Record<OpKind, Checker>> = {
  checkout: (op, answer, snapshot) =>
    heldOnce(
      op,
      answer,
      snapshot.checkouts.filter(
        (row) => row.merchantId === op.facts.merchantId && row.reference === op.facts.reference,
      ),
      'checkout',
    ),
  attempt: (op, answer, snapshot) =>
    heldOnce(
      op,
      answer,
      snapshot.attempts.filter((row) => row.checkout_id === op.facts.checkoutId && row.wallet_id === op.facts.walletId),
      'attempt',
    ),
  till_qr: (op, answer, snapshot) =>
    heldOnce(
      op,
      answer,
      snapshot.tillQrs.filter((row) => row.merchant_id === op.facts.merchantId && row.reference === op.facts.reference),
      'till QR',
    ),
  transfer: checkTransfer,
  refund: checkRefund,
  charge: checkCharge,
  close: (op, answer, snapshot) => {
    const id = textField(answer.body, 'id');
    const window = snapshot.windows.find((row) => row.id === id);
    if (!isSuccess(answer) || window?.status !== 'open') return [];
    return [lost('answer_not_held', `${named(op)} was answered: window ${id} closed, but it is open`)];
  },
};

/** Closes carry nothing of their own to find them by: the count of closed windows must be the count answered. */
function checkCloseCount(ops: readonly Op[], snapshot: Snapshot): Violation[] {
  const answered = ops.filter((op) => op.kind === 'close' && isSuccess(op.final)).length;
  const closed = snapshot.windows.filter((row) => row.status !== 'open').length;
  if (closed > answered)
    return [doubled('done_twice', `${closed} windows are closed, ${answered} closes were answered`)];
  if (closed < answered)
    return [lost('answer_not_held', `${answered} closes were answered, ${closed} windows are closed`)];
  return [];
}

function checkOperations(ops: readonly Op[], snapshot: Snapshot): Violation[] {
  const found: Violation[] = [];
  for (const op of ops) {
    if (op.kind === 'setup') continue;
    if (op.final === undefined) {
      found.push(lost('unfinished', `${named(op)} never heard a final answer in ${op.tries} tries`));
      continue;
    }
    found.push(...(checkers[op.kind]?.(op, op.final, snapshot) ?? []));
  }
  return [...found, ...checkCloseCount(ops, snapshot)];
}

function checkPaidOnce(snapshot: Snapshot): Violation[] {
  const payments = snapshot.transfers.filter((row) => row.kind === 'payment' && row.status === 'committed');
  const found: Violation[] = [];
  for (const [checkoutId, rows] of groupBy(payments, (row) => row.checkout_id ?? undefined))
    if (rows.length > 1)
      found.push(doubled('paid_twice', `checkout ${checkoutId} is paid by ${rows.map((row) => row.id).join(', ')}`));
  for (const [ref, rows] of groupBy(snapshot.transfers, (row) =>
    row.payer_ref === null ? undefined : `${row.payer_id} ${row.payer_ref}`,
  ))
    if (rows.length > 1)
      found.push(doubled('payer_ref_twice', `payer.ref ${ref} has transfers ${rows.map((row) => row.id).join(', ')}`));
  return found;
}

function checkRefundsAdd(snapshot: Snapshot, ops: readonly Op[]): Violation[] {
  const refundOps = ops.filter((op) => op.kind === 'refund');
  const reasons = new Set(refundOps.map((op) => op.facts.reason));
  const found: Violation[] = snapshot.refunds
    .filter((row) => !reasons.has(row.reason))
    .map((row) => doubled('unasked_refund', `refund ${row.id} (${row.reason}) was asked by no client`));
  for (const [paymentId, rows] of groupBy(snapshot.refunds, (row) => row.payment_transfer_id)) {
    const refunded = rows.reduce((sum, row) => sum + row.amount, 0);
    const asked = refundOps
      .filter((op) => op.facts.paymentTransferId === paymentId)
      .reduce((sum, op) => sum + (op.facts.amount ?? 0), 0);
    const payment = snapshot.transfers.find((row) => row.id === paymentId);
    if (refunded > asked)
      found.push(broken('refund_beyond_asked', `payment ${paymentId}: ${refunded} refunded, ${asked} asked in all`));
    if (payment && refunded > payment.amount)
      found.push(broken('refund_beyond_paid', `payment ${paymentId}: ${refunded} refunded of ${payment.amount}`));
    if (payment && payment.refunded_amount !== refunded)
      found.push(
        broken('refunded_amount', `payment ${paymentId} says ${payment.refunded_amount}, its refunds ${refunded}`),
      );
  }
  return found;
}

function checkCurrencySums(snapshot: Snapshot): Violation[] {
  return snapshot.currencySums
    .filter((row) => row.sum !== 0)
    .map((row) => broken('positions_sum', `${row.currency} positions and the hub's account sum to ${row.sum}, not 0`));
}

export function audit(input: AuditInput): Violation[] {
  return [
    ...checkOperations(input.ops, input.snapshot),
    ...checkPaidOnce(input.snapshot),
    ...checkRefundsAdd(input.snapshot, input.ops),
    ...checkCurrencySums(input.snapshot),
    ...auditDeliveries(input.snapshot, input.received, input.receiverOf),
  ];
}
