import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type TestHub,
  type TestParticipant,
  createParticipant,
  launchChromium,
  startTestHub,
} from '../testing/index.ts';

let hub: TestHub;
let wallet: TestParticipant;
let browser: Browser;

beforeAll(async () => {
  hub = await startTestHub();
  wallet = await createParticipant(hub);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const apiPolicy = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";
const pagePolicy = /^default-src 'none'; connect-src 'self'; .*script-src 'nonce-[A-Za-z0-9+/=]+'/;
const docsPolicy = /^default-src 'self'; .*script-src 'self'; .*frame-ancestors 'none'$/;

type Answer = () => Promise<Response>;
const get =
  (path: string, headers: Record<string, string> = {}): Answer =>
  () =>
    fetch(`${hub.url}${path}`, { headers });

/** One row per kind of answer: what asks for it, its status, and the CSP it carries. */
const answers: [kind: string, answer: Answer, status: number, policy: string | RegExp][] = [
  ['API JSON', get('/v1/hub/keys'), 200, apiPolicy],
  ['a problem: unauthenticated', get('/v1/participants', { authorization: 'Bearer wrong' }), 401, apiPolicy],
  ['a problem: no route', get('/v1/nowhere'), 404, apiPolicy],
  [
    'a problem: invalid JSON',
    () =>
      fetch(`${hub.url}/v1/participants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hub.operatorToken}`, 'content-type': 'application/json' },
        body: '{',
      }),
    400,
    apiPolicy,
  ],
  ['/health', get('/health'), 200, apiPolicy],
  ['/metrics', get('/metrics'), 200, apiPolicy],
  ['/openapi.json', get('/openapi.json'), 200, apiPolicy],
  ['/docs', get('/docs'), 200, docsPolicy],
  ['/docs script', get('/docs/static/swagger-ui-bundle.js'), 200, docsPolicy],
  ['hosted checkout page', get('/checkout/chk_anything'), 200, pagePolicy],
  ['share page', get('/share/anything'), 200, pagePolicy],
];

describe('security headers (helmet) on every answer', () => {
  test.each(answers)('%s', async (_kind, answer, status, policy) => {
    const response = await answer();
    expect(response.status).toBe(status);
    const headers = response.headers;
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('content-security-policy')).toEqual(
      typeof policy === 'string' ? policy : expect.stringMatching(policy),
    );
  });

  test('a CSV statement carries them too', async () => {
    const csv = await wallet.call('GET', '/v1/statements?from=2020-01-01&format=csv');
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get('x-content-type-options')).toBe('nosniff');
    expect(csv.headers.get('content-security-policy')).toBe(apiPolicy);
  });

  test("a hosted page keeps its own policy: one CSP, whose nonce is its script's", async () => {
    const response = await fetch(`${hub.url}/checkout/chk_anything`);
    const policy = response.headers.get('content-security-policy') ?? '';
    const html = await response.text();
    const nonce = /<script nonce="([^"]+)">/.exec(html)?.[1];
    expect(nonce).toBeDefined();
    expect(policy).toContain(`script-src 'nonce-${nonce}'`);
    expect(policy).not.toContain(',');
    expect((await fetch(`${hub.url}/checkout/chk_anything`)).headers.get('content-security-policy')).not.toBe(policy);
  });
});

describe('/docs in Chromium', () => {
  test('swagger-ui renders the hub API under its CSP, with no violation', async () => {
    const page = await browser.newPage();
    // Page scripts, as text: this file is compiled without the DOM's types.
    await page.addInitScript(
      "window.cspViolations = []; document.addEventListener('securitypolicyviolation', " +
        "(event) => window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));",
    );
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${hub.url}/docs`);
    await page.waitForSelector('.swagger-ui .info .title');
    expect(await page.textContent('.swagger-ui .info .title')).toContain('Lintas hub');
    await page.waitForSelector('.opblock-tag');
    expect(await page.$$eval('.opblock-tag', (tags) => tags.length)).toBeGreaterThan(5);
    expect(await page.evaluate('window.cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
