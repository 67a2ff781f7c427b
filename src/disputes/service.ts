import type { HubContext } from '../context.ts';
import { type DisputeRow, type Tx, inTransaction } from '../db/index.ts';
import { type Caller, actorOf, recordIdempotentEffect } from '../http/index.ts';
import { minor } from '../money/index.ts';
import { emitEvent } from '../notify/index.ts';
import { type Result, invariant, newId, ok, refuse } from '../platform/index.ts';
import { findTransfer, holdDisputed, postChargeback, releaseDisputed } from '../transfers/index.ts';
import {
  type Dispute,
  type DisputeActor,
  type DisputeEvent,
  type DisputeReason,
  type DisputeStatus,
  type TransitionRefusal,
  deadlineAfter,
  isFinal,
  nextDispute,
  dayMs,
  ruleKeyOf,
  stampOf,
} from './model.ts';
import * as store from './store.ts';
import { chargeArbitrationFee } from './arbitration.ts';
import { findRule } from './liability.ts';

export type RaiseRefusal =
  | 'not_found'
  | 'payment_not_disputable'
  | 'dispute_not_allowed'
  | 'dispute_window_closed'
  | 'dispute_exceeds_remaining';

export type RaiseInput = {
  transferId: string;
  reason: DisputeReason;
  amount: number;
  note: string;
  evidence?: string | undefined;
};

/** The issuer, the acquirer and the merchant of a dispute see it; the operator sees all; anyone else gets 404. */
export function disputeVisibleTo(caller: Caller, row: Pick<DisputeRow, 'issuer_id' | 'acquirer_id' | 'merchant_id'>) {
  if (caller.type === 'operator') return true;
  if (caller.type === 'merchant') return caller.id === row.merchant_id;
  return caller.type === 'participant' && (caller.id === row.issuer_id || caller.id === row.acquirer_id);
}

/** The part a caller plays in a dispute; undefined when it plays none. */
function actorIn(caller: Caller, row: DisputeRow): DisputeActor | undefined {
  if (caller.type === 'operator') return 'operator';
  if (caller.type === 'merchant') return caller.id === row.merchant_id ? 'merchant' : undefined;
  if (caller.type !== 'participant') return undefined;
  if (caller.id === row.issuer_id) return 'issuer';
  return caller.id === row.acquirer_id ? 'acquirer' : undefined;
}

/** The party a caller is in a dispute, for what it files; undefined when it is none (the operator files nothing). */
export function partyOf(caller: Caller, row: DisputeRow): 'issuer' | 'acquirer' | 'merchant' | undefined {
  const actor = actorIn(caller, row);
  return actor === 'issuer' || actor === 'acquirer' || actor === 'merchant' ? actor : undefined;
}

/** The news of a dispute goes to all three parties: both participants (callback, feed) and the merchant's webhooks. */
async function announce(ctx: HubContext, tx: Tx, type: string, row: DisputeRow): Promise<void> {
  await emitEvent(ctx, tx, {
    type,
    data: store.toDispute(row),
    merchantId: row.merchant_id,
    participantIds: [row.issuer_id, row.acquirer_id],
  });
}

/**
 * The issuer raises a dispute on a payment it paid: within the reason's
 * window after the payment's commit, for at most what refunds and other
 * disputes leave of it. The amount is held on the payment at once (its row
 * locked, as a refund locks it), and the acquirer and the merchant are told
 * in the same transaction.
 */
export async function raiseDispute(
  ctx: HubContext,
  caller: Caller,
  input: RaiseInput,
): Promise<Result<Dispute, RaiseRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const payment = await findTransfer(tx, input.transferId);
    if (!payment || caller.type !== 'participant' || payment.payerParticipantId !== caller.id)
      return refuse('not_found', `payment ${input.transferId} was not found`);
    if (payment.kind !== 'payment' || payment.committedAt === null || payment.onUs)
      return refuse('payment_not_disputable', `transfer ${payment.id} is not a committed payment between two parties`);
    const refused = payment.checkoutId === null ? undefined : await findRule(tx, input.reason, 'checkout_payment');
    if (refused?.bears === 'refused') return refuse('dispute_not_allowed', refused.note, { rule: ruleKeyOf(refused) });
    const now = ctx.clock.now();
    const closesAt = new Date(
      Date.parse(payment.committedAt) + ctx.config.disputeRaiseWindowDays[input.reason] * dayMs,
    );
    if (now > closesAt)
      return refuse(
        'dispute_window_closed',
        `a ${input.reason} dispute could be raised until ${closesAt.toISOString()}`,
        {
          closedAt: closesAt.toISOString(),
        },
      );
    const held = await holdDisputed(tx, payment.id, minor(input.amount));
    if (!held.ok) return held;
    const row: DisputeRow = {
      ...emptyAnswers,
      id: newId('dsp', now, ctx.random),
      status: 'open',
      reason: input.reason,
      amount: input.amount,
      currency: payment.currency,
      payment_transfer_id: payment.id,
      issuer_id: payment.payerParticipantId,
      acquirer_id: payment.payeeParticipantId,
      merchant_id: payment.merchantId,
      issuer_note: input.note,
      issuer_evidence: input.evidence ?? null,
      deadline_at: deadlineAfter('open', now),
      created_at: now.toISOString(),
    };
    await store.insertDispute(tx, row);
    await announce(ctx, tx, 'dispute.created', row);
    await recordIdempotentEffect(tx, { kind: 'dispute', id: row.id });
    return ok(store.toDispute(row));
  });
}

const emptyAnswers = {
  chargeback_transfer_id: null,
  arbitration_fee_transfer_id: null,
  response_note: null,
  response_evidence: null,
  responded_by: null,
  escalation_note: null,
  ruling_reason: null,
  ruling_note: null,
  accepted_at: null,
  contested_at: null,
  withdrawn_at: null,
  escalated_at: null,
  ruled_at: null,
  decided_by_rule: null,
} as const satisfies Partial<DisputeRow>;

export type ActRefusal = 'not_found' | TransitionRefusal;
export type ActInput = { note?: string | undefined; evidence?: string | undefined; decidedByRule?: string };

/** What an event writes beside the status, its stamp and the next deadline. */
function fieldsOf(event: DisputeEvent, actor: DisputeActor, input: ActInput): Partial<DisputeRow> {
  switch (event) {
    case 'accept':
    case 'contest':
      return {
        responded_by: actor,
        response_note: input.note ?? null,
        response_evidence: input.evidence ?? null,
      };
    case 'deadline':
      return { decided_by_rule: input.decidedByRule ?? null };
    case 'deadline_issuer_bears':
      return { ruling_reason: 'liability_rule', decided_by_rule: input.decidedByRule ?? null };
    case 'escalate':
      return { escalation_note: input.note ?? null };
    case 'withdraw':
      return {};
    case 'rule_for_issuer':
    case 'rule_for_acquirer':
      return {
        ruling_reason: 'arbitration',
        ruling_note: input.note ?? null,
        decided_by_rule: input.decidedByRule ?? null,
      };
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown dispute event ${String(unknownEvent)}`);
    }
  }
}

/** Moves the money a transition says: a chargeback, the held amount given back, or nothing. */
async function moveMoney(ctx: HubContext, tx: Tx, row: DisputeRow, money: 'chargeback' | 'release' | 'hold') {
  if (money === 'hold') return { chargeback_transfer_id: row.chargeback_transfer_id };
  invariant(row.chargeback_transfer_id === null, `dispute ${row.id} has moved no money before its final status`);
  if (money === 'release') {
    await releaseDisputed(tx, row.payment_transfer_id, minor(row.amount));
    return { chargeback_transfer_id: null };
  }
  const chargeback = await postChargeback(ctx, tx, {
    paymentTransferId: row.payment_transfer_id,
    amount: minor(row.amount),
  });
  invariant(chargeback.amount === row.amount, `dispute ${row.id}'s chargeback returns exactly its amount`);
  return { chargeback_transfer_id: chargeback.id };
}

/**
 * One step of a dispute in the caller's transaction, by the table: the
 * dispute row is locked, the actor's event checked, the money moved (a
 * chargeback in the open window, or the hold given back), the status
 * stamped with the next party's deadline, and all parties told.
 */
export async function stepDispute(
  ctx: HubContext,
  tx: Tx,
  step: { id: string; event: DisputeEvent; actor: DisputeActor; input: ActInput },
): Promise<Result<Dispute, TransitionRefusal>> {
  const row = await store.findDispute(tx, step.id, { lock: true });
  invariant(row !== undefined, `dispute ${step.id} exists to ${step.event}`);
  const from = row.status as DisputeStatus;
  const next = nextDispute(from, step.event, step.actor);
  if (!next.ok) return refuse(next.code, `a ${from} dispute cannot ${step.event} by the ${step.actor}`);
  const to = next.value.to;
  invariant(to !== 'open', `no event leads a dispute back to open`);
  const now = ctx.clock.now();
  const money = await moveMoney(ctx, tx, row, next.value.money);
  const lapsed = step.event === 'deadline' || step.event === 'deadline_issuer_bears';
  const respondedBy = lapsed && from === 'open' ? { responded_by: 'deadline' } : {};
  // Only the operator's ruling costs the loser a fee; a rule deciding an unanswered dispute costs nothing.
  const ruled = step.event === 'rule_for_issuer' || step.event === 'rule_for_acquirer';
  const fee = ruled ? { arbitration_fee_transfer_id: await chargeArbitrationFee(ctx, tx, { ...row, status: to }) } : {};
  const change = {
    ...fieldsOf(step.event, step.actor, step.input),
    ...respondedBy,
    ...money,
    ...fee,
    status: to,
    [stampOf(to)]: now.toISOString(),
    deadline_at: deadlineAfter(to, now),
  };
  invariant(await store.updateDispute(tx, row.id, from, change), `dispute ${row.id} was still ${from} under its lock`);
  const after = await store.findDispute(tx, row.id);
  invariant(after?.status === to, `dispute ${row.id} is ${to} after ${step.event}`);
  invariant(
    (after.chargeback_transfer_id !== null) === (to === 'accepted' || to === 'won_by_issuer'),
    `dispute ${row.id} has a chargeback exactly when the issuer prevailed`,
  );
  await announce(ctx, tx, `dispute.${to}`, after);
  return ok(store.toDispute(after));
}

/**
 * The operator's ruling of an escalated dispute: for the side it names, or,
 * naming none, for the side the liability rule of the reason does not
 * burden (the rule is recorded on the dispute).
 */
export async function ruleDispute(
  ctx: HubContext,
  caller: Caller,
  id: string,
  input: { winner?: 'issuer' | 'acquirer' | undefined; note: string },
): Promise<Result<Dispute, ActRefusal | 'invalid_request'>> {
  let winner = input.winner;
  let decidedByRule: string | undefined;
  if (winner === undefined) {
    const row = await store.findDispute(ctx.db.kysely, id);
    const rule = row && (await findRule(ctx.db.kysely, row.reason, 'escalated'));
    if (!rule || rule.bears === 'refused')
      return refuse('invalid_request', 'no liability rule decides this dispute: name the winner', {
        errors: [{ pointer: '/winner', detail: 'is required for this dispute' }],
      });
    winner = rule.bears === 'issuer' ? 'acquirer' : 'issuer';
    decidedByRule = ruleKeyOf(rule);
  }
  const event = winner === 'issuer' ? 'rule_for_issuer' : 'rule_for_acquirer';
  return actOnDispute(ctx, caller, id, event, { note: input.note, ...(decidedByRule ? { decidedByRule } : {}) });
}

/** A party's (or the operator's) event on a dispute it can see. */
export async function actOnDispute(
  ctx: HubContext,
  caller: Caller,
  id: string,
  event: Exclude<DisputeEvent, 'deadline' | 'deadline_issuer_bears'>,
  input: ActInput,
): Promise<Result<Dispute, ActRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await store.findDispute(tx, id, { lock: true });
    const actor = row && actorIn(caller, row);
    if (!row || actor === undefined) return refuse('not_found', `dispute ${id} was not found`);
    const stepped = await stepDispute(ctx, tx, { id, event, actor, input });
    if (!stepped.ok) return stepped;
    if (actor === 'operator')
      await ctx.audit(tx, {
        actor: actorOf(caller),
        action: `dispute.${stepped.value.status}`,
        objectType: 'dispute',
        objectId: id,
        before: store.toDispute(row),
        after: stepped.value,
      });
    await recordIdempotentEffect(tx, { kind: 'dispute', id });
    return stepped;
  });
}

const dueBatchMax = 100;

/**
 * Moves each dispute whose deadline passed: an unanswered open dispute is
 * accepted (and charged back), an unanswered contest stands. Each in its
 * own transaction; one a request moved first is skipped.
 */
export async function passDeadlines(ctx: HubContext): Promise<number> {
  const ids = await store.listDueDisputeIds(ctx.db.kysely, ctx.clock.now().toISOString(), dueBatchMax);
  let moved = 0;
  for (const id of ids) {
    await inTransaction(ctx.db, async (tx) => {
      const row = await store.findDispute(tx, id, { lock: true });
      const due =
        row?.deadline_at !== null && row?.deadline_at !== undefined && row.deadline_at <= ctx.clock.now().toISOString();
      if (!row || isFinal(row.status as DisputeStatus) || !due) return;
      const rule = row.status === 'open' ? await findRule(tx, row.reason, 'unanswered') : undefined;
      const event = rule?.bears === 'issuer' ? 'deadline_issuer_bears' : 'deadline';
      const input = rule ? { decidedByRule: ruleKeyOf(rule) } : {};
      const stepped = await stepDispute(ctx, tx, { id, event, actor: 'clock', input });
      invariant(stepped.ok, `a dispute past its deadline in ${row.status} moves on by the clock`);
      moved += 1;
    });
  }
  return moved;
}

export async function readDispute(ctx: HubContext, caller: Caller, id: string): Promise<Dispute | undefined> {
  const row = await store.findDispute(ctx.db.kysely, id);
  return row && disputeVisibleTo(caller, row) ? store.toDispute(row) : undefined;
}

const partyColumnsOf: Record<Caller['type'], readonly store.DisputeParty[]> = {
  operator: [],
  merchant: ['merchant_id'],
  participant: ['issuer_id', 'acquirer_id'],
  buyer: ['merchant_id'],
};

export async function listDisputesFor(
  ctx: HubContext,
  caller: Caller,
  filter: { transferId?: string | undefined; status?: string | undefined; limit: number; after?: string | undefined },
): Promise<Dispute[]> {
  const rows = await store.listDisputes(ctx.db.kysely, {
    ...filter,
    partyColumns: partyColumnsOf[caller.type],
    partyId: caller.id,
  });
  return rows.map(store.toDispute);
}
