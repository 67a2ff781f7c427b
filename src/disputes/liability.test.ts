import { describe, expect, test } from 'vitest';
import { positionsOf } from '../testing/world.ts';
import { ledgerCheckOf } from '../testing/index.ts';
import {
  acquirer,
  dayMs,
  escalated,
  hub,
  issuer,
  merchant,
  moved,
  operator,
  paid,
  raise,
  raised,
  useDisputeWorld,
} from './world.test-support.ts';

useDisputeWorld();

describe('liability rules over HTTP', () => {
  test(
    'liability rules as data: a duplicate on a checkout is refused, an unanswered unauthorised dispute is the ' +
      "issuer's, an escalation ruled by the rule; the operator changes a rule, audited, and explain shows it",
    async () => {
      const transferId = await paid(6_000);
      const duplicate = await raise(transferId, 100, 'duplicate');
      expect(duplicate.body).toMatchObject({ code: 'dispute_not_allowed', rule: 'duplicate/checkout_payment' });

      const before = await positionsOf(hub);
      const unauthorised = await raised(transferId, 1_000, 'unauthorised');
      hub.clock.advanceMs(10 * dayMs);
      await hub.workers['dispute-deadlines']?.runOnce();
      const lapsed = await issuer.call('GET', `/v1/disputes/${unauthorised.id}/explain`);
      expect(lapsed.body.dispute).toMatchObject({
        status: 'won_by_acquirer',
        respondedBy: 'deadline',
        rulingReason: 'liability_rule',
        decidedByRule: 'unauthorised/unanswered',
        chargebackTransferId: null,
        arbitrationFeeTransferId: null,
      });
      expect(lapsed.body.decidedBy).toMatchObject({
        reason: 'unauthorised',
        circumstance: 'unanswered',
        bears: 'issuer',
      });
      expect(lapsed.body.rules.map((rule: { circumstance: string }) => rule.circumstance).sort()).toEqual([
        'escalated',
        'unanswered',
      ]);
      expect(await moved(before)).toEqual({ acquirer: 0, issuer: 0 });

      const byRule = await escalated(transferId, 2_000);
      const open = await merchant.call('GET', `/v1/disputes/${byRule}/explain`);
      expect(open.body.next).toMatchObject({ who: 'operator: rule for one side', by: null });
      const ruled = await operator('POST', `/v1/disputes/${byRule}/rule`, {
        reason: 'arbitration',
        note: 'by the rule',
      });
      expect(ruled.body).toMatchObject({ status: 'won_by_issuer', decidedByRule: 'not_received/escalated' });

      const participantSets = await acquirer.call('PUT', '/v1/liability-rules/not_received/unanswered', {
        bears: 'issuer',
        note: 'x',
      });
      expect(participantSets.status).toBe(403);
      const misfit = await operator('PUT', '/v1/liability-rules/not_received/unanswered', {
        bears: 'refused',
        note: 'x',
      });
      expect(misfit.body.code).toBe('invalid_request');
      const set = await operator('PUT', '/v1/liability-rules/not_received/unanswered', {
        bears: 'issuer',
        note: 'the merchant need not answer a claim of non-delivery',
      });
      expect(set.body).toMatchObject({ bears: 'issuer', updatedAt: hub.clock.now().toISOString() });
      const audit = await operator('GET', '/v1/audit-events?objectId=not_received/unanswered');
      expect(audit.body.data.map((event: { action: string }) => event.action)).toContain('liability_rule.set');
      const listed = await merchant.call('GET', '/v1/liability-rules');
      expect(listed.body.data).toContainEqual(expect.objectContaining({ reason: 'not_received', bears: 'issuer' }));
      const later = await raised(await paid(700), 700);
      hub.clock.advanceMs(10 * dayMs);
      await hub.workers['dispute-deadlines']?.runOnce();
      expect((await issuer.call('GET', `/v1/disputes/${later.id}`)).body).toMatchObject({
        status: 'won_by_acquirer',
        decidedByRule: 'not_received/unanswered',
      });
      await operator('PUT', '/v1/liability-rules/not_received/unanswered', { bears: 'acquirer', note: 'as before' });
    },
  );

  test('the ledger check passes after all of it', async () => {
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
  });
});
