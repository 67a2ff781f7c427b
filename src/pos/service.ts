import { systemActor } from '../audit/index.ts';
import { findChannel } from '../channels/index.ts';
import type { HubContext } from '../context.ts';
import { inTransaction, lockNamed } from '../db/index.ts';
import { type Caller, actorOf, type FieldError, recordIdempotentEffect } from '../http/index.ts';
import { findMerchant } from '../merchants/index.ts';
import { isCurrencyAlpha, minor } from '../money/index.ts';
import { findParticipant, isIssuer } from '../participants/index.ts';
import { type Result, invariant, newId, ok, refuse } from '../platform/index.ts';
import { type Transfer, reservePayment } from '../transfers/index.ts';
import { askWallet } from './authorization.ts';
import {
  type AuthorizationAnswer,
  type AuthorizationRequest,
  type Charge,
  type ChargeOutcomeRefusal,
  type ChargeRefusal,
  type ChargeView,
  type Decision,
  type DecisionRefusal,
  type ReversalRefusal,
  authorizationRequestOf,
  chargeJson,
  eventOfDecision,
  isPaymentCode,
  nextChargeStatus,
  reversalBatchChargesMax,
  reversibleStatuses,
  routeByPrefix,
} from './model.ts';
import { moveCharge, plusMs } from './moves.ts';
import { type ChargeOutcome, outcomeOf } from './views.ts';
import * as store from './store.ts';

export type NewChargeInput = { paymentCode: string; amount: number; currency: string; reference: string };

type MerchantCaller = Caller & { type: 'merchant' };

/** A charge opened now and the question for its wallet; or the same sale charged before, returned as it is. */
type Opened =
  | { kind: 'opened'; charge: Charge; request: AuthorizationRequest; callbackUrl: string }
  | { kind: 'repeat'; charge: Charge };

/** Thrown inside the opening transaction to roll back its reservation; turned into `payment_code_used` outside. */
class CodeTaken extends Error {
  constructor() {
    super('the payment code was taken by a concurrent charge');
  }
}

function checkNewCharge(input: NewChargeInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!isPaymentCode(input.paymentCode)) errors.push({ pointer: '/paymentCode', detail: 'must be 16 to 24 digits' });
  if (!isCurrencyAlpha(input.currency))
    errors.push({ pointer: '/currency', detail: `${input.currency} is not an ISO 4217 currency` });
  return errors;
}

/** The same sale again (a till retrying after losing the answer): same merchant, amount, currency and reference. */
function isSameSale(charge: Charge, merchantId: string, input: NewChargeInput): boolean {
  return (
    charge.merchantId === merchantId &&
    charge.amount === input.amount &&
    charge.currency === input.currency &&
    charge.reference === input.reference
  );
}

/**
 * The checks before the wallet is asked, in the order of `ChargeRefusal`,
 * then the reservation and the charge row, in one transaction. A code held
 * by a charge of the same sale answers that charge instead of refusing it,
 * so a till that lost a 5xx answer can simply retry.
 */
async function openCharge(
  ctx: HubContext,
  caller: MerchantCaller,
  input: NewChargeInput,
): Promise<Result<Opened, ChargeRefusal>> {
  const errors = checkNewCharge(input);
  if (errors.length > 0) return refuse('invalid_request', 'the charge has invalid fields', { errors });
  return inTransaction(ctx.db, async (tx): Promise<Result<Opened, ChargeRefusal>> => {
    const merchant = await findMerchant(tx, caller.id);
    invariant(merchant !== undefined, `authenticated merchant ${caller.id} exists`);
    if (merchant.status !== 'active')
      return refuse('merchant_suspended', 'a suspended merchant cannot take new payments');
    const route = routeByPrefix(input.paymentCode, await store.prefixOwnersOf(tx, input.paymentCode));
    const issuer = route ? await findParticipant(tx, route.participantId) : undefined;
    if (!issuer || !isIssuer(issuer))
      return refuse('payment_code_unroutable', 'no wallet on this hub issues payment codes with this prefix');
    // Charges of one code queue here, before any position is locked: checking for a holder under
    // this lock means a charge never waits on another's code while holding a position lock that
    // the other's commit needs (PostgreSQL would break that cycle as a deadlock).
    await lockNamed(tx, `payment_code:${input.paymentCode}`);
    const holderId = await store.findCodeHolder(tx, input.paymentCode);
    const holder = holderId === undefined ? undefined : await store.findCharge(tx, holderId);
    if (holder && isSameSale(holder, merchant.id, input)) return ok({ kind: 'repeat', charge: holder });
    if (holder)
      return refuse('payment_code_used', 'this payment code was already charged; ask the buyer to show a fresh one');
    if (issuer.status !== 'active') return refuse('participant_not_active', `wallet ${issuer.id} is not active`);
    if (!issuer.currencies.includes(input.currency))
      return refuse('currency_not_supported', `wallet ${issuer.id} does not hold ${input.currency}`);
    const acquirer = await findParticipant(tx, merchant.acquirerId);
    if (!acquirer?.currencies.includes(input.currency))
      return refuse('currency_not_supported', `the merchant's acquirer does not take ${input.currency}`);
    const channel = await findChannel(tx, merchant.id, issuer.id);
    if (channel?.status === 'suspended')
      return refuse('channel_not_approved', `wallet ${issuer.id} suspended its channel with this merchant`);
    const reserved = await reservePayment(ctx, tx, {
      payerId: issuer.id,
      payeeId: merchant.acquirerId,
      merchantId: merchant.id,
      amount: minor(input.amount),
      currency: input.currency,
      source: 'payment_code',
    });
    if (!reserved.ok) return reserved;
    invariant(reserved.value.status === 'reserved', `the transfer ${reserved.value.id} of a new charge is reserved`);
    invariant(
      reserved.value.amount === input.amount,
      `the transfer ${reserved.value.id} of a new charge reserves ${input.amount} (not ${reserved.value.amount})`,
    );
    const charge = newCharge(
      ctx,
      { merchantId: merchant.id, acquirerId: merchant.acquirerId, issuerId: issuer.id },
      input,
      reserved.value,
    );
    if (!(await store.insertCharge(tx, charge))) throw new CodeTaken();
    await recordIdempotentEffect(tx, { kind: 'pos_charge', id: charge.id });
    return ok({
      kind: 'opened',
      charge,
      request: authorizationRequestOf(charge, merchant),
      callbackUrl: issuer.callbackUrl,
    });
  }).catch((error: unknown) => {
    if (error instanceof CodeTaken)
      return refuse('payment_code_used', 'this payment code was already charged; ask the buyer to show a fresh one');
    throw error;
  });
}

function newCharge(
  ctx: HubContext,
  parties: { merchantId: string; acquirerId: string; issuerId: string },
  input: NewChargeInput,
  transfer: Transfer,
): Charge {
  const at = ctx.clock.now();
  const deadlineAt = plusMs(at, ctx.config.posAuthorizationDeadlineMs);
  invariant(deadlineAt > at.toISOString(), `a new charge's deadline ${deadlineAt} is after its creation`);
  return {
    id: newId('chg', at, ctx.random),
    ...parties,
    paymentCode: input.paymentCode,
    amount: minor(input.amount),
    currency: input.currency,
    reference: input.reference,
    status: 'pending',
    transferId: transfer.id,
    receiptNumber: transfer.receiptNumber,
    declineReason: null,
    reversalReason: null,
    deadlineAt,
    // Should this process die before recording the answer, the worker still reverses the charge.
    reverseAfter: plusMs(deadlineAt, ctx.config.posUnknownTimeoutSeconds * 1000),
    createdAt: at.toISOString(),
    succeededAt: null,
    declinedAt: null,
    unknownAt: null,
    reversedAt: null,
  };
}

/**
 * A till charges a scanned payment code: checks and reserves in one
 * transaction, asks the wallet outside any transaction, then records its
 * answer in a short one. Whoever moved the charge first while the wallet was
 * asked (its late decision, the till's reversal, the reversal worker) wins.
 */
export async function createCharge(
  ctx: HubContext,
  caller: MerchantCaller,
  input: NewChargeInput,
): Promise<Result<ChargeOutcome, ChargeRefusal | ChargeOutcomeRefusal>> {
  const opened = await openCharge(ctx, caller, input);
  if (!opened.ok) return opened;
  if (opened.value.kind === 'repeat') return outcomeOf(opened.value.charge);
  const { charge, request, callbackUrl } = opened.value;
  const answer = await askWallet(ctx, { id: charge.issuerId, callbackUrl }, request);
  if (answer.kind === 'no_answer')
    ctx.logger.warn(
      { charge: charge.id, wallet: charge.issuerId, why: answer.why },
      'no usable answer to an authorization: the charge is unknown',
    );
  return outcomeOf(await recordAnswer(ctx, charge.id, answer));
}

async function recordAnswer(ctx: HubContext, chargeId: string, answer: AuthorizationAnswer): Promise<Charge> {
  return inTransaction(ctx.db, async (tx) => {
    const charge = await store.findCharge(tx, chargeId, { lock: true });
    invariant(charge !== undefined, `charge ${chargeId} exists after it was opened`);
    if (charge.status !== 'pending') return charge;
    if (answer.kind === 'no_answer') return moveCharge(ctx, tx, charge, 'no_answer', {});
    return moveCharge(ctx, tx, charge, eventOfDecision(answer.decision), { declineReason: answer.reason });
  });
}

const statusOfDecision: Record<Decision, Charge['status']> = { approved: 'succeeded', declined: 'declined' };

/**
 * The wallet decides a charge it did not answer in time (or answers again).
 * The same decision again answers the charge as it is; a reversed charge is
 * refused with `charge_reversed` (the wallet was, or will be, sent
 * `authorization.reversed`); the other decision on a decided charge is
 * `invalid_transition`. A merchant suspended since the charge was opened does
 * not stop it: the wallet was asked and may have debited its user (README).
 */
export async function decideCharge(
  ctx: HubContext,
  caller: Caller,
  id: string,
  input: { decision: Decision; reason?: string | undefined },
): Promise<Result<ChargeView, DecisionRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const charge = await store.findCharge(tx, id, { lock: true });
    if (!charge || caller.type !== 'participant' || charge.issuerId !== caller.id)
      return refuse('not_found', `charge ${id} was not found`);
    if (charge.status === 'reversed') {
      return refuse('charge_reversed', `charge ${id} was reversed at ${charge.reversedAt}; undo any debit for it`, {
        chargeId: id,
        reversalReason: charge.reversalReason,
      });
    }
    const event = eventOfDecision(input.decision);
    if (nextChargeStatus(charge.status, event) === undefined) {
      if (charge.status === statusOfDecision[input.decision]) return ok(chargeJson(charge));
      return refuse('invalid_transition', `charge ${id} is already ${charge.status}`, { chargeStatus: charge.status });
    }
    const moved = await moveCharge(ctx, tx, charge, event, { declineReason: input.reason ?? null });
    invariant(
      moved.status === statusOfDecision[input.decision],
      `charge ${id} is ${statusOfDecision[input.decision]} once ${input.decision} (it is ${moved.status})`,
    );
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: `pos_charge.${input.decision}`,
      objectType: 'pos_charge',
      objectId: id,
      before: chargeJson(charge),
      after: chargeJson(moved),
    });
    await recordIdempotentEffect(tx, { kind: 'pos_charge', id });
    return ok(chargeJson(moved));
  });
}

/**
 * The till calls a charge off before it is decided. Reversing a reversed
 * charge answers it as it is; a succeeded charge is refunded instead, and a
 * declined one moved no money.
 */
export async function reverseCharge(
  ctx: HubContext,
  caller: Caller,
  id: string,
): Promise<Result<ChargeView, ReversalRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const charge = await store.findCharge(tx, id, { lock: true });
    if (!charge || caller.type !== 'merchant' || charge.merchantId !== caller.id)
      return refuse('not_found', `charge ${id} was not found`);
    if (charge.status === 'reversed') return ok(chargeJson(charge));
    if (nextChargeStatus(charge.status, 'reverse') === undefined) {
      const hint = charge.status === 'succeeded' ? 'refund it instead' : 'it moved no money';
      return refuse('invalid_transition', `a ${charge.status} charge cannot be reversed: ${hint}`, {
        chargeStatus: charge.status,
      });
    }
    const moved = await moveCharge(ctx, tx, charge, 'reverse', { reversalReason: 'till_reversed' });
    invariant(moved.reversalReason === 'till_reversed', `charge ${id} reversed by its till says so`);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'pos_charge.reversed',
      objectType: 'pos_charge',
      objectId: id,
      before: chargeJson(charge),
      after: chargeJson(moved),
    });
    await recordIdempotentEffect(tx, { kind: 'pos_charge', id });
    return ok(chargeJson(moved));
  });
}

/**
 * The `pos-reversals` worker: reverses each charge still pending or unknown
 * past its `reverseAfter`, one short transaction each. The row lock (and the
 * status check under it) makes a wallet's decision arriving at the same
 * moment either win before the reversal or meet `charge_reversed` after it.
 */
export async function reverseDueCharges(ctx: HubContext): Promise<number> {
  const now = ctx.clock.now().toISOString();
  const due = await store.listDueReversals(ctx.db.kysely, now, reversalBatchChargesMax);
  let reversed = 0;
  for (const id of due) {
    const moved = await inTransaction(ctx.db, async (tx) => {
      const charge = await store.findCharge(tx, id, { lock: true });
      if (
        !charge ||
        !(reversibleStatuses as readonly string[]).includes(charge.status) ||
        charge.reverseAfter > ctx.clock.now().toISOString()
      )
        return false;
      const after = await moveCharge(ctx, tx, charge, 'reverse', { reversalReason: 'unknown_timeout' });
      invariant(after.reversalReason === 'unknown_timeout', `charge ${id} reversed by the worker says it timed out`);
      await ctx.audit(tx, {
        actor: systemActor,
        action: 'pos_charge.reversed',
        objectType: 'pos_charge',
        objectId: id,
        before: chargeJson(charge),
        after: chargeJson(after),
      });
      return true;
    });
    if (moved) reversed += 1;
  }
  return reversed;
}
