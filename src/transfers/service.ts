import type { HubContext } from '../context.ts';
import type { Queryable, Tx } from '../db/index.ts';
import { feesForPayment, refundFees } from '../fees/index.ts';
import type { Caller } from '../http/index.ts';
import {
  announceThresholdCrossings,
  checkHeadroom,
  lockPositions,
  postEntries,
  postEntriesMovingPositionsAtCommit,
  precheckHeadroom,
  releaseReserved,
  reserve,
} from '../ledger/index.ts';
import { type Minor, isCurrencyAlpha, minor } from '../money/index.ts';
import { emitEvent } from '../notify/index.ts';
import { type Result, invariant, newId, ok, refuse } from '../platform/index.ts';
import { type TransferWindow, windowForTransfer } from '../settlement/index.ts';
import {
  type PaymentSource,
  type RefundRefusal,
  type Transfer,
  type TransferEvent,
  type TransferFees,
  type TransferRefusal,
  drawReceiptNumber,
  nextTransferStatus,
  payerDebitOf,
  paymentSources,
  postingsOf,
  stampOf,
  transferJson,
} from './model.ts';
import * as store from './store.ts';

export type PaymentInput = {
  payerId: string;
  payeeId: string;
  merchantId: string;
  amount: Minor;
  currency: string;
  source: PaymentSource;
  checkoutId?: string | null;
  payerRef?: string | null;
};

export type RefundInput = { paymentTransferId: string; amount: Minor; payerRef?: string | null };

/** A receipt number collides once in ~10^11 draws per existing transfer; five in a row is a broken random source. */
const receiptAttemptsMax = 5;

function assertPaymentInput(input: PaymentInput): void {
  invariant(
    Number.isSafeInteger(input.amount) && input.amount > 0,
    `a payment amount is a positive safe integer (not ${input.amount})`,
  );
  invariant(isCurrencyAlpha(input.currency), `a payment currency is an ISO 4217 code (not ${input.currency})`);
  invariant(
    paymentSources.includes(input.source),
    `a payment source is one of ${paymentSources.join(', ')} (not ${input.source})`,
  );
}

type Draft = { status: 'committed' | 'reserved'; fees: TransferFees; window: TransferWindow | null; at: Date };

export function newPayment(ctx: HubContext, input: PaymentInput, draft: Draft): Transfer {
  const stamp = draft.at.toISOString();
  return {
    id: newId('trf', draft.at, ctx.random),
    kind: 'payment',
    status: draft.status,
    receiptNumber: '',
    amount: input.amount,
    currency: input.currency,
    payerParticipantId: input.payerId,
    payeeParticipantId: input.payeeId,
    merchantId: input.merchantId,
    checkoutId: input.checkoutId ?? null,
    payerRef: input.payerRef ?? null,
    source: input.source,
    paymentTransferId: null,
    refundedAmount: minor(0),
    onUs: input.payerId === input.payeeId,
    fees: draft.fees,
    windowId: draft.window?.id ?? null,
    businessDate: draft.window?.businessDate ?? null,
    createdAt: stamp,
    committedAt: draft.status === 'committed' ? stamp : null,
    releasedAt: null,
  };
}

/** Inserts the transfer under a fresh receipt number, drawing again on the rare collision. */
export async function insertWithReceipt(ctx: HubContext, tx: Tx, transfer: Transfer): Promise<Transfer> {
  for (let attempt = 1; attempt <= receiptAttemptsMax; attempt += 1) {
    const numbered = { ...transfer, receiptNumber: drawReceiptNumber(ctx.random) };
    if (await store.insertTransfer(tx, numbered)) return numbered;
  }
  throw new Error(`no free receipt number in ${receiptAttemptsMax} draws`);
}

/** Posts the transfer's entries, if it moves anything (a refund of pure interchange does not). */
export async function post(tx: Tx, transfer: Transfer, at: string): Promise<void> {
  const postings = postingsOf(transfer);
  if (postings.length > 0)
    await postEntries(tx, { transferId: transfer.id, currency: transfer.currency, postings, at });
}

function paymentFeesFor(tx: Tx, input: PaymentInput): Promise<TransferFees> {
  return feesForPayment(tx, {
    amount: input.amount,
    currency: input.currency,
    merchantId: input.merchantId,
    onUs: input.payerId === input.payeeId,
  });
}

/**
 * Posts a payment inside the caller's transaction: reads the open
 * settlement window first (holding it open until this transaction ends),
 * prices the fees, checks every debited participant's headroom as last
 * committed, inserts the committed transfer and its entries, and leaves the
 * position moves for the end of the transaction (the ledger's
 * `postEntriesMovingPositionsAtCommit`: the rows are held only from there to
 * the commit, and a debit that no longer fits then refuses the whole
 * transaction with `limit_exceeded`). A reused (payer, payer ref) fails the
 * statement: see `isPayerRefConflict`.
 */
export async function postPayment(
  ctx: HubContext,
  tx: Tx,
  input: PaymentInput,
): Promise<Result<Transfer, TransferRefusal>> {
  assertPaymentInput(input);
  const window = await windowForTransfer(ctx, tx);
  const draft = newPayment(ctx, input, {
    status: 'committed',
    fees: await paymentFeesFor(tx, input),
    window,
    at: ctx.clock.now(),
  });
  const postings = postingsOf(draft);
  const fits = await precheckHeadroom(tx, { currency: input.currency, postings });
  if (!fits.ok) return fits;
  const transfer = await insertWithReceipt(ctx, tx, draft);
  if (postings.length > 0)
    await postEntriesMovingPositionsAtCommit(ctx, tx, {
      transferId: transfer.id,
      currency: transfer.currency,
      postings,
      at: draft.createdAt,
    });
  await announceCommitted(ctx, tx, transfer);
  return ok(transfer);
}

/**
 * Sets aside what the payment's commit will debit the payer (amount less
 * interchange plus its switch fee) without owing it yet (issue 8): the
 * transfer is `reserved`, priced now, and posts nothing until
 * `commitReservation`; `releaseReservation` gives the headroom back.
 */
export async function reservePayment(
  ctx: HubContext,
  tx: Tx,
  input: PaymentInput,
): Promise<Result<Transfer, TransferRefusal>> {
  assertPaymentInput(input);
  const draft = newPayment(ctx, input, {
    status: 'reserved',
    fees: await paymentFeesFor(tx, input),
    window: null,
    at: ctx.clock.now(),
  });
  const before = await lockPositions(tx, [input.payerId], input.currency, draft.createdAt);
  const debit = payerDebitOf(draft);
  if (debit > 0) {
    const reserved = await reserve(tx, input.payerId, input.currency, debit, draft.createdAt);
    if (!reserved.ok) return reserved;
  }
  const transfer = await insertWithReceipt(ctx, tx, draft);
  await announceThresholdCrossings(ctx, tx, transfer.currency, before);
  return ok(transfer);
}

/** Locks a reserved transfer and moves it on; another status is a programmer error and throws. */
async function moveReserved(
  ctx: HubContext,
  tx: Tx,
  transferId: string,
  event: TransferEvent,
  window: TransferWindow | null,
): Promise<{ before: Transfer; after: Transfer; at: string }> {
  const before = await store.findTransfer(tx, transferId, { lock: true });
  invariant(before !== undefined, `transfer ${transferId} exists to ${event}`);
  const to = nextTransferStatus(before.status, event);
  invariant(to !== undefined, `a ${before.status} transfer ${transferId} cannot ${event}`);
  const at = ctx.clock.now().toISOString();
  invariant(
    await store.updateReservedStatus(tx, transferId, { to, stamp: stampOf(event), at, window }),
    `transfer ${transferId} was still reserved under its lock`,
  );
  const after = await store.findTransfer(tx, transferId);
  invariant(after?.status === to, `transfer ${transferId} is ${to} after ${event}`);
  return { before, after, at };
}

/**
 * Turns a reservation into an owed payment in the window open now: the
 * reservation is released and the entries posted in one step, so the
 * payer's headroom does not change.
 */
export async function commitReservation(ctx: HubContext, tx: Tx, transferId: string): Promise<Transfer> {
  const window = await windowForTransfer(ctx, tx);
  const { before, after, at } = await moveReserved(ctx, tx, transferId, 'commit', window);
  const positions = await lockPositions(
    tx,
    [before.payerParticipantId, ...postingsOf(before).map((posting) => posting.account)],
    before.currency,
    at,
  );
  const debit = payerDebitOf(before);
  if (debit > 0) await releaseReserved(tx, before.payerParticipantId, before.currency, debit, at);
  await post(tx, after, at);
  await announceThresholdCrossings(ctx, tx, after.currency, positions);
  await announceCommitted(ctx, tx, after);
  return after;
}

/** Gives a reservation's headroom back; nothing was ever posted. */
export async function releaseReservation(ctx: HubContext, tx: Tx, transferId: string): Promise<Transfer> {
  const { before, after, at } = await moveReserved(ctx, tx, transferId, 'release', null);
  const positions = await lockPositions(tx, [before.payerParticipantId], before.currency, at);
  const debit = payerDebitOf(before);
  if (debit > 0) await releaseReserved(tx, before.payerParticipantId, before.currency, debit, at);
  await announceThresholdCrossings(ctx, tx, after.currency, positions);
  return after;
}

type ReturnDraft = Omit<Draft, 'status'> & { kind: 'refund' | 'chargeback' };

export function newRefund(ctx: HubContext, payment: Transfer, input: RefundInput, draft: ReturnDraft): Transfer {
  const stamp = draft.at.toISOString();
  return {
    id: newId('trf', draft.at, ctx.random),
    kind: draft.kind,
    status: 'committed',
    receiptNumber: '',
    amount: input.amount,
    currency: payment.currency,
    payerParticipantId: payment.payeeParticipantId,
    payeeParticipantId: payment.payerParticipantId,
    merchantId: payment.merchantId,
    checkoutId: null,
    payerRef: input.payerRef ?? null,
    source: draft.kind,
    paymentTransferId: payment.id,
    refundedAmount: minor(0),
    onUs: payment.onUs,
    fees: draft.fees,
    windowId: draft.window?.id ?? null,
    businessDate: draft.window?.businessDate ?? null,
    createdAt: stamp,
    committedAt: stamp,
    releasedAt: null,
  };
}

/**
 * What this refund or chargeback returns of its payment's fees, given what
 * the payment's earlier refunds and chargebacks returned: one cumulative
 * scale, so the last return takes the remainder whichever kind it is.
 */
export async function feesOfReturn(tx: Tx, payment: Transfer, amount: Minor): Promise<TransferFees> {
  const before = await store.sumReturned(tx, payment.id);
  const fees = refundFees({ amount }, { ...payment, refundedAmount: before.amount }, before.interchange);
  invariant(
    fees.interchange >= 0 && fees.interchange <= amount,
    `return of ${amount} gives back between 0 and its amount in interchange (not ${fees.interchange})`,
  );
  invariant(
    before.interchange + fees.interchange <= payment.fees.interchange,
    `refunds and chargebacks of ${payment.id} return no more interchange than it charged`,
  );
  return fees;
}

/**
 * Posts a refund of part or all of a committed payment inside the caller's
 * transaction: a transfer from the payee (acquirer) back to the payer
 * (issuer), returning interchange in proportion and no switch fee, checked
 * against the acquirer's cap. The payment row is locked first, so
 * concurrent refunds never return more than was paid.
 */
export async function postRefund(
  ctx: HubContext,
  tx: Tx,
  input: RefundInput,
): Promise<Result<Transfer, RefundRefusal>> {
  invariant(
    Number.isSafeInteger(input.amount) && input.amount > 0,
    `a refund amount is a positive safe integer (not ${input.amount})`,
  );
  const window = await windowForTransfer(ctx, tx);
  const payment = await store.findTransfer(tx, input.paymentTransferId, { lock: true });
  if (payment?.kind !== 'payment' || payment.status !== 'committed') {
    return refuse('payment_not_refundable', `transfer ${input.paymentTransferId} is not a committed payment`);
  }
  const remaining = minor(payment.amount - payment.refundedAmount - (await store.disputedAmountOf(tx, payment.id)));
  if (input.amount > remaining)
    return refuse('refund_exceeds_remaining', `only ${remaining} of the payment remains to refund`, { remaining });
  const draft = newRefund(ctx, payment, input, {
    kind: 'refund',
    fees: await feesOfReturn(tx, payment, input.amount),
    window,
    at: ctx.clock.now(),
  });
  const fits = await checkHeadroom(tx, { currency: draft.currency, postings: postingsOf(draft), at: draft.createdAt });
  if (!fits.ok) return fits;
  const refund = await insertWithReceipt(ctx, tx, draft);
  const refunded = await store.addRefunded(tx, payment.id, refund.amount);
  invariant(
    refunded === payment.refundedAmount + refund.amount,
    `payment ${payment.id} refunded amount grew by exactly ${refund.amount} (to ${refunded})`,
  );
  await post(tx, refund, draft.createdAt);
  await announceThresholdCrossings(ctx, tx, refund.currency, fits.value);
  return ok(refund);
}

/**
 * Tells the payee (the acquirer) that money is owed to it, written in the
 * same transaction as the commit so the news and the money never part.
 */
async function announceCommitted(ctx: HubContext, tx: Tx, transfer: Transfer): Promise<void> {
  await emitEvent(ctx, tx, {
    type: 'transfer.committed',
    data: transferJson(transfer),
    participantIds: [transfer.payeeParticipantId],
  });
}

/**
 * Whether an error is the unique violation on (payer_id, payer_ref), on
 * either engine. PostgreSQL aborts the transaction on it: the caller lets
 * the transaction fail, then reads the original with `findTransferByPayerRef`.
 */
export function isPayerRefConflict(error: unknown): boolean {
  const failure = error as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (failure === null || typeof failure !== 'object') return false;
  if (failure.code === '23505') return failure.constraint === 'transfers_payer_ref_unique';
  return (
    failure.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    typeof failure.message === 'string' &&
    failure.message.includes('transfers.payer_id, transfers.payer_ref')
  );
}

/** The two participants of a transfer and the operator see it; anyone else gets 404. */
export function canSeeTransfer(
  caller: Caller,
  transfer: Pick<Transfer, 'payerParticipantId' | 'payeeParticipantId'>,
): boolean {
  if (caller.type === 'operator') return true;
  return (
    caller.type === 'participant' &&
    (caller.id === transfer.payerParticipantId || caller.id === transfer.payeeParticipantId)
  );
}

export async function findTransfer(db: Queryable, id: string): Promise<Transfer | undefined> {
  return store.findTransfer(db, id);
}

/** The transfer a payer sent under its own reference; payer refs are unique per payer forever. */
export async function findTransferByPayerRef(
  db: Queryable,
  payerId: string,
  payerRef: string,
): Promise<Transfer | undefined> {
  return store.findTransferByPayerRef(db, payerId, payerRef);
}

export { listTransfers } from './store.ts';
