import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, axeViolations, launchChromium, startTestHub, testEngine } from '../testing/index.ts';

/**
 * The reference page at `/docs` in Debian's Chromium: it renders under the
 * hub's Content-Security-Policy (not one refusal), offers to authenticate
 * with each bearer scheme, and axe finds no violation at a phone's width and
 * a desktop's.
 */
let hub: TestHub;
let browser: Browser;

// The page renders /openapi.json, which is the same document on either engine (openapi.test.ts proves it on both).
const onSqlite = testEngine() === 'sqlite';
if (!onSqlite)
  console.log('skipped on PostgreSQL, by design: /docs renders the same document as on SQLite, tested there');

beforeAll(async () => {
  if (!onSqlite) return;
  hub = await startTestHub();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

async function openDocs(width: number): Promise<{ page: Page; refusals: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) refusals.push(message.text());
  });
  await page.goto(`${hub.url}/docs`);
  // The document is large (every operation, its problems and examples): under load it renders in tens of seconds.
  await page.waitForSelector('.swagger-ui .opblock', { timeout: 60_000 });
  return { page, refusals };
}

describe.skipIf(!onSqlite)('/docs', () => {
  test.each([375, 1280])(
    'at %i px it renders under the CSP and axe finds no violation',
    async (width) => {
      const { page, refusals } = await openDocs(width);
      expect(await axeViolations(page)).toEqual([]);
      await page.click('.opblock-tag-section .opblock-summary >> nth=0');
      await page.waitForSelector('.opblock-body');
      expect(await axeViolations(page)).toEqual([]);
      expect(refusals).toEqual([]);
      await page.close();
    },
    180_000,
  );

  test('Authorize takes the operator token, and Try it out sends it: the page authenticates', async () => {
    const { page } = await openDocs(1280);
    await page.click('button.authorize');
    await page.waitForSelector('.auth-container');
    const names = await page.$$eval('.auth-container h4', (headings) => headings.map((one) => one.textContent ?? ''));
    expect(names.join(' ')).toMatch(/operatorBearer.*merchantKey.*checkoutClientSecret.*participantSignature/s);
    expect(await axeViolations(page)).toEqual([]);
    const operator = page.locator('.auth-container', { hasText: 'operatorBearer' });
    await operator.locator('input').fill(hub.operatorToken);
    await operator.locator('button.authorize').click();
    await page.click('button.btn-done');
    await page.click('#operations-participants-get_v1_participants .opblock-summary-control');
    await page.click('#operations-participants-get_v1_participants .try-out__btn');
    await page.click('#operations-participants-get_v1_participants .execute');
    const status = page.locator(
      '#operations-participants-get_v1_participants .live-responses-table tr.response .response-col_status',
    );
    await expect.poll(() => status.first().textContent(), { timeout: 20_000 }).toBe('200');
    await page.close();
  }, 180_000);
});
