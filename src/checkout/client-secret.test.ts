import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, type TestParticipant, startTestHub } from '../testing/index.ts';
import { type TestMerchant, buyerOf, createCheckout, createMerchant, createWallet } from '../testing/world.ts';

let hub: TestHub;
let wallet: TestParticipant;
let merchant: TestMerchant;

beforeAll(async () => {
  hub = await startTestHub();
  wallet = await createWallet(hub, 'Secret Pay', { roles: ['issuer', 'acquirer'] });
  merchant = await createMerchant(hub, wallet);
});
afterAll(async () => hub?.stop());

describe("a checkout's client secret opens only its own checkout", () => {
  test("with checkout A's secret, reading or paying checkout B answers 404 not_found", async () => {
    const checkoutA = await createCheckout(merchant);
    const checkoutB = await createCheckout(merchant);
    const asBuyerOfA = buyerOf(hub, checkoutA);

    // A's secret opens A: the rule is about which checkout, not about buyers at all.
    expect((await asBuyerOfA('GET', `/v1/checkouts/${checkoutA.id}`)).status).toBe(200);
    expect((await asBuyerOfA('GET', `/v1/checkouts/${checkoutA.id}/status`)).status).toBe(200);

    for (const path of [`/v1/checkouts/${checkoutB.id}`, `/v1/checkouts/${checkoutB.id}/status`]) {
      const read = await asBuyerOfA('GET', path);
      expect(read.status, `${path}: ${read.text}`).toBe(404);
      expect(read.body.code).toBe('not_found');
    }
    const attempt = await asBuyerOfA('POST', `/v1/checkouts/${checkoutB.id}/attempts`, {
      walletId: wallet.id,
      flow: 'qr',
    });
    expect(attempt.status, attempt.text).toBe(404);
    expect(attempt.body.code).toBe('not_found');

    // B was not touched: its own buyer still sees it open and can start paying.
    const asBuyerOfB = buyerOf(hub, checkoutB);
    const statusB = await asBuyerOfB('GET', `/v1/checkouts/${checkoutB.id}/status`);
    expect(statusB.body.status).toBe('open');
    const ownAttempt = await asBuyerOfB('POST', `/v1/checkouts/${checkoutB.id}/attempts`, {
      walletId: wallet.id,
      flow: 'qr',
    });
    expect(ownAttempt.status, ownAttempt.text).toBe(201);

    // The QR's picture is its own request, for B's buyer and B's merchant only, and shows B's payload.
    const picturePath = new URL(ownAttempt.body.qrImageUrl).pathname;
    expect(picturePath).toBe(`/v1/checkouts/${checkoutB.id}/attempts/${ownAttempt.body.id}/qr.svg`);
    const picture = await asBuyerOfB('GET', picturePath);
    expect(picture.status, picture.text).toBe(200);
    expect(picture.headers.get('content-type')).toContain('image/svg+xml');
    expect(picture.text).toContain('<svg');
    expect((await merchant.call('GET', picturePath)).status).toBe(200);
    expect((await asBuyerOfA('GET', picturePath)).status).toBe(404);
    const underA = `/v1/checkouts/${checkoutA.id}/attempts/${ownAttempt.body.id}/qr.svg`;
    expect((await buyerOf(hub, checkoutA)('GET', underA)).status).toBe(404);
  });

  test("a client secret cannot do the merchant's work on its own checkout", async () => {
    const checkout = await createCheckout(merchant);
    const cancel = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/cancel`);
    expect(cancel.status, cancel.text).toBe(403);
    expect(cancel.body.code).toBe('forbidden');
  });
});
