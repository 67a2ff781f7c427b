import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestParticipant } from '../testing/index.ts';
import { buyerOf, createCheckout } from '../testing/world.ts';
import { type SecurityWorld, expectProblem, startSecurityWorld } from './world.test-support.ts';

/**
 * OWASP API6:2023, Unrestricted Access to Sensitive Business Flows. The
 * flows that move money hold under abuse: no refund beyond the payment,
 * however the refunds race; no payment of an expired or canceled checkout;
 * one checkout paid once when wallets race for it; one payment token, one
 * payment; and knowing (or guessing) a checkout's id gives nothing.
 */
let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});
afterAll(async () => {
  await world?.hub.stop();
});

/** A wallet's payment token for a checkout, through the buyer's QR attempt and the wallet's resolve. */
async function tokenFor(checkout: { id: string; clientSecret: string }, wallet: TestParticipant) {
  const attempt = await buyerOf(world.hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId: wallet.id,
    flow: 'qr',
  });
  expect(attempt.status, attempt.text).toBe(201);
  const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: attempt.body.qrPayload });
  expect(resolved.status, resolved.text).toBe(200);
  const { paymentToken, amount, currency } = resolved.body;
  return { paymentToken, amount, currency } as { paymentToken: string; amount: number; currency: string };
}

let refCounter = 0;
const pay = (wallet: TestParticipant, token: { paymentToken: string; amount: number; currency: string }) => {
  refCounter += 1;
  return wallet.call('POST', '/v1/transfers', { ...token, payer: { ref: `flow-${refCounter}` } });
};

describe('refunds', () => {
  test('a refund beyond the payment is refused, and so is one beyond what remains', async () => {
    const { merchantA, paidA } = world;
    const amount = paidA.transfer.amount as number;
    const refund = (value: number) =>
      merchantA.call('POST', '/v1/refunds', { transferId: paidA.transfer.id, amount: value, reason: 'r' });
    expectProblem(await refund(amount + 1), 422, 'refund_exceeds_remaining');
    expect((await refund(amount - 10)).status).toBe(201);
    expectProblem(await refund(11), 422, 'refund_exceeds_remaining');
    expect((await refund(10)).status).toBe(201);
    expectProblem(await refund(1), 422);
  });

  test('refunds racing for one payment never take more than it', async () => {
    const { merchantB, paidB } = world;
    const amount = paidB.transfer.amount as number;
    const share = Math.ceil(amount * 0.6);
    const raced = await Promise.all(
      Array.from({ length: 4 }, (_value, index) =>
        merchantB.call('POST', '/v1/refunds', {
          transferId: paidB.transfer.id,
          amount: share,
          reason: `race-${index}`,
        }),
      ),
    );
    expect(raced.filter((response) => response.status === 201)).toHaveLength(1);
    for (const response of raced.filter((answer) => answer.status !== 201))
      expectProblem(response, 422, 'refund_exceeds_remaining');
    const payment = await merchantB.call('GET', `/v1/payments/${paidB.transfer.id}`);
    expect(payment.body.refundedAmount).toBe(share);
  });
});

describe('paying a checkout', () => {
  test('an expired checkout cannot be paid, even with a token got before it expired', async () => {
    const checkout = await createCheckout(world.merchantA, { expiresInSeconds: 60 });
    const token = await tokenFor(checkout, world.walletX);
    world.hub.clock.advanceMs(61_000);
    expectProblem(await pay(world.walletX, token), 422, 'checkout_expired');
  });

  test('a canceled checkout cannot be paid', async () => {
    const checkout = await createCheckout(world.merchantA);
    const token = await tokenFor(checkout, world.walletX);
    expect((await world.merchantA.call('POST', `/v1/checkouts/${checkout.id}/cancel`)).status).toBe(200);
    expectProblem(await pay(world.walletX, token), 422, 'checkout_canceled');
  });

  test('two wallets racing for one checkout: exactly one pays', async () => {
    const checkout = await createCheckout(world.merchantA);
    const [tokenX, tokenY] = [await tokenFor(checkout, world.walletX), await tokenFor(checkout, world.walletY)];
    const raced = await Promise.all([pay(world.walletX, tokenX), pay(world.walletY, tokenY)]);
    expect(raced.map((response) => response.status).sort()).toEqual([201, 409]);
    expectProblem(raced.find((response) => response.status === 409) as never, 409, 'checkout_already_paid');
    const read = await world.merchantA.call('GET', `/v1/checkouts/${checkout.id}`);
    expect(read.body.status).toBe('paid');
  });

  test('one payment token pays once; another wallet cannot use it', async () => {
    const checkout = await createCheckout(world.merchantA);
    const token = await tokenFor(checkout, world.walletX);
    expectProblem(await pay(world.walletY, token), 422, 'wallet_mismatch');
    expect((await pay(world.walletX, token)).status).toBe(201);
    expectProblem(await pay(world.walletX, token), 409, 'checkout_already_paid');
  });

  test('a transfer for another amount or currency than asked is refused', async () => {
    const checkout = await createCheckout(world.merchantA);
    const token = await tokenFor(checkout, world.walletX);
    expectProblem(await pay(world.walletX, { ...token, amount: token.amount - 1 }), 422, 'amount_mismatch');
    expectProblem(await pay(world.walletX, { ...token, currency: 'IDR' }), 422);
  });
});

describe('checkout ids', () => {
  test('neighbouring ids, made one after another, open nothing to another buyer or merchant', async () => {
    const first = await createCheckout(world.merchantB);
    const second = await createCheckout(world.merchantB);
    expect(second.id > first.id).toBe(true);
    expectProblem(await buyerOf(world.hub, first)('GET', `/v1/checkouts/${second.id}`), 404, 'not_found');
    expectProblem(await world.merchantA.call('GET', `/v1/checkouts/${second.id}`), 404, 'not_found');
  });

  test('the hosted page of any id shows nothing without the secret, which only its fragment carries', async () => {
    const page = await fetch(`${world.hub.url}/checkout/${world.openB.id}`);
    const html = await page.text();
    expect(html).not.toContain(String(world.openB.amount));
    expect(html).not.toContain(world.openB.reference);
    expect(world.openB.hostedUrl).toMatch(/#cs=/);
  });

  test('an invented share token is 404', async () => {
    expectProblem(await world.walletX.call('GET', '/v1/share/shr_invented'), 404, 'not_found');
  });
});
