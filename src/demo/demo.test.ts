import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { catalogues } from '../../web/shared/i18n.ts';
import {
  type LintasProcess,
  axeViolations,
  createTestDatabase,
  englishLeft,
  ensurePagesBuilt,
  freePort,
  horizontalOverflow,
  launchChromium,
  screenshotFolder,
  spawnLintas,
  watchPage,
} from '../testing/index.ts';

const startTimeoutMs = 30_000;

let demo: LintasProcess;
let browser: Browser;
let baseUrl: string;
let dataDir: string;
let dropDatabase: () => Promise<void>;

const screens = screenshotFolder('demo');
type DemoFile = { merchant: { id: string; secretKey: string } };
type Opened = { page: Page; problems: string[] };
const contexts: BrowserContext[] = [];

/** A page in a fresh browser profile at a phone's width, in one language. */
async function openPage(url: string, locale = 'en-US'): Promise<Opened> {
  const context = await browser.newContext({ locale, viewport: { width: 375, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  const problems = await watchPage(page);
  await page.goto(url);
  return { page, problems };
}

/** axe finds nothing at 375 and 1280 px, the page fits a phone, and it logged no error. */
async function checkPage(opened: Opened, step: string): Promise<void> {
  for (const width of [375, 1280]) {
    await opened.page.setViewportSize({ width, height: 800 });
    expect(await horizontalOverflow(opened.page), `${step} at ${width} px`).toBeLessThanOrEqual(0);
    expect(await axeViolations(opened.page), `${step} at ${width} px`).toEqual([]);
    await screens.shoot(opened.page, `${step}-${width}`);
  }
  await opened.page.setViewportSize({ width: 375, height: 800 });
  expect(opened.problems, step).toEqual([]);
}

beforeAll(async () => {
  ensurePagesBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'lintas-demo-'));
  const database = await createTestDatabase();
  dropDatabase = database.drop;
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_DATA_DIR: dataDir, LINTAS_LOG_LEVEL: 'warn' };
  delete env.LINTAS_OPERATOR_TOKEN;
  demo = spawnLintas(['demo', '--port', String(port), '--db', database.location], env);
  await demo.waitFor(/\/demo/, startTimeoutMs);
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await demo?.stop();
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`demo: screenshots of every step in ${screens.folder}`);
});

describe('npm start: the demo', () => {
  test('keeps its keys in a 0600 file', () => {
    expect(statSync(join(dataDir, 'demo.json')).mode & 0o777).toBe(0o600);
  });

  test('a buyer checks out, switches to Beta Wallet, approves there, is sent back, and the checkout is paid', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(`${baseUrl}/demo`);
    await page.click('text=Buy 2 × Oolong tea');
    await page.waitForURL(/\/checkout\/chk_/);
    await expect.poll(() => page.textContent('.amount')).toContain('129.90');
    const checkoutUrl = page.url().split('#')[0] ?? '';
    expect(await page.textContent('#methods .method .name')).toContain('Lintas Pay');
    await screens.shoot(page, 'checkout');
    await page.click('#other summary');
    await page.click('#other-methods .method:has-text("Beta Wallet") button[data-flow="app_switch"]');
    await page.waitForSelector('#deep-link');
    await screens.shoot(page, 'app-switch');
    await page.click('#deep-link');
    await page.waitForSelector('#approve');
    expect(page.url()).toContain('/wallet/beta-wallet?token=');
    expect(await page.textContent('main')).toContain('Toko Lintas');
    await screens.shoot(page, 'wallet-approve');
    await page.click('#approve');
    await page.waitForSelector('#done');
    const receipt = await page.textContent('#receipt-number');
    expect(receipt).toMatch(/^\d{12}$/);
    await screens.shoot(page, 'wallet-paid');
    await page.click('#back');
    await page.waitForURL(`${baseUrl}/demo`);
    // The wallet's in-app return, to the checkout's plain address: the tab still holds its client secret.
    await page.goto(checkoutUrl);
    await page.waitForSelector('#paid');
    expect(await page.textContent('#paid')).toContain('Beta Wallet');
    expect(await page.textContent('#receipt-number')).toBe(receipt);
    await screens.shoot(page, 'checkout-paid');
    await page.close();
  });

  test('the QR of "Scan with the app", paid in the wallet app once by pasting it and once by its picture', async () => {
    for (const how of ['paste', 'picture'] as const) {
      const buyer = await openPage(`${baseUrl}/demo`);
      await buyer.page.click('text=Buy 2 × Oolong tea');
      await buyer.page.click('#other summary');
      await buyer.page.click('#other-methods .method:has-text("Beta Wallet") button[data-flow="qr"]');
      const qr = await buyer.page.waitForSelector('#qr img.qr');
      const payload = (await buyer.page.getAttribute('#qr', 'data-payload')) ?? '';
      const wallet = await openPage(`${baseUrl}/wallet/beta-wallet`);
      await wallet.page.waitForSelector('#payload');
      await checkPage(wallet, 'wallet-scan');
      if (how === 'paste') {
        await wallet.page.fill('#payload', payload);
        await wallet.page.click('#read-code');
      } else {
        const picture = await qr.screenshot();
        await wallet.page.setInputFiles('#picture', { name: 'qr.png', mimeType: 'image/png', buffer: picture });
      }
      await wallet.page.waitForSelector('#approve');
      expect(await wallet.page.textContent('.amount')).toBe('CN¥129.90');
      await checkPage(wallet, `wallet-confirm-${how}`);
      await wallet.page.click('#approve');
      await wallet.page.waitForSelector('#done');
      await checkPage(wallet, `wallet-done-${how}`);
      await buyer.page.waitForSelector('#paid', { timeout: 10_000 });
      expect(await buyer.page.textContent('#paid')).toContain('Beta Wallet');
      await screens.shoot(buyer.page, `checkout-paid-by-${how}`);
    }
  }, 90_000);

  test('a static placard: the wallet app reads its picture, asks the amount, and pays what was typed', async () => {
    const state = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
    const placard = await fetch(`${baseUrl}/v1/merchants/${state.merchant.id}/placard?format=png`, {
      headers: { authorization: `Bearer ${state.merchant.secretKey}` },
    });
    expect(placard.status).toBe(200);
    const wallet = await openPage(`${baseUrl}/wallet/beta-wallet`, 'id-ID');
    await wallet.page.waitForSelector('#picture');
    const buffer = Buffer.from(await placard.arrayBuffer());
    await wallet.page.setInputFiles('#picture', { name: 'placard.png', mimeType: 'image/png', buffer });
    await wallet.page.waitForSelector('#amount');
    expect(await wallet.page.textContent('label[for="amount"]')).toBe('Jumlah yang dibayar (CNY)');
    await checkPage(wallet, 'wallet-placard-amount');
    await wallet.page.fill('#amount', '15,5');
    await wallet.page.click('#approve');
    await wallet.page.waitForSelector('#done');
    expect(await wallet.page.textContent('#done .ok')).toBe('Terbayar CN¥15,50.');
    await checkPage(wallet, 'wallet-placard-paid');
  });

  test('the till: signed in with the merchant key, it charges a payment code and shows a QR a wallet pays', async () => {
    const state = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
    const till = await openPage(`${baseUrl}/till`);
    await till.page.waitForSelector('#merchant-key');
    await checkPage(till, 'till-sign-in');
    await till.page.fill('#merchant-key', state.merchant.secretKey);
    await till.page.click('#sign-in button[type="submit"]');
    await till.page.waitForSelector('#charge-form');
    await till.page.fill('#payment-code', '6200 0000 0000 0077');
    await till.page.fill('#charge-amount', '15');
    await till.page.click('#charge-form button[type="submit"]');
    await till.page.waitForSelector('#charge-result[data-status="succeeded"]', { timeout: 10_000 });
    expect(await till.page.textContent('#charge-status')).toBe('Paid CN¥15.00');
    expect(await till.page.textContent('#charge-receipt')).toMatch(/^\d{12}$/);
    await checkPage(till, 'till-charged');

    await till.page.fill('#qr-amount', '20');
    await till.page.click('#qr-form button[type="submit"]');
    await till.page.waitForSelector('#till-qr img.qr');
    const payload = (await till.page.getAttribute('#till-qr', 'data-payload')) ?? '';
    await checkPage(till, 'till-qr');
    const wallet = await openPage(`${baseUrl}/wallet/beta-wallet`);
    await wallet.page.fill('#payload', payload);
    await wallet.page.click('#read-code');
    await wallet.page.click('#approve');
    await wallet.page.waitForSelector('#done');
    await till.page.waitForSelector('#till-qr-status.ok', { timeout: 10_000 });
    expect(await till.page.textContent('#till-qr-status')).toBe('Paid');
    await checkPage(till, 'till-qr-paid');
  }, 90_000);

  test('the shop: products by shelf, a cart, and its checkout on the hosted page', async () => {
    const shop = await openPage(`${baseUrl}/shop`);
    await shop.page.waitForSelector('.product');
    expect(await shop.page.$$eval('.shelf h2', (titles) => titles.map((title) => title.textContent))).toEqual([
      'Tea',
      'Teaware',
      'Snacks',
    ]);
    await checkPage(shop, 'shop-empty');
    await shop.page.click('[data-sku="TEA-OOLONG"] button');
    await shop.page.click('[data-sku="TEA-OOLONG"] button');
    await shop.page.click('[data-sku="SNACK-MOONCAKE"] button');
    expect(await shop.page.textContent('#cart-total')).toBe('CN¥142.40');
    await checkPage(shop, 'shop-cart');
    await shop.page.click('#check-out');
    await shop.page.waitForSelector('#methods .method');
    expect(await shop.page.textContent('.amount')).toBe('CN¥142.40');
    expect(await shop.page.textContent('#lines')).toContain('1 × Mooncake');
    await screens.shoot(shop.page, 'shop-checkout');
  });

  test.each([
    ['zh-CN', 'zh-CN'],
    ['id', 'id-ID'],
  ] as const)(
    '%s: the shop, the wallet app and the till, with no English left',
    async (language, locale) => {
      for (const [name, path, ready] of [
        ['shop', '/shop', '.product'],
        ['wallet', '/wallet/beta-wallet', '#payload'],
        ['till', '/till', '#merchant-key'],
      ] as const) {
        const opened = await openPage(`${baseUrl}${path}`, locale);
        await opened.page.waitForSelector(ready);
        expect(await opened.page.getAttribute('html', 'lang'), name).toBe(language);
        const text = (await opened.page.evaluate('document.body.innerText')) as string;
        expect(englishLeft(text, { english: catalogues.en, own: catalogues[language] }), name).toEqual([]);
        await checkPage(opened, `${name}-${language}`);
      }
    },
    60_000,
  );

  test('a Beta Wallet payment code at the till: the demo wallet approves it and the charge succeeds', async () => {
    const state = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { merchant: { secretKey: string } };
    const response = await fetch(`${baseUrl}/v1/pos/charges`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${state.merchant.secretKey}`,
        'content-type': 'application/json',
        'idempotency-key': 'demo-till-1',
      },
      body: JSON.stringify({ paymentCode: '6200000000000042', amount: 1_500, currency: 'CNY', reference: 'counter-1' }),
    });
    const charge = (await response.json()) as { receiptNumber: string };
    expect(response.status, JSON.stringify(charge)).toBe(201);
    expect(charge).toMatchObject({ status: 'succeeded', amount: 1_500, paymentCodeLast4: '0042' });
    expect(charge.receiptNumber).toMatch(/^\d{12}$/);
  });

  test('Gamma Wallet has not approved the merchant yet: it is not offered', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/demo`);
    await page.click('text=Buy 2 × Oolong tea');
    await page.waitForSelector('#methods .method');
    expect(await page.textContent('#methods-card')).not.toContain('Gamma Wallet');
    await page.close();
  });
});
