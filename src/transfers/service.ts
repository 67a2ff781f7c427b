import type { HubContext } from '../context.ts';
import type { Queryable, Tx } from '../db/index.ts';
import type { Caller } from '../http/caller.ts';
import { checkHeadroom, invariant, lockPositions, postEntries, releaseReserved, reserve } from '../ledger/index.ts';
import { type Minor, isCurrencyAlpha, minor } from '../money/index.ts';
import { emitEvent } from '../notify/index.ts';
import { type Result, newId, ok, refuse } from '../platform/index.ts';
import {
  type PaymentSource,
  type RefundRefusal,
  type Transfer,
  type TransferEvent,
  type TransferRefusal,
  drawReceiptNumber,
  nextTransferStatus,
  paymentFees,
  paymentPostings,
  paymentSources,
  refundPostings,
  stampOf,
  transferJson,
  zeroFees,
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
  invariant(Number.isSafeInteger(input.amount) && input.amount > 0, `a payment amount is a positive safe integer (not ${input.amount})`);
  invariant(isCurrencyAlpha(input.currency), `a payment currency is an ISO 4217 code (not ${input.currency})`);
  invariant(paymentSources.includes(input.source), `a payment source is one of ${paymentSources.join(', ')} (not ${input.source})`);
}

function newPayment(ctx: HubContext, input: PaymentInput, status: 'committed' | 'reserved', at: Date): Transfer {
  const stamp = at.toISOString();
  const onUs = input.payerId === input.payeeId;
  return {
    id: newId('trf', at, ctx.random),
    kind: 'payment',
    status,
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
    onUs,
    fees: paymentFees({ amount: input.amount, currency: input.currency, onUs }),
    createdAt: stamp,
    committedAt: status === 'committed' ? stamp : null,
    releasedAt: null,
  };
}

/** Inserts the transfer under a fresh receipt number, drawing again on the rare collision. */
async function insertWithReceipt(ctx: HubContext, tx: Tx, transfer: Transfer): Promise<Transfer> {
  for (let attempt = 1; attempt <= receiptAttemptsMax; attempt += 1) {
    const numbered = { ...transfer, receiptNumber: drawReceiptNumber(ctx.random) };
    if (await store.insertTransfer(tx, numbered)) return numbered;
  }
  throw new Error(`no free receipt number in ${receiptAttemptsMax} draws`);
}

function postingsOf(transfer: Transfer) {
  return paymentPostings({ payerId: transfer.payerParticipantId, payeeId: transfer.payeeParticipantId, amount: transfer.amount, fees: transfer.fees });
}

/**
 * Posts a payment inside the caller's transaction: locks the payer's and
 * payee's positions (in one order), checks the payer's headroom, inserts the
 * committed transfer and posts its entries. A reused (payer, payer ref)
 * fails the statement: see `isPayerRefConflict`.
 */
export async function postPayment(ctx: HubContext, tx: Tx, input: PaymentInput): Promise<Result<Transfer, TransferRefusal>> {
  assertPaymentInput(input);
  const at = ctx.clock.now();
  const draft = newPayment(ctx, input, 'committed', at);
  const postings = postingsOf(draft);
  const fits = await checkHeadroom(tx, { currency: input.currency, postings, at: draft.createdAt });
  if (!fits.ok) return fits;
  const transfer = await insertWithReceipt(ctx, tx, draft);
  await postEntries(tx, { transferId: transfer.id, currency: transfer.currency, postings, at: draft.createdAt });
  await announceCommitted(ctx, tx, transfer);
  return ok(transfer);
}

/**
 * Sets the payment's amount aside against the payer's cap without owing it
 * yet (issue 8): the transfer is `reserved` and posts nothing until
 * `commitReservation`; `releaseReservation` gives the headroom back.
 */
export async function reservePayment(ctx: HubContext, tx: Tx, input: PaymentInput): Promise<Result<Transfer, TransferRefusal>> {
  assertPaymentInput(input);
  const at = ctx.clock.now();
  const draft = newPayment(ctx, input, 'reserved', at);
  const reserved = await reserve(tx, input.payerId, input.currency, input.amount, draft.createdAt);
  if (!reserved.ok) return reserved;
  return ok(await insertWithReceipt(ctx, tx, draft));
}

/** Locks a reserved transfer and moves it on; another status is a programmer error and throws. */
async function moveReserved(ctx: HubContext, tx: Tx, transferId: string, event: TransferEvent): Promise<{ before: Transfer; after: Transfer; at: string }> {
  const before = await store.findTransfer(tx, transferId, true);
  invariant(before !== undefined, `transfer ${transferId} exists to ${event}`);
  const to = nextTransferStatus(before.status, event);
  invariant(to !== undefined, `a ${before.status} transfer ${transferId} cannot ${event}`);
  const at = ctx.clock.now().toISOString();
  invariant(await store.updateReservedStatus(tx, transferId, to, stampOf(event), at), `transfer ${transferId} was still reserved under its lock`);
  const after = await store.findTransfer(tx, transferId);
  invariant(after?.status === to, `transfer ${transferId} is ${to} after ${event}`);
  return { before, after, at };
}

/**
 * Turns a reservation into an owed payment: the reservation is released and
 * the entries posted in one step, so the payer's headroom does not change.
 */
export async function commitReservation(ctx: HubContext, tx: Tx, transferId: string): Promise<Transfer> {
  const { before, after, at } = await moveReserved(ctx, tx, transferId, 'commit');
  const postings = postingsOf(before);
  await lockPositions(tx, postings.map((posting) => posting.account), before.currency, at);
  await releaseReserved(tx, before.payerParticipantId, before.currency, before.amount, at);
  await postEntries(tx, { transferId, currency: before.currency, postings, at });
  await announceCommitted(ctx, tx, after);
  return after;
}

/** Gives a reservation's headroom back; nothing was ever posted. */
export async function releaseReservation(ctx: HubContext, tx: Tx, transferId: string): Promise<Transfer> {
  const { before, after, at } = await moveReserved(ctx, tx, transferId, 'release');
  await releaseReserved(tx, before.payerParticipantId, before.currency, before.amount, at);
  return after;
}

function newRefund(ctx: HubContext, payment: Transfer, input: RefundInput, at: Date): Transfer {
  const stamp = at.toISOString();
  return {
    id: newId('trf', at, ctx.random),
    kind: 'refund',
    status: 'committed',
    receiptNumber: '',
    amount: input.amount,
    currency: payment.currency,
    payerParticipantId: payment.payeeParticipantId,
    payeeParticipantId: payment.payerParticipantId,
    merchantId: payment.merchantId,
    checkoutId: null,
    payerRef: input.payerRef ?? null,
    source: 'refund',
    paymentTransferId: payment.id,
    refundedAmount: minor(0),
    onUs: payment.onUs,
    // Issue 10: interchange returns in proportion; switch fees never do.
    fees: zeroFees,
    createdAt: stamp,
    committedAt: stamp,
    releasedAt: null,
  };
}

/**
 * Posts a refund of part or all of a committed payment inside the caller's
 * transaction: a transfer from the payee (acquirer) back to the payer
 * (issuer), checked against the acquirer's cap. The payment row is locked
 * first, so concurrent refunds never return more than was paid.
 */
export async function postRefund(ctx: HubContext, tx: Tx, input: RefundInput): Promise<Result<Transfer, RefundRefusal>> {
  invariant(Number.isSafeInteger(input.amount) && input.amount > 0, `a refund amount is a positive safe integer (not ${input.amount})`);
  const payment = await store.findTransfer(tx, input.paymentTransferId, true);
  if (!payment || payment.kind !== 'payment' || payment.status !== 'committed') {
    return refuse('payment_not_refundable', `transfer ${input.paymentTransferId} is not a committed payment`);
  }
  const remaining = minor(payment.amount - payment.refundedAmount);
  if (input.amount > remaining) return refuse('refund_exceeds_remaining', `only ${remaining} of the payment remains to refund`, { remaining });
  const at = ctx.clock.now();
  const draft = newRefund(ctx, payment, input, at);
  const postings = refundPostings({ payerId: draft.payerParticipantId, payeeId: draft.payeeParticipantId, amount: draft.amount, interchangeReturned: draft.fees.interchange });
  const fits = await checkHeadroom(tx, { currency: draft.currency, postings, at: draft.createdAt });
  if (!fits.ok) return fits;
  const refund = await insertWithReceipt(ctx, tx, draft);
  const refunded = await store.addRefunded(tx, payment.id, refund.amount);
  invariant(refunded === payment.refundedAmount + refund.amount, `payment ${payment.id} refunded amount grew by exactly ${refund.amount} (to ${refunded})`);
  await postEntries(tx, { transferId: refund.id, currency: refund.currency, postings, at: draft.createdAt });
  return ok(refund);
}

/**
 * Tells the payee (the acquirer) that money is owed to it, written in the
 * same transaction as the commit so the news and the money never part.
 */
async function announceCommitted(ctx: HubContext, tx: Tx, transfer: Transfer): Promise<void> {
  await emitEvent(ctx, tx, { type: 'transfer.committed', data: transferJson(transfer), participantIds: [transfer.payeeParticipantId] });
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
export function canSeeTransfer(caller: Caller, transfer: Pick<Transfer, 'payerParticipantId' | 'payeeParticipantId'>): boolean {
  if (caller.type === 'operator') return true;
  return caller.type === 'participant' && (caller.id === transfer.payerParticipantId || caller.id === transfer.payeeParticipantId);
}

export async function findTransfer(db: Queryable, id: string): Promise<Transfer | undefined> {
  return store.findTransfer(db, id);
}

/** The transfer a payer sent under its own reference; payer refs are unique per payer forever. */
export async function findTransferByPayerRef(db: Queryable, payerId: string, payerRef: string): Promise<Transfer | undefined> {
  return store.findTransferByPayerRef(db, payerId, payerRef);
}

export { listTransfers } from './store.ts';
