import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type LintasProcess,
  createTestDatabase,
  ensurePagesBuilt,
  freePort,
  launchChromium,
  screenshotFolder,
  spawnLintas,
} from '../testing/index.ts';

const startTimeoutMs = 30_000;

let demo: LintasProcess;
let browser: Browser;
let baseUrl: string;
let dataDir: string;
let dropDatabase: () => Promise<void>;

const screens = screenshotFolder('demo');

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
    await page.waitForSelector('text=Approve payment');
    expect(await page.textContent('main')).toContain('Toko Lintas');
    await screens.shoot(page, 'wallet-approve');
    await page.click('text=Approve payment');
    await page.waitForSelector('.ok');
    const receipt = /Receipt number\s+(\d{12})/.exec((await page.textContent('.ok')) ?? '')?.[1];
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
