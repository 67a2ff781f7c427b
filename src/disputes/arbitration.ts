import type { HubContext } from '../context.ts';
import type { DisputeRow, Tx } from '../db/index.ts';
import { feeOf, scheduleOf } from '../fees/index.ts';
import { minor } from '../money/index.ts';
import { invariant } from '../platform/index.ts';
import { findTransfer, postArbitrationFee } from '../transfers/index.ts';

/**
 * The side that loses a dispute the operator ruled pays the hub the
 * currency's arbitration fee (on the disputed amount, from the fee
 * schedule); a schedule without one charges nothing. Answers the fee's
 * transfer id, or null.
 */
export async function chargeArbitrationFee(ctx: HubContext, tx: Tx, dispute: DisputeRow): Promise<string | null> {
  invariant(
    dispute.status === 'won_by_issuer' || dispute.status === 'won_by_acquirer',
    `only a ruled dispute charges an arbitration fee (dispute ${dispute.id} is ${dispute.status})`,
  );
  const schedule = await scheduleOf(tx, dispute.currency);
  const fee = feeOf(schedule.arbitrationFee, minor(dispute.amount), minor(Number.MAX_SAFE_INTEGER));
  if (fee === 0) return null;
  const payment = await findTransfer(tx, dispute.payment_transfer_id);
  invariant(payment !== undefined, `the payment ${dispute.payment_transfer_id} of dispute ${dispute.id} exists`);
  const issuerLost = dispute.status === 'won_by_acquirer';
  const charged = await postArbitrationFee(ctx, tx, {
    payment,
    loserId: issuerLost ? dispute.issuer_id : dispute.acquirer_id,
    winnerId: issuerLost ? dispute.acquirer_id : dispute.issuer_id,
    fee,
  });
  return charged.id;
}
