import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, type TestParticipant, launchChromium, startTestHub } from '../testing/index.ts';
import { type TestMerchant, approveChannel, createCheckout, createMerchant, createWallet } from '../testing/world.ts';

let hub: TestHub;
let browser: Browser;
let defaultWallet: TestParticipant;
let otherWallet: TestParticipant;
let merchant: TestMerchant;

beforeAll(async () => {
  hub = await startTestHub();
  browser = await launchChromium();
  defaultWallet = await createWallet(hub, 'Home Pay', { roles: ['issuer', 'acquirer'] });
  otherWallet = await createWallet(hub, 'Other Wallet');
  merchant = await createMerchant(hub, defaultWallet);
  await approveChannel(merchant, otherWallet);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('hosted checkout page in Chromium', () => {
  test(
    'shows the default method first and the rest under "Other methods"; a QR paid by the wallet turns the page ' +
      'to paid',
    async () => {
      const checkout = await createCheckout(merchant, { returnUrl: 'https://shop.example/thanks' });
      const page = await browser.newPage();
      await page.goto(checkout.hostedUrl);
      await expect.poll(() => page.textContent('#amount')).toContain('129.90');
      expect(await page.getAttribute('#methods .method', 'data-wallet')).toBe(defaultWallet.id);
      expect(await page.isVisible('#other-methods .method')).toBe(false);
      await page.click('#other summary');
      expect(await page.getAttribute('#other-methods .method', 'data-wallet')).toBe(otherWallet.id);

      await page.click(`#other-methods [data-wallet="${otherWallet.id}"] button[data-flow="qr"]`);
      await page.waitForSelector('#qr svg');
      const payload = await page.getAttribute('#qr', 'data-payload');
      expect(payload).toMatch(/^000201010212/);

      const resolved = await otherWallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: payload });
      const paid = await otherWallet.call('POST', '/v1/transfers', {
        paymentToken: resolved.body.paymentToken,
        amount: 12_990,
        currency: 'CNY',
        payer: { ref: 'browser-1' },
      });
      expect(paid.status).toBe(201);
      await page.waitForSelector('#status.paid', { timeout: 10_000 });
      expect(await page.textContent('#status')).toContain('Paid');
      expect(await page.getAttribute('#status a', 'href')).toBe('https://shop.example/thanks');
      await page.close();
    },
  );

  test('the share page lists every offered wallet with its own code, and nothing about the buyer', async () => {
    const checkout = await createCheckout(merchant, { buyerId: 'buyer-secret-name' });
    const attempt = await fetch(`${hub.url}/v1/checkouts/${checkout.id}/attempts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${checkout.clientSecret}`,
        'content-type': 'application/json',
        'idempotency-key': 'share-1',
      },
      body: JSON.stringify({ walletId: otherWallet.id, flow: 'friend_pay' }),
    }).then((response) => response.json() as Promise<{ shareUrl: string }>);
    const page = await browser.newPage();
    await page.goto(attempt.shareUrl);
    await page.waitForSelector('#wallets .method');
    const wallets = await page.$$eval('#wallets .method', (rows) => rows.map((row) => row.getAttribute('data-wallet')));
    expect(wallets).toEqual([defaultWallet.id, otherWallet.id]);
    expect(await page.textContent('#merchant')).toBe('Toko Lintas, Shanghai');
    expect(await page.content()).not.toContain('buyer-secret-name');
    await page.close();
  });
});
