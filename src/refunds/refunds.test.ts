import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Receiver,
  type TestHub,
  type TestParticipant,
  bearerClient,
  fetchHubKeys,
  startReceiver,
  startTestHub,
  verifyCallback,
  verifyWebhook,
  ledgerCheckOf,
} from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  createCheckout,
  createMerchant,
  createWallet,
  positionsOf,
  payCheckoutByQr,
} from '../testing/world.ts';

let hub: TestHub;
let acquirer: TestParticipant;
let issuer: TestParticipant;
let merchant: TestMerchant;
let issuerReceiver: Receiver;

beforeAll(async () => {
  hub = await startTestHub();
  issuerReceiver = await startReceiver(hub.clock);
  acquirer = await createWallet(hub, 'Acquirer Pay', { roles: ['issuer', 'acquirer'] });
  issuer = await createWallet(hub, 'Issuer Wallet', { callbackUrl: issuerReceiver.url });
  merchant = await createMerchant(hub, acquirer);
  await approveChannel(merchant, issuer);
});
afterAll(async () => {
  await hub?.stop();
  await issuerReceiver?.close();
});

async function paidCheckout(
  amount: number,
  seller = merchant,
  wallet = issuer,
): Promise<{ checkoutId: string; transferId: string }> {
  const checkout = await createCheckout(seller, {
    amount,
    lines: [{ kind: 'product', name: 'Item', quantity: 1, unitAmount: amount }],
  });
  const paid = await payCheckoutByQr(hub, checkout, wallet, `pay-${checkout.id}`);
  expect(paid.status, paid.text).toBe(201);
  return { checkoutId: checkout.id, transferId: paid.body.id };
}

function refund(transferId: string, amount: number, seller = merchant) {
  return seller.call('POST', '/v1/refunds', { transferId, amount, reason: 'customer returned goods' });
}

const position = (positions: Record<string, number>, participant: TestParticipant) =>
  positions[`${participant.id}:CNY`] ?? 0;

describe('refunds', () => {
  test(
    'a payment refunded in three parts; the third passes what remains and is refused; positions follow each ' + 'step',
    async () => {
      const { checkoutId, transferId } = await paidCheckout(10_000);
      const start = await positionsOf(hub);

      const first = await refund(transferId, 3_000);
      expect(first.status, first.text).toBe(201);
      expect(first.body).toMatchObject({
        status: 'pending',
        amount: 3_000,
        currency: 'CNY',
        paymentTransferId: transferId,
      });
      expect(first.body.id).toMatch(/^ref_/);
      expect(first.body.receiptNumber).toMatch(/^\d{12}$/);
      expect(first.body.transferId).not.toBe(transferId);
      let positions = await positionsOf(hub);
      expect(position(positions, acquirer) - position(start, acquirer)).toBe(-3_000);
      expect(position(positions, issuer) - position(start, issuer)).toBe(3_000);
      expect((await merchant.call('GET', `/v1/checkouts/${checkoutId}`)).body.status).toBe('partially_refunded');
      expect((await merchant.call('GET', `/v1/payments/${transferId}`)).body).toMatchObject({
        status: 'partially_refunded',
        refundedAmount: 3_000,
      });

      const second = await refund(transferId, 5_000);
      expect(second.status).toBe(201);
      positions = await positionsOf(hub);
      expect(position(positions, acquirer) - position(start, acquirer)).toBe(-8_000);
      expect(position(positions, issuer) - position(start, issuer)).toBe(8_000);

      const third = await refund(transferId, 2_001);
      expect(third.status).toBe(422);
      expect(third.body).toMatchObject({ code: 'refund_exceeds_remaining', remaining: 2_000 });
      positions = await positionsOf(hub);
      expect(position(positions, acquirer) - position(start, acquirer)).toBe(-8_000);

      const list = await merchant.call('GET', `/v1/refunds?transferId=${transferId}`);
      expect(list.body.data.map((row: { id: string }) => row.id)).toEqual([first.body.id, second.body.id]);
      const asIssuer = await issuer.call('GET', `/v1/refunds/${first.body.id}`);
      expect(asIssuer.status).toBe(200);
    },
  );

  test('a full refund marks the payment and checkout refunded; a refund of a refund is refused', async () => {
    const { checkoutId, transferId } = await paidCheckout(4_200);
    const full = await refund(transferId, 4_200);
    expect(full.status).toBe(201);
    expect((await merchant.call('GET', `/v1/checkouts/${checkoutId}`)).body.status).toBe('refunded');
    expect((await merchant.call('GET', `/v1/payments/${transferId}`)).body).toMatchObject({
      status: 'refunded',
      refundedAmount: 4_200,
    });
    const ofRefund = await refund(full.body.transferId, 1);
    expect([404, 422]).toContain(ofRefund.status);
    const more = await refund(transferId, 1);
    expect(more.body.code).toBe('refund_exceeds_remaining');
  });

  test(
    "the issuer's receiver gets a verified refund.created for each refund; acknowledging makes the refund " +
      'succeeded',
    async () => {
      const { transferId } = await paidCheckout(6_000);
      const created = await refund(transferId, 1_000);
      await hub.workers.deliveries?.runOnce();
      await hub.workers['refund-confirmations']?.runOnce();
      const keys = await fetchHubKeys(hub);
      const callbacks = issuerReceiver.requests.filter((request) => JSON.parse(request.body).type === 'refund.created');
      const forThisRefund = callbacks.find((request) => JSON.parse(request.body).data.id === created.body.id);
      expect(forThisRefund).toBeDefined();
      expect(verifyCallback(keys, forThisRefund!).ok).toBe(true);
      expect(callbacks.every((request) => verifyCallback(keys, request).ok)).toBe(true);
      const after = await merchant.call('GET', `/v1/refunds/${created.body.id}`);
      expect(after.body).toMatchObject({ status: 'succeeded', succeededAt: hub.clock.now().toISOString() });
    },
  );

  test('concurrent partial refunds never pass the payment amount', async () => {
    const { transferId } = await paidCheckout(10_000);
    const answers = await Promise.all(Array.from({ length: 12 }, () => refund(transferId, 1_000)));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(10);
    expect(answers.filter((answer) => answer.status >= 500)).toEqual([]);
    expect((await merchant.call('GET', `/v1/payments/${transferId}`)).body.refundedAmount).toBe(10_000);
  });

  test('a suspended merchant may still refund; another merchant cannot touch the payment', async () => {
    const { transferId } = await paidCheckout(2_000);
    const other = await createMerchant(hub, acquirer, { name: 'Other Shop' });
    const foreign = await other.call('POST', '/v1/refunds', { transferId, amount: 100, reason: 'x' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('not_found');
    await acquirer.call('POST', `/v1/merchants/${merchant.id}/suspend`);
    try {
      expect((await refund(transferId, 500)).status).toBe(201);
    } finally {
      await acquirer.call('POST', `/v1/merchants/${merchant.id}/reinstate`);
    }
  });

  test(
    "refund.created, payment.refunded, checkout.refunded and refund.succeeded reach the merchant's webhooks, " +
      'verified',
    async () => {
      const receiver = await startReceiver(hub.clock);
      try {
        const endpoint = await merchant.call('POST', '/v1/webhook-endpoints', { url: receiver.url, events: ['*'] });
        expect(endpoint.status, endpoint.text).toBe(201);
        const { transferId } = await paidCheckout(3_300);
        await refund(transferId, 3_300);
        await hub.workers.deliveries?.runOnce();
        await hub.workers['refund-confirmations']?.runOnce();
        await hub.workers.deliveries?.runOnce();
        const types = receiver.requests.map((request) =>
          String((verifyWebhook(endpoint.body.secret, request) as { type: string }).type),
        );
        expect(types).toEqual(
          expect.arrayContaining([
            'payment.succeeded',
            'checkout.paid',
            'refund.created',
            'payment.refunded',
            'checkout.refunded',
            'refund.succeeded',
          ]),
        );
      } finally {
        await receiver.close();
      }
    },
  );

  test(
    'with the issuer down, the acquirer hears of the refund that debits it at once, in its feed and its callback; ' +
      'refund.succeeded follows only the issuer acknowledging; a refused refund tells it nothing',
    async () => {
      let issuerUp = false;
      const acquirerReceiver = await startReceiver(hub.clock);
      const sleepingReceiver = await startReceiver(hub.clock, () => (issuerUp ? 200 : 503));
      try {
        const debited = await createWallet(hub, 'Debited Acquirer', {
          roles: ['issuer', 'acquirer'],
          callbackUrl: acquirerReceiver.url,
        });
        const sleeping = await createWallet(hub, 'Sleeping Issuer', { callbackUrl: sleepingReceiver.url });
        const shop = await createMerchant(hub, debited, { name: 'Debited Shop' });
        await approveChannel(shop, sleeping);
        const { transferId } = await paidCheckout(10_000, shop, sleeping);
        await hub.workers.deliveries?.runOnce();
        const refundTypes = 'refund.posted,refund.created,refund.succeeded';
        const feedOf = async (after: string) => {
          const page = await debited.call('GET', `/v1/events?types=${refundTypes}&after=${after}`);
          expect(page.status, page.text).toBe(200);
          return page.body as {
            data: { id: string; type: string; data: Record<string, unknown> }[];
            nextCursor: string;
          };
        };
        const start = await feedOf('0.0');
        expect(start.data).toEqual([]);
        const positionsBefore = await positionsOf(hub);

        const created = await refund(transferId, 6_000, shop);
        expect(created.status, created.text).toBe(201);
        const moved = position(await positionsOf(hub), debited) - position(positionsBefore, debited);
        expect(moved).toBe(-6_000);
        // No worker has run: the news is in the feed because it committed with the transfer. On
        // PostgreSQL the feed holds an event back while any older transaction on the server (another
        // test file's) is still open, so it is read until it shows, within a bound.
        let heard = await feedOf(start.nextCursor);
        for (let tries = 0; heard.data.length === 0 && tries < 50; tries += 1) {
          await new Promise((done) => setTimeout(done, 100));
          heard = await feedOf(start.nextCursor);
        }
        expect(heard.data.map((event) => event.type)).toEqual(['refund.posted']);
        const posted = heard.data[0]!;
        expect(posted.data).toMatchObject({
          id: created.body.id,
          status: 'pending',
          amount: 6_000,
          currency: 'CNY',
          paymentTransferId: transferId,
          transferId: created.body.transferId,
          receiptNumber: created.body.receiptNumber,
          merchantId: shop.id,
          acquirerParticipantId: debited.id,
          acquirerPositionEffect: moved,
        });

        await hub.workers.deliveries?.runOnce();
        const keys = await fetchHubKeys(hub);
        const callbacks = acquirerReceiver.requests.filter((request) => JSON.parse(request.body).id === posted.id);
        expect(callbacks).toHaveLength(1);
        expect(verifyCallback(keys, callbacks[0]!).ok).toBe(true);
        expect(JSON.parse(callbacks[0]!.body)).toMatchObject({ type: 'refund.posted', data: posted.data });
        const delivery = await debited.call('GET', `/v1/callback-deliveries?eventId=${posted.id}`);
        expect(delivery.body.data).toMatchObject([{ status: 'delivered', participantId: debited.id }]);
        const asked = sleepingReceiver.requests.filter((request) => JSON.parse(request.body).type === 'refund.created');
        expect(asked.map((request) => JSON.parse(request.body).data.id)).toEqual([created.body.id]);

        await hub.workers['refund-confirmations']?.runOnce();
        await hub.workers.deliveries?.runOnce();
        expect((await shop.call('GET', `/v1/refunds/${created.body.id}`)).body.status).toBe('pending');
        expect((await feedOf(heard.nextCursor)).data).toEqual([]);

        issuerUp = true;
        const askedEvent = JSON.parse(asked[0]!.body).id as string;
        const pending = await sleeping.call('GET', `/v1/callback-deliveries?eventId=${askedEvent}`);
        expect(pending.body.data).toMatchObject([{ status: 'pending', lastResponseStatus: 503 }]);
        const retried = await sleeping.call('POST', `/v1/callback-deliveries/${pending.body.data[0].id}/retry`);
        expect(retried.status, retried.text).toBe(202);
        await hub.workers.deliveries?.runOnce();
        await hub.workers['refund-confirmations']?.runOnce();
        await hub.workers.deliveries?.runOnce();
        expect((await shop.call('GET', `/v1/refunds/${created.body.id}`)).body.status).toBe('succeeded');
        const acknowledged = await feedOf(heard.nextCursor);
        expect(acknowledged.data.map((event) => [event.type, event.data.id])).toEqual([
          ['refund.succeeded', created.body.id],
        ]);
        expect(
          acquirerReceiver.requests.filter((request) => JSON.parse(request.body).id === acknowledged.data[0]!.id),
        ).toHaveLength(1);

        const requestsBefore = acquirerReceiver.requests.length;
        const refused = await refund(transferId, 4_001, shop);
        expect(refused.body).toMatchObject({ code: 'refund_exceeds_remaining', remaining: 4_000 });
        await hub.workers.deliveries?.runOnce();
        expect((await debited.call('GET', `/v1/events?after=${acknowledged.nextCursor}`)).body.data).toEqual([]);
        expect(acquirerReceiver.requests).toHaveLength(requestsBefore);
        expect(position(await positionsOf(hub), debited) - position(positionsBefore, debited)).toBe(-6_000);
      } finally {
        await acquirerReceiver.close();
        await sleepingReceiver.close();
      }
    },
  );

  test('the ledger check passes after all of it', async () => {
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
    const operator = bearerClient(hub, hub.operatorToken);
    expect((await operator('GET', '/v1/refunds?limit=100')).body.data.length).toBeGreaterThan(10);
  });
});
