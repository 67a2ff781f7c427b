import type { HubContext } from '../context.ts';
import type { Tx } from '../db/index.ts';
import { findMerchant } from '../merchants/index.ts';
import { emitEvent } from '../notify/index.ts';
import { paymentViewOf } from '../payments/index.ts';
import { invariant } from '../platform/index.ts';
import { type Transfer, commitReservation, releaseReservation } from '../transfers/index.ts';
import {
  type Charge,
  type ChargeEvent,
  type ReversalReason,
  authorizationReversedOf,
  chargeJson,
  chargeStampOf,
  nextChargeStatus,
  reservationMoveOf,
} from './model.ts';
import * as store from './store.ts';

/*
 * A charge's state changes: the one place a charge moves along its table,
 * with its reservation and its announcements. The use cases in service.ts
 * decide when; this file decides what a move does.
 */

export function plusMs(at: Date | string, durationMs: number): string {
  return new Date(new Date(at).getTime() + durationMs).toISOString();
}

export type MoveFacts = { declineReason?: string | null; reversalReason?: ReversalReason };

/**
 * Moves a locked charge along its table, stamps it, moves its reservation
 * (commit or release) and emits the events, in the caller's transaction.
 * A move the table does not allow is a programmer error and throws.
 */
export async function moveCharge(
  ctx: HubContext,
  tx: Tx,
  charge: Charge,
  event: ChargeEvent,
  facts: MoveFacts,
): Promise<Charge> {
  const to = nextChargeStatus(charge.status, event);
  invariant(to !== undefined, `a ${charge.status} charge ${charge.id} may ${event}`);
  invariant(event !== 'reverse' || facts.reversalReason !== undefined, `a reversal of charge ${charge.id} says why`);
  const now = ctx.clock.now();
  const moved = await store.updateChargeStatus(tx, charge.id, charge.status, {
    status: to,
    stamp: chargeStampOf(event),
    at: now.toISOString(),
    ...(event === 'decline' ? { declineReason: facts.declineReason ?? null } : {}),
    ...(event === 'reverse' && facts.reversalReason !== undefined ? { reversalReason: facts.reversalReason } : {}),
    ...(event === 'no_answer' ? { reverseAfter: plusMs(now, ctx.config.posUnknownTimeoutSeconds * 1000) } : {}),
  });
  invariant(moved, `charge ${charge.id} was still ${charge.status} under its lock`);
  const transfer = await moveReservation(ctx, tx, charge, event);
  const after = await store.findCharge(tx, charge.id);
  invariant(after?.status === to, `charge ${charge.id} is ${to} after ${event}`);
  await announce(ctx, tx, after, transfer);
  return after;
}

async function moveReservation(
  ctx: HubContext,
  tx: Tx,
  charge: Charge,
  event: ChargeEvent,
): Promise<Transfer | undefined> {
  const move = reservationMoveOf(event);
  if (move === 'keep') return undefined;
  const transfer =
    move === 'commit'
      ? await commitReservation(ctx, tx, charge.transferId)
      : await releaseReservation(ctx, tx, charge.transferId);
  const expected = move === 'commit' ? 'committed' : 'released';
  invariant(
    transfer.status === expected,
    `the transfer ${transfer.id} of charge ${charge.id} is ${expected} (it is ${transfer.status})`,
  );
  invariant(
    transfer.amount === charge.amount,
    `the transfer ${transfer.id} of charge ${charge.id} is for ${charge.amount} (it is for ${transfer.amount})`,
  );
  return transfer;
}

/** The merchant hears of every final status; the wallet of a reversal, so it can undo any debit. */
async function announce(ctx: HubContext, tx: Tx, charge: Charge, transfer: Transfer | undefined): Promise<void> {
  const merchantId = charge.merchantId;
  switch (charge.status) {
    case 'succeeded':
      invariant(transfer !== undefined, `succeeded charge ${charge.id} has its committed transfer`);
      await emitEvent(ctx, tx, { type: 'pos_charge.succeeded', data: chargeJson(charge), merchantId });
      await emitEvent(ctx, tx, { type: 'payment.succeeded', data: paymentViewOf(transfer), merchantId });
      return;
    case 'declined':
      await emitEvent(ctx, tx, { type: 'pos_charge.declined', data: chargeJson(charge), merchantId });
      return;
    case 'reversed': {
      const merchant = await findMerchant(tx, merchantId);
      invariant(merchant !== undefined, `the merchant of charge ${charge.id} exists`);
      await emitEvent(ctx, tx, { type: 'pos_charge.reversed', data: chargeJson(charge), merchantId });
      await emitEvent(ctx, tx, {
        type: 'authorization.reversed',
        data: authorizationReversedOf(charge, merchant),
        participantIds: [charge.issuerId],
      });
      return;
    }
    case 'pending':
    case 'unknown':
      return;
    default: {
      const unknownStatus: never = charge.status;
      throw new Error(`unknown charge status ${String(unknownStatus)}`);
    }
  }
}
