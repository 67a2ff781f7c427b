import { findCheckout, moveCheckout } from '../checkout/index.ts';
import type { HubContext } from '../context.ts';
import { type Tx, inTransaction } from '../db/index.ts';
import { type Caller, recordIdempotentEffect } from '../http/index.ts';
import { minor } from '../money/index.ts';
import { emitEvent } from '../notify/index.ts';
import { paymentViewOf } from '../payments/index.ts';
import { type Result, invariant, newId, ok, refuse } from '../platform/index.ts';
import { type RefundRefusal, type Transfer, findTransfer, postRefund } from '../transfers/index.ts';
import type { Refund, RefundPosted } from './model.ts';
import * as store from './store.ts';

export type CreateRefundRefusal = RefundRefusal | 'not_found';

function refundJson(refund: Refund): Refund {
  return {
    id: refund.id,
    status: refund.status,
    amount: refund.amount,
    currency: refund.currency,
    paymentTransferId: refund.paymentTransferId,
    transferId: refund.transferId,
    receiptNumber: refund.receiptNumber,
    reason: refund.reason,
    merchantId: refund.merchantId,
    createdAt: refund.createdAt,
    succeededAt: refund.succeededAt,
  };
}

/** A checkout paid by this payment follows it: partially refunded, then refunded. */
async function followCheckout(ctx: HubContext, tx: Tx, payment: Transfer): Promise<void> {
  if (payment.checkoutId === null) return;
  const checkout = await findCheckout(tx, payment.checkoutId, { lock: true });
  invariant(checkout !== undefined, `the checkout ${payment.checkoutId} of payment ${payment.id} exists`);
  const event = payment.refundedAmount >= payment.amount ? 'refund_rest' : 'refund_part';
  const moved = await moveCheckout(ctx, tx, checkout, event);
  invariant(
    (moved.status === 'refunded') === (event === 'refund_rest'),
    `checkout ${checkout.id} is refunded exactly when its payment ${payment.id} is refunded in full`,
  );
}

/**
 * Tells the acquirer of the refund that debits it, in the transaction whose
 * transfer moves its position, so the news and the money never part: the
 * issuer's acknowledgement (and `refund.succeeded`) may come much later.
 */
async function announcePosted(ctx: HubContext, tx: Tx, refund: Refund, acquirerId: string): Promise<void> {
  const effect = await store.entriesSumOf(tx, refund.transferId, acquirerId);
  invariant(effect <= 0, `refund transfer ${refund.transferId} credits its acquirer nothing (it moved ${effect})`);
  invariant(
    effect >= -refund.amount,
    `refund transfer ${refund.transferId} debits its acquirer at most ${refund.amount} (it moved ${effect})`,
  );
  const data: RefundPosted = {
    ...refundJson(refund),
    acquirerParticipantId: acquirerId,
    acquirerPositionEffect: effect,
  };
  await emitEvent(ctx, tx, { type: 'refund.posted', data, participantIds: [acquirerId] });
}

/** What posting a refund must have done to its payment, one fact each. */
function assertRefundPosted(
  payment: Transfer,
  paymentAfter: Transfer | undefined,
  refundTransfer: Transfer,
): asserts paymentAfter is Transfer {
  invariant(paymentAfter !== undefined, `payment ${payment.id} exists after it was refunded`);
  invariant(
    paymentAfter.refundedAmount <= paymentAfter.amount,
    `payment ${payment.id} has ${paymentAfter.refundedAmount} refunded of ${paymentAfter.amount}, never more`,
  );
  invariant(
    paymentAfter.refundedAmount >= refundTransfer.amount,
    `payment ${payment.id} counts refund transfer ${refundTransfer.id} among its refunded amount`,
  );
  invariant(refundTransfer.amount > 0, `refund transfer ${refundTransfer.id} moves a positive amount`);
  invariant(
    refundTransfer.currency === payment.currency,
    `refund transfer ${refundTransfer.id} is in its payment's currency ${payment.currency}`,
  );
}

/**
 * A refund for any payment the merchant received: a transfer from the
 * acquirer back to the issuer, posted with the refund record, the payment's
 * (and checkout's) new status and the events, in one transaction. The payment
 * row is locked first, so concurrent refunds never pass what was paid.
 * A suspended merchant may still refund.
 */
export async function createRefund(
  ctx: HubContext,
  caller: Caller,
  input: { transferId: string; amount: number; reason: string },
): Promise<Result<Refund, CreateRefundRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const payment = await findTransfer(tx, input.transferId);
    if (!payment || payment.merchantId !== caller.id)
      return refuse('not_found', `payment ${input.transferId} was not found`);
    const posted = await postRefund(ctx, tx, { paymentTransferId: payment.id, amount: minor(input.amount) });
    if (!posted.ok) return posted;
    const refundTransfer = posted.value;
    const paymentAfter = await findTransfer(tx, payment.id);
    assertRefundPosted(payment, paymentAfter, refundTransfer);
    const at = ctx.clock.now().toISOString();
    const refund: Refund = {
      id: newId('ref', ctx.clock.now(), ctx.random),
      status: 'pending',
      amount: refundTransfer.amount,
      currency: refundTransfer.currency,
      paymentTransferId: payment.id,
      transferId: refundTransfer.id,
      receiptNumber: refundTransfer.receiptNumber,
      reason: input.reason,
      merchantId: payment.merchantId,
      createdAt: at,
      succeededAt: null,
    };
    const created = await emitEvent(ctx, tx, {
      type: 'refund.created',
      data: refundJson(refund),
      merchantId: refund.merchantId,
      participantIds: [payment.payerParticipantId],
    });
    await store.insertRefund(tx, {
      id: refund.id,
      merchant_id: refund.merchantId,
      status: refund.status,
      amount: refund.amount,
      currency: refund.currency,
      payment_transfer_id: refund.paymentTransferId,
      transfer_id: refund.transferId,
      issuer_id: payment.payerParticipantId,
      acquirer_id: payment.payeeParticipantId,
      reason: refund.reason,
      created_event_id: created.id,
      created_at: at,
      succeeded_at: null,
    });
    await announcePosted(ctx, tx, refund, payment.payeeParticipantId);
    await followCheckout(ctx, tx, paymentAfter);
    await emitEvent(ctx, tx, {
      type: 'payment.refunded',
      data: paymentViewOf(paymentAfter),
      merchantId: refund.merchantId,
    });
    await recordIdempotentEffect(tx, { kind: 'refund', id: refund.id });
    return ok(refund);
  });
}

const acknowledgementBatchMax = 100;

/** Marks refunds succeeded once the issuer answered their `refund.created` callback with a 2xx. */
export async function confirmAcknowledgedRefunds(ctx: HubContext): Promise<number> {
  const ids = await store.listAcknowledgedRefundIds(ctx.db.kysely, acknowledgementBatchMax);
  for (const id of ids) {
    await inTransaction(ctx.db, async (tx) => {
      if (!(await store.markSucceeded(tx, id, ctx.clock.now().toISOString()))) return;
      const refund = await store.findRefund(tx, id);
      invariant(refund !== undefined, `refund ${id} exists after it succeeded`);
      invariant(refund.status === 'succeeded', `refund ${id} is succeeded once marked (it is ${refund.status})`);
      await emitEvent(ctx, tx, {
        type: 'refund.succeeded',
        data: refundJson(refund),
        merchantId: refund.merchantId,
        participantIds: [refund.acquirerId],
      });
    });
  }
  return ids.length;
}

/** The merchant, the issuer and the acquirer of a refund see it; the operator sees all. */
export function refundVisibleTo(
  caller: Caller,
  refund: { merchantId: string; issuerId: string; acquirerId: string },
): boolean {
  if (caller.type === 'operator') return true;
  if (caller.type === 'merchant') return caller.id === refund.merchantId;
  return caller.type === 'participant' && (caller.id === refund.issuerId || caller.id === refund.acquirerId);
}

export async function readRefund(ctx: HubContext, caller: Caller, id: string): Promise<Refund | undefined> {
  const refund = await store.findRefund(ctx.db.kysely, id);
  return refund && refundVisibleTo(caller, refund) ? refundJson(refund) : undefined;
}

const partyColumnsOf: Record<Caller['type'], readonly store.RefundParty[]> = {
  operator: [],
  merchant: ['merchant_id'],
  participant: ['issuer_id', 'acquirer_id'],
  buyer: ['merchant_id'],
};

export async function listRefundsFor(
  ctx: HubContext,
  caller: Caller,
  filter: { transferId?: string | undefined; limit: number; after?: string | undefined },
): Promise<Refund[]> {
  const refunds = await store.listRefunds(ctx.db.kysely, {
    ...filter,
    partyColumns: partyColumnsOf[caller.type],
    partyId: caller.id,
  });
  return refunds.map(refundJson);
}
