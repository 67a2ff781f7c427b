import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { catalogues } from '../../web/shared/i18n.ts';
import {
  type TestHub,
  type TestParticipant,
  axeViolations,
  englishLeft,
  ensurePagesBuilt,
  horizontalOverflow,
  launchChromium,
  screenshotFolder,
  startTestHub,
  watchPage,
} from '../testing/index.ts';
import { type TestMerchant, approveChannel, createCheckout, createMerchant, createWallet } from '../testing/world.ts';

let hub: TestHub;
let browser: Browser;
let defaultWallet: TestParticipant;
let otherWallet: TestParticipant;
let thirdWallet: TestParticipant;
let merchant: TestMerchant;
const screens = screenshotFolder('pages');
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensurePagesBuilt();
  hub = await startTestHub();
  browser = await launchChromium();
  defaultWallet = await createWallet(hub, 'Home Pay', { roles: ['issuer', 'acquirer'] });
  otherWallet = await createWallet(hub, 'Other Wallet');
  thirdWallet = await createWallet(hub, 'Third Wallet');
  merchant = await createMerchant(hub, defaultWallet);
  await approveChannel(merchant, otherWallet);
  await approveChannel(merchant, thirdWallet);
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await hub?.stop();
  console.log(`pages: screenshots of every step in ${screens.folder}`);
});

type Opened = { page: Page; problems: string[] };

/** A fresh browser profile in one language, at a phone's width, allowed to use the clipboard. */
async function open(url: string, options: { locale?: string; userAgent?: string } = {}): Promise<Opened> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: { width: 375, height: 800 },
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  });
  contexts.push(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
  const page = await context.newPage();
  const problems = await watchPage(page);
  await page.goto(url);
  return { page, problems };
}

/** The page as it is now passes axe at a phone's and a desktop's width, fits the phone, and logged no error. */
async function checkPage(opened: Opened, step: string, expected: string[] = []): Promise<void> {
  const { page, problems } = opened;
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    expect(await horizontalOverflow(page), `${step} at ${width} px`).toBeLessThanOrEqual(0);
    expect(await axeViolations(page), `${step} at ${width} px`).toEqual([]);
    await screens.shoot(page, `${step}-${width}`);
  }
  await page.setViewportSize({ width: 375, height: 800 });
  expect(problems, step).toEqual(expected);
}

async function startAttempt(checkout: { id: string; clientSecret: string }, walletId: string, flow: string) {
  const response = await fetch(`${hub.url}/v1/checkouts/${checkout.id}/attempts`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${checkout.clientSecret}`,
      'content-type': 'application/json',
      'idempotency-key': `${checkout.id}-${walletId}-${flow}`,
    },
    body: JSON.stringify({ walletId, flow }),
  });
  return (await response.json()) as { shareUrl?: string; qrPayload?: string };
}

async function payByQr(wallet: TestParticipant, payload: string, payerRef: string) {
  const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: payload });
  expect(resolved.status, resolved.text).toBe(200);
  const paid = await wallet.call('POST', '/v1/transfers', {
    paymentToken: resolved.body.paymentToken,
    amount: resolved.body.amount,
    currency: resolved.body.currency,
    payer: { ref: payerRef },
  });
  expect(paid.status, paid.text).toBe(201);
  return { resolved: resolved.body, paid: paid.body };
}

describe('hosted checkout in Chromium', () => {
  test('default wallet on top; Other methods → second wallet → QR shown and copied; paid → success page', async () => {
    const checkout = await createCheckout(merchant, { returnUrl: 'https://shop.example/thanks' });
    const opened = await open(checkout.hostedUrl);
    const { page } = opened;
    await page.waitForSelector('#methods .method');
    expect(await page.textContent('#merchant')).toBe('Pay Toko Lintas');
    expect(await page.textContent('.amount')).toBe('CN¥129.90');
    expect(await page.textContent('#lines')).toContain('2 × Oolong tea');
    expect(await page.textContent('#countdown')).toMatch(/Pay within \d+:\d\d/);
    expect(await page.getAttribute('#methods .method', 'data-wallet')).toBe(defaultWallet.id);
    expect(await page.isVisible('#other-methods .method')).toBe(false);
    await checkPage(opened, 'checkout-open');

    await page.click('#other summary');
    await page.click(`#other-methods [data-wallet="${otherWallet.id}"] button[data-flow="qr"]`);
    await page.waitForSelector('#qr img.qr');
    const payload = (await page.getAttribute('#qr', 'data-payload')) ?? '';
    expect(payload).toMatch(/^000201010212/);
    expect(await page.inputValue('#qr-payload')).toBe(payload);
    await page.click('#copy-payload');
    await page.waitForSelector('text=Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(payload);
    await checkPage(opened, 'checkout-qr');

    const { paid } = await payByQr(otherWallet, payload, 'browser-qr-1');
    await page.waitForSelector('#paid', { timeout: 10_000 });
    expect(await page.textContent('#paid')).toContain('You paid CN¥129.90 with Other Wallet.');
    expect(await page.textContent('#receipt-number')).toBe(paid.receiptNumber);
    expect(await page.getAttribute('#back-to-shop', 'href')).toBe('https://shop.example/thanks');
    await checkPage(opened, 'checkout-paid');
  });

  test('opened in a wallet (its parameter, or its user agent), the page offers that wallet first', async () => {
    const checkout = await createCheckout(merchant);
    const [address, fragment] = checkout.hostedUrl.split('#');
    const byParameter = await open(`${address}?wallet=${otherWallet.id}#${fragment}`);
    await byParameter.page.waitForSelector('#methods .method');
    expect(await byParameter.page.getAttribute('#methods .method', 'data-wallet')).toBe(otherWallet.id);
    expect(await byParameter.page.textContent('#methods .badge')).toBe('You are in Other Wallet');
    expect(await byParameter.page.$$eval('#other-methods .method', (rows) => rows.length)).toBe(2);
    const byAgent = await open(checkout.hostedUrl, { userAgent: `Mozilla/5.0 LintasWallet/${thirdWallet.id}` });
    await byAgent.page.waitForSelector('#methods .method');
    expect(await byAgent.page.getAttribute('#methods .method', 'data-wallet')).toBe(thirdWallet.id);
    await checkPage(byAgent, 'checkout-in-wallet');
  });

  test('expired, canceled, unknown and incomplete links each say so, and then ask nothing more', async () => {
    const expiring = await createCheckout(merchant, { expiresInSeconds: 60 });
    const canceled = await createCheckout(merchant);
    expect((await merchant.call('POST', `/v1/checkouts/${canceled.id}/cancel`)).status).toBe(200);
    const incomplete = (await createCheckout(merchant)).hostedUrl.split('#')[0];
    hub.clock.advanceMs(120_000);
    const cases = [
      ['expired', expiring.hostedUrl, 'This checkout has expired'],
      ['canceled', canceled.hostedUrl, 'This checkout was canceled'],
      ['unknown', `${hub.url}/checkout/chk_nothing_here#cs=cs_guess`, 'This checkout cannot be found'],
      ['incomplete', incomplete, 'This link is incomplete'],
    ] as const;
    for (const [name, url, title] of cases) {
      const opened = await open(url);
      await opened.page.waitForSelector(`#${name}`);
      expect(await opened.page.textContent('h1')).toBe(title);
      const asked: string[] = [];
      opened.page.on('request', (request) => asked.push(request.url()));
      await opened.page.waitForTimeout(4_500);
      expect(asked, `${name}: no polling`).toEqual([]);
      // The hub answers a secret it does not know with 401, and Chromium logs every refused request.
      const refused = ['console: Failed to load resource: the server responded with a status of 401 (Unauthorized)'];
      await checkPage(opened, `checkout-${name}`, name === 'unknown' ? refused : []);
    }
  });
});

describe('friend pay in Chromium', () => {
  test('Ask a friend with a note → the share page shows it, the items and every wallet; a third wallet pays', async () => {
    const checkout = await createCheckout(merchant, { buyerId: 'buyer-secret-name' });
    const buyer = await open(checkout.hostedUrl);
    await buyer.page.waitForSelector('#methods .method');
    await buyer.page.click(`#methods [data-wallet="${defaultWallet.id}"] button[data-flow="friend_pay"]`);
    await buyer.page.fill('#note', 'Tea for the office, thank you!');
    await checkPage(buyer, 'checkout-friend-note');
    await buyer.page.click('#note-form button[type="submit"]');
    const shareUrl = await (await buyer.page.waitForSelector('#share-url')).inputValue();
    expect(shareUrl).toMatch(/\/share\/sh_/);

    const friend = await open(shareUrl);
    await friend.page.waitForSelector('#wallets .method');
    expect(await friend.page.textContent('#note')).toBe('Tea for the office, thank you!');
    expect(await friend.page.textContent('#merchant')).toBe('Toko Lintas, Shanghai');
    expect(await friend.page.textContent('#lines')).toContain('1 × Courier');
    const wallets = await friend.page.$$eval('#wallets .method', (rows) =>
      rows.map((row) => row.getAttribute('data-wallet')),
    );
    expect(wallets.sort()).toEqual([defaultWallet.id, otherWallet.id, thirdWallet.id].sort());
    expect(await friend.page.content()).not.toContain('buyer-secret-name');
    await checkPage(friend, 'share-open');

    const payload =
      (await friend.page.getAttribute(`#wallets [data-wallet="${thirdWallet.id}"]`, 'data-payload')) ?? '';
    await payByQr(thirdWallet, payload, 'friend-1');
    await buyer.page.waitForSelector('#paid', { timeout: 10_000 });
    expect(await buyer.page.textContent('#paid')).toContain('Third Wallet');
    await friend.page.reload();
    await friend.page.waitForSelector('text=This order is paid');
    await checkPage(friend, 'share-paid');
  });

  test("a chat app's link preview: Open Graph and Twitter tags with the merchant, the amount and the note", async () => {
    const checkout = await createCheckout(merchant);
    const attempt = await startAttempt(checkout, otherWallet.id, 'friend_pay');
    const html = await fetch(attempt.shareUrl ?? '', { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } }).then(
      (response) => response.text(),
    );
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta property="og:title" content="向Toko Lintas, Shanghai支付 ¥129.90">');
    expect(html).toContain('<meta name="twitter:card" content="summary">');
    expect(html).toContain('<meta property="og:description" content="朋友请您为这笔订单付款。">');
  });
});

describe('every page in Chinese and in Indonesian', () => {
  test.each([
    ['zh-CN', 'zh-CN', '¥129.90'],
    ['id', 'id-ID', 'CN¥129,90'],
  ] as const)(
    '%s: the right lang, no English string left, amounts as its readers write them',
    async (language, locale, amount) => {
      const checkout = await createCheckout(merchant);
      const attempt = await startAttempt(checkout, thirdWallet.id, 'friend_pay');
      const pages = [
        ['home', `${hub.url}/`, '.pages'],
        ['checkout', checkout.hostedUrl, '#methods .method'],
        ['share', attempt.shareUrl ?? '', '#wallets .method'],
        ['incomplete', checkout.hostedUrl.split('#')[0] ?? '', '#incomplete'],
      ] as const;
      for (const [name, url, ready] of pages) {
        const opened = await open(url, { locale });
        await opened.page.waitForSelector(ready);
        expect(await opened.page.getAttribute('html', 'lang'), name).toBe(language);
        const text = (await opened.page.evaluate('document.body.innerText')) as string;
        expect(englishLeft(text, { english: catalogues.en, own: catalogues[language] }), name).toEqual([]);
        if (name === 'checkout') {
          expect(await opened.page.textContent('.amount')).toBe(amount);
          await opened.page.click('#other summary');
        }
        await checkPage(opened, `${name}-${language}`);
      }
    },
  );

  test('the switcher changes the language at once and keeps the choice', async () => {
    const opened = await open(`${hub.url}/`);
    await opened.page.waitForSelector('.pages');
    await opened.page.selectOption('#language', 'id');
    await expect.poll(() => opened.page.getAttribute('html', 'lang')).toBe('id');
    expect(await opened.page.textContent('h1')).toBe('Switch pembayaran Lintas');
    await opened.page.reload();
    await opened.page.waitForSelector('.pages');
    expect(await opened.page.getAttribute('html', 'lang')).toBe('id');
  });
});

describe('the index, the icon and the assets', () => {
  test('GET / lists the pages; /favicon.ico is an icon; a built file is cached for good', async () => {
    const opened = await open(`${hub.url}/`);
    await opened.page.waitForSelector('.pages');
    expect(await opened.page.$$eval('.pages a', (links) => links.map((link) => link.getAttribute('href')))).toEqual([
      '/shop',
      '/demo',
      '/till',
      '/docs',
      '/health',
    ]);
    await checkPage(opened, 'home');
    const icon = await fetch(`${hub.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    expect([...new Uint8Array(await icon.arrayBuffer()).slice(0, 4)]).toEqual([0, 0, 1, 0]);
    const html = await fetch(`${hub.url}/`).then((response) => response.text());
    const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1] ?? '';
    const asset = await fetch(`${hub.url}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${hub.url}/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});
