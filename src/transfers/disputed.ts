/**
 * What disputes do to transfers: hold part of a payment, give it back, post
 * the chargeback (priced as a refund, on the same scale) and the loser's
 * arbitration fee. Each runs in the caller's transaction.
 */
import type { HubContext } from '../context.ts';
import type { Tx } from '../db/index.ts';
import { announceThresholdCrossings, lockPositions } from '../ledger/index.ts';
import { type Minor, minor } from '../money/index.ts';
import { type Result, invariant, ok, refuse } from '../platform/index.ts';
import { windowForTransfer } from '../settlement/index.ts';
import { type Transfer, type TransferFees, postingsOf } from './model.ts';
import { feesOfReturn, insertWithReceipt, newPayment, newRefund, post } from './service.ts';
import * as store from './store.ts';

export type ChargebackInput = { paymentTransferId: string; amount: Minor };

/**
 * Posts a chargeback of part or all of a committed payment inside the
 * caller's transaction: the dispute's money going back from the acquirer to
 * the issuer, priced and posted exactly as a refund (interchange returned in
 * proportion on the same scale, no switch fee), in the open window. The
 * dispute already holds the amount in the payment's disputed amount, so it
 * never passes what refunds left. It is owed whatever the acquirer's
 * headroom: the loss was decided, so the cap cannot refuse it (a crossing is
 * still announced).
 */
export async function postChargeback(ctx: HubContext, tx: Tx, input: ChargebackInput): Promise<Transfer> {
  invariant(
    Number.isSafeInteger(input.amount) && input.amount > 0,
    `a chargeback amount is a positive safe integer (not ${input.amount})`,
  );
  const window = await windowForTransfer(ctx, tx);
  const payment = await store.findTransfer(tx, input.paymentTransferId, { lock: true });
  invariant(payment?.kind === 'payment' && payment.status === 'committed', `a chargeback returns a committed payment`);
  const before = await store.sumReturned(tx, payment.id);
  const disputed = await store.disputedAmountOf(tx, payment.id);
  invariant(
    before.amount - payment.refundedAmount + input.amount <= disputed,
    `chargebacks of ${payment.id} stay within what its disputes hold (${disputed})`,
  );
  const draft = newRefund(ctx, payment, input, {
    kind: 'chargeback',
    fees: await feesOfReturn(tx, payment, input.amount),
    window,
    at: ctx.clock.now(),
  });
  const positions = await lockPositions(
    tx,
    postingsOf(draft).map((posting) => posting.account),
    draft.currency,
    draft.createdAt,
  );
  const chargeback = await insertWithReceipt(ctx, tx, draft);
  await post(tx, chargeback, draft.createdAt);
  await announceThresholdCrossings(ctx, tx, chargeback.currency, positions);
  return chargeback;
}

/**
 * Posts an arbitration fee: the loser of a ruled dispute pays the hub,
 * whatever its headroom (the ruling decided it). Amount 0 from loser to
 * winner with the fee as the payer's switch fee, so the payer moves −fee
 * and the hub +fee, in the open window.
 */
export async function postArbitrationFee(
  ctx: HubContext,
  tx: Tx,
  input: { payment: Transfer; loserId: string; winnerId: string; fee: Minor },
): Promise<Transfer> {
  invariant(Number.isSafeInteger(input.fee) && input.fee > 0, `an arbitration fee is positive (not ${input.fee})`);
  const window = await windowForTransfer(ctx, tx);
  const at = ctx.clock.now();
  const draft: Transfer = {
    ...newPayment(
      ctx,
      {
        payerId: input.loserId,
        payeeId: input.winnerId,
        merchantId: input.payment.merchantId,
        amount: minor(0),
        currency: input.payment.currency,
        source: 'checkout',
      },
      { status: 'committed', fees: { ...noFees, issuerSwitchFee: input.fee }, window, at },
    ),
    kind: 'arbitration_fee',
    source: 'arbitration_fee',
    paymentTransferId: input.payment.id,
  };
  const positions = await lockPositions(tx, [input.loserId], draft.currency, draft.createdAt);
  const fee = await insertWithReceipt(ctx, tx, draft);
  await post(tx, fee, draft.createdAt);
  await announceThresholdCrossings(ctx, tx, fee.currency, positions);
  return fee;
}

const noFees: TransferFees = {
  interchange: minor(0),
  issuerSwitchFee: minor(0),
  acquirerSwitchFee: minor(0),
  merchantDiscount: minor(0),
};

/**
 * Holds part of a committed payment for a dispute, so neither a refund nor
 * another dispute can take it; the payment row is locked first, as refunds
 * lock it. Answers what remained before, or the refusal with what remains.
 */
export async function holdDisputed(
  tx: Tx,
  paymentTransferId: string,
  amount: Minor,
): Promise<Result<Transfer, 'payment_not_disputable' | 'dispute_exceeds_remaining'>> {
  const payment = await store.findTransfer(tx, paymentTransferId, { lock: true });
  if (payment?.kind !== 'payment' || payment.status !== 'committed')
    return refuse('payment_not_disputable', `transfer ${paymentTransferId} is not a committed payment`);
  const disputed = await store.disputedAmountOf(tx, payment.id);
  const remaining = minor(payment.amount - payment.refundedAmount - disputed);
  if (amount > remaining)
    return refuse('dispute_exceeds_remaining', `only ${remaining} of the payment remains to dispute`, { remaining });
  const after = await store.addDisputed(tx, payment.id, amount);
  invariant(after === disputed + amount, `payment ${payment.id} disputed amount grew by exactly ${amount}`);
  return ok(payment);
}

/** Gives back what a dispute held of its payment when it ends without a chargeback. */
export async function releaseDisputed(tx: Tx, paymentTransferId: string, amount: Minor): Promise<void> {
  const disputed = await store.disputedAmountOf(tx, paymentTransferId);
  const after = await store.addDisputed(tx, paymentTransferId, -amount);
  invariant(after === disputed - amount, `payment ${paymentTransferId} disputed amount fell by exactly ${amount}`);
}
