import { describe, expect, test } from 'vitest';
import { createMerchant, createWallet, positionsOf } from '../testing/world.ts';
import { fetchHubKeys, ledgerCheckOf, verifyCallback, verifyWebhook } from '../testing/index.ts';
import {
  acquirer,
  acquirerReceiver,
  arbitrationFee,
  dayMs,
  escalated,
  hub,
  hubAccount,
  issuer,
  merchant,
  merchantReceiver,
  moved,
  operator,
  paid,
  raise,
  raised,
  webhookSecret,
  useDisputeWorld,
} from './world.test-support.ts';

useDisputeWorld();

describe('disputes over HTTP', () => {
  test(
    'raised by the issuer, the acquirer and the merchant hear at once (callback, webhook, feed); the merchant ' +
      'accepts and the chargeback returns the amount less the interchange in proportion',
    async () => {
      const transferId = await paid(10_000);
      const before = await positionsOf(hub);
      const dispute = await raised(transferId, 3_000);
      expect(dispute).toMatchObject({
        status: 'open',
        reason: 'not_received',
        amount: 3_000,
        paymentTransferId: transferId,
        issuerParticipantId: issuer.id,
        acquirerParticipantId: acquirer.id,
        merchantId: merchant.id,
        chargebackTransferId: null,
        deadlineAt: new Date(hub.clock.now().getTime() + 10 * dayMs).toISOString(),
      });
      expect(await moved(before)).toEqual({ acquirer: 0, issuer: 0 });

      await hub.workers.deliveries?.runOnce();
      const keys = await fetchHubKeys(hub);
      const callback = acquirerReceiver.requests.find((request) => JSON.parse(request.body).data?.id === dispute.id);
      expect(callback && verifyCallback(keys, callback).ok).toBe(true);
      expect(JSON.parse(callback!.body).type).toBe('dispute.created');
      const webhooks = merchantReceiver.requests.map((request) => verifyWebhook(webhookSecret, request) as any);
      expect(webhooks.some((event) => event.type === 'dispute.created' && event.data.id === dispute.id)).toBe(true);
      // On PostgreSQL the feed holds an event back while an older transaction on the server is open, so it is
      // read until it shows, within a bound.
      const feedIds = async () =>
        (await acquirer.call('GET', '/v1/events?types=dispute.created')).body.data.map((event: any) => event.data.id);
      let heard = await feedIds();
      for (let tries = 0; !heard.includes(dispute.id) && tries < 50; tries += 1) {
        await new Promise((done) => setTimeout(done, 100));
        heard = await feedIds();
      }
      expect(heard).toContain(dispute.id);

      const accepted = await merchant.call('POST', `/v1/disputes/${dispute.id}/accept`, { note: 'fair enough' });
      expect(accepted.status, accepted.text).toBe(200);
      expect(accepted.body).toMatchObject({
        status: 'accepted',
        respondedBy: 'merchant',
        responseNote: 'fair enough',
        acceptedAt: hub.clock.now().toISOString(),
        deadlineAt: null,
      });
      // 1 % of 10 000 is 100 of interchange; 3 000 returns 30 of it.
      expect(await moved(before)).toEqual({ acquirer: -2_970, issuer: 2_970 });
      const chargeback = await acquirer.call('GET', `/v1/transfers/${accepted.body.chargebackTransferId}`);
      expect(chargeback.body).toMatchObject({
        kind: 'chargeback',
        source: 'chargeback',
        amount: 3_000,
        payerParticipantId: acquirer.id,
        payeeParticipantId: issuer.id,
        paymentTransferId: transferId,
        fees: { interchange: 30, issuerSwitchFee: 0, acquirerSwitchFee: 0 },
      });
      expect(chargeback.body.windowId).not.toBeNull();

      const again = await acquirer.call('POST', `/v1/disputes/${dispute.id}/accept`, {});
      expect(again.body.code).toBe('invalid_transition');
      expect(await moved(before)).toEqual({ acquirer: -2_970, issuer: 2_970 });
      const refundRest = await merchant.call('POST', '/v1/refunds', { transferId, amount: 7_001, reason: 'x' });
      expect(refundRest.body).toMatchObject({ code: 'refund_exceeds_remaining', remaining: 7_000 });
      const rest = await merchant.call('POST', '/v1/refunds', { transferId, amount: 7_000, reason: 'the rest' });
      expect(rest.status, rest.text).toBe(201);
      // The last return takes the remainder of the interchange: 100 − 30.
      expect(await moved(before)).toEqual({ acquirer: -9_900, issuer: 9_900 });
    },
  );

  test('no answer by the deadline is an acceptance: the worker charges back once the test clock passes it', async () => {
    const transferId = await paid(5_000);
    const dispute = await raised(transferId, 5_000, 'amount_differs');
    const before = await positionsOf(hub);
    hub.clock.advanceMs(10 * dayMs - 1);
    await hub.workers['dispute-deadlines']?.runOnce();
    expect((await issuer.call('GET', `/v1/disputes/${dispute.id}`)).body.status).toBe('open');
    hub.clock.advanceMs(1);
    await hub.workers['dispute-deadlines']?.runOnce();
    const after = await issuer.call('GET', `/v1/disputes/${dispute.id}`);
    expect(after.body).toMatchObject({ status: 'accepted', respondedBy: 'deadline', deadlineAt: null });
    expect(await moved(before)).toEqual({ acquirer: -4_950, issuer: 4_950 });
    await hub.workers['dispute-deadlines']?.runOnce();
    expect(await moved(before)).toEqual({ acquirer: -4_950, issuer: 4_950 });
    const late = await acquirer.call('POST', `/v1/disputes/${dispute.id}/contest`, { note: 'too late' });
    expect(late.body.code).toBe('invalid_transition');
  });

  test('a contest goes back to the issuer, which withdraws: no money moves and the amount is free again', async () => {
    const transferId = await paid(4_000);
    const before = await positionsOf(hub);
    const dispute = await raised(transferId, 4_000);
    expect((await merchant.call('POST', '/v1/refunds', { transferId, amount: 1, reason: 'x' })).body).toMatchObject({
      code: 'refund_exceeds_remaining',
      remaining: 0,
    });
    const contested = await acquirer.call('POST', `/v1/disputes/${dispute.id}/contest`, {
      note: 'delivered on the 3rd',
      evidence: 'courier tracking SF123456789CN, signed by the buyer',
    });
    expect(contested.body).toMatchObject({
      status: 'contested',
      respondedBy: 'acquirer',
      responseEvidence: 'courier tracking SF123456789CN, signed by the buyer',
      deadlineAt: new Date(hub.clock.now().getTime() + 10 * dayMs).toISOString(),
    });
    const byAcquirer = await acquirer.call('POST', `/v1/disputes/${dispute.id}/withdraw`, {});
    expect(byAcquirer.body.code).toBe('forbidden');
    const withdrawn = await issuer.call('POST', `/v1/disputes/${dispute.id}/withdraw`, { note: 'proof accepted' });
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', chargebackTransferId: null, deadlineAt: null });
    expect(await moved(before)).toEqual({ acquirer: 0, issuer: 0 });
    const refund = await merchant.call('POST', '/v1/refunds', { transferId, amount: 4_000, reason: 'goodwill' });
    expect(refund.status, refund.text).toBe(201);
  });

  test('an unanswered contest stands: past the issuer deadline the dispute is withdrawn', async () => {
    const transferId = await paid(2_000);
    const dispute = await raised(transferId, 2_000);
    await merchant.call('POST', `/v1/disputes/${dispute.id}/contest`, { note: 'the buyer has it' });
    hub.clock.advanceMs(10 * dayMs);
    await hub.workers['dispute-deadlines']?.runOnce();
    const after = await merchant.call('GET', `/v1/disputes/${dispute.id}`);
    expect(after.body).toMatchObject({ status: 'withdrawn', respondedBy: 'merchant', chargebackTransferId: null });
  });

  test(
    'an escalation ruled by the operator for the issuer: the chargeback and the arbitration fee charged to the ' +
      'acquirer; ruled for the acquirer, the issuer pays the fee and nothing is charged back',
    async () => {
      const hubBefore = await hubAccount();
      const forIssuer = await escalated(await paid(8_000), 8_000);
      const before = await positionsOf(hub);
      const notYet = await operator('POST', `/v1/disputes/${forIssuer}/rule`, {
        winner: 'issuer',
        reason: 'other',
        note: 'x',
      });
      expect(notYet.status).toBe(400);
      const ruled = await operator('POST', `/v1/disputes/${forIssuer}/rule`, {
        winner: 'issuer',
        reason: 'arbitration',
        note: 'no proof of delivery',
      });
      expect(ruled.body).toMatchObject({ status: 'won_by_issuer', rulingReason: 'arbitration' });
      expect(await moved(before)).toEqual({ acquirer: -7_920 - arbitrationFee, issuer: 7_920 });
      const fee = await acquirer.call('GET', `/v1/transfers/${ruled.body.arbitrationFeeTransferId}`);
      expect(fee.body).toMatchObject({ kind: 'arbitration_fee', amount: 0, payerParticipantId: acquirer.id });
      expect(fee.body.fees.issuerSwitchFee).toBe(arbitrationFee);

      const forAcquirer = await escalated(await paid(1_000), 1_000);
      const before2 = await positionsOf(hub);
      const byParty = await issuer.call('POST', `/v1/disputes/${forAcquirer}/rule`, {
        winner: 'issuer',
        reason: 'arbitration',
        note: 'mine',
      });
      expect(byParty.status).toBe(403);
      const lost = await operator('POST', `/v1/disputes/${forAcquirer}/rule`, {
        winner: 'acquirer',
        reason: 'arbitration',
        note: 'signed proof of delivery',
      });
      expect(lost.body).toMatchObject({ status: 'won_by_acquirer', chargebackTransferId: null });
      expect(await moved(before2)).toEqual({ acquirer: 0, issuer: -arbitrationFee });
      expect((await hubAccount()) - hubBefore).toBe(2 * arbitrationFee);
      const audit = await operator('GET', `/v1/audit-events?objectId=${forAcquirer}`);
      expect(audit.body.data.map((event: { action: string }) => event.action)).toContain('dispute.won_by_acquirer');
    },
  );

  test('refusals, in the order checked', async () => {
    const transferId = await paid(3_000);
    const stranger = await createWallet(hub, 'Stranger Wallet');
    expect((await raise(transferId, 1, 'not_received', stranger)).body.code).toBe('not_found');
    expect((await raise(transferId, 1, 'bought_it_anyway')).status).toBe(400);
    expect((await raise(transferId, 3_001)).body).toMatchObject({
      code: 'dispute_exceeds_remaining',
      remaining: 3_000,
    });
    const first = await raised(transferId, 2_000);
    expect((await raise(transferId, 1_001)).body).toMatchObject({
      code: 'dispute_exceeds_remaining',
      remaining: 1_000,
    });
    const accepted = await issuer.call('POST', `/v1/disputes/${first.id}/accept`, {});
    expect(accepted.body.code).toBe('forbidden');
    const other = await createMerchant(hub, acquirer, { name: 'Other Shop' });
    expect((await other.call('GET', `/v1/disputes/${first.id}`)).status).toBe(404);
    expect((await other.call('POST', `/v1/disputes/${first.id}/accept`, {})).status).toBe(404);
    expect((await stranger.call('GET', `/v1/disputes/${first.id}`)).status).toBe(404);
    const notEscalated = await operator('POST', `/v1/disputes/${first.id}/rule`, {
      winner: 'issuer',
      reason: 'arbitration',
      note: 'x',
    });
    expect(notEscalated.body.code).toBe('invalid_transition');
    hub.clock.advanceMs(31 * dayMs);
    expect((await raise(transferId, 1, 'other')).body.code).toBe('dispute_window_closed');
    expect((await raise(transferId, 1, 'unauthorised')).status).toBe(201);
    const both = (await issuer.call('GET', `/v1/disputes?transferId=${transferId}`)).body.data;
    expect(both).toHaveLength(2);
    for (const dispute of both as { id: string }[])
      expect((await issuer.call('POST', `/v1/disputes/${dispute.id}/withdraw`, {})).status).toBe(200);
  });

  test('a race of refunds and disputes on one payment never passes it', async () => {
    const transferId = await paid(10_000);
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        index % 2 === 0
          ? merchant.call('POST', '/v1/refunds', { transferId, amount: 1_000, reason: 'race' })
          : raise(transferId, 1_000),
      ),
    );
    expect(answers.filter((answer) => answer.status >= 500)).toEqual([]);
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(10);
    const refunded = (await merchant.call('GET', `/v1/payments/${transferId}`)).body.refundedAmount as number;
    const disputes = (await issuer.call('GET', `/v1/disputes?transferId=${transferId}`)).body.data as unknown[];
    expect(refunded + disputes.length * 1_000).toBe(10_000);
    // Withdrawn, so the clock moved by later tests charges none of them back.
    for (const dispute of disputes as { id: string }[])
      expect((await issuer.call('POST', `/v1/disputes/${dispute.id}/withdraw`, {})).status).toBe(200);
  });

  test('the ledger check passes after all of it', async () => {
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
  });
});
