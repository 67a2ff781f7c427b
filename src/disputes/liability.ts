import type { HubContext } from '../context.ts';
import { inTransaction } from '../db/index.ts';
import { type Caller, actorOf } from '../http/index.ts';
import { type Result, ok, refuse } from '../platform/index.ts';
import {
  type Bearer,
  type Circumstance,
  type Dispute,
  type DisputeReason,
  type LiabilityRule,
  bearerFits,
  ruleKeyOf,
} from './model.ts';
import * as store from './store.ts';

export { findRule, listRules } from './store.ts';

/**
 * The operator sets who bears a reason's loss in a circumstance, audited.
 * A raised dispute keeps the rule it was decided by; a change applies to
 * the disputes decided after it.
 */
export async function setLiabilityRule(
  ctx: HubContext,
  caller: Caller,
  key: { reason: DisputeReason; circumstance: Circumstance },
  input: { bears: Bearer; note: string },
): Promise<Result<LiabilityRule, 'invalid_request'>> {
  if (!bearerFits(key.circumstance, input.bears))
    return refuse('invalid_request', `a ${key.circumstance} rule cannot say ${input.bears}`, {
      errors: [{ pointer: '/bears', detail: `does not fit the circumstance ${key.circumstance}` }],
    });
  return inTransaction(ctx.db, async (tx) => {
    const before = await store.findRule(tx, key.reason, key.circumstance);
    const rule: LiabilityRule = { ...key, ...input, updatedAt: ctx.clock.now().toISOString() };
    await store.upsertRule(tx, rule);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'liability_rule.set',
      objectType: 'liability_rule',
      objectId: ruleKeyOf(key),
      before: before ?? null,
      after: rule,
    });
    return ok(rule);
  });
}

/** What happens next to a dispute: who must act, by when, and what no answer means. */
function nextOf(
  dispute: Dispute,
  rules: readonly LiabilityRule[],
): { who: string; by: string | null; otherwise: string } {
  const unanswered = rules.find((rule) => rule.circumstance === 'unanswered');
  const escalated = rules.find((rule) => rule.circumstance === 'escalated');
  switch (dispute.status) {
    case 'open':
      return {
        who: 'acquirer or merchant: accept or contest',
        by: dispute.deadlineAt,
        otherwise: unanswered?.bears === 'issuer' ? 'the issuer bears it (won_by_acquirer)' : 'accepted: charged back',
      };
    case 'contested':
      return {
        who: 'issuer: withdraw or escalate',
        by: dispute.deadlineAt,
        otherwise: 'withdrawn: the contest stands',
      };
    case 'escalated':
      return {
        who: 'operator: rule for one side',
        by: null,
        otherwise: `by the rule, the ${escalated?.bears ?? 'side the operator names'} bears it`,
      };
    default:
      return { who: 'nobody: the dispute is final', by: null, otherwise: 'nothing more happens' };
  }
}

/** Why a dispute stands where it does: the rules of its reason, the one that decided it, and what comes next. */
export async function explainDispute(ctx: HubContext, dispute: Dispute) {
  const rules = await store.listRules(ctx.db.kysely, dispute.reason);
  const decidedBy = rules.find((rule) => ruleKeyOf(rule) === dispute.decidedByRule) ?? null;
  return { dispute, rules, decidedBy, next: nextOf(dispute, rules) };
}
