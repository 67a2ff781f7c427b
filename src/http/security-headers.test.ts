import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ApiResponse,
  type TestHub,
  type TestParticipant,
  bearerClient,
  createParticipant,
  ensurePagesBuilt,
  failAnswerStorage,
  launchChromium,
  startTestHub,
} from '../testing/index.ts';
import { type TestMerchant, approveChannel, createMerchant, createWallet } from '../testing/world.ts';

let hub: TestHub;
let wallet: TestParticipant;
let merchant: TestMerchant;
let browser: Browser;

beforeAll(async () => {
  ensurePagesBuilt();
  hub = await startTestHub();
  wallet = await createParticipant(hub);
  merchant = await createMerchant(hub, wallet);
  await approveChannel(merchant, await createWallet(hub, 'Other Wallet'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const apiPolicy = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";
const pagePolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
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
  ['the index of pages', get('/'), 200, pagePolicy],
  ['the till', get('/till'), 200, pagePolicy],
  ['the icon', get('/favicon.ico'), 200, apiPolicy],
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

  test('a hosted page keeps its own policy, one CSP, and carries no inline script or style for it to allow', async () => {
    const response = await fetch(`${hub.url}/checkout/chk_anything`);
    expect(response.headers.get('content-security-policy')).toBe(pagePolicy);
    const html = await response.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((match) => match[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts)
      expect(attributes).toMatch(/ src="\/assets\/[\w.-]+\.js"| type="application\/json"/);
    expect(html).not.toMatch(/<style|style="/);
  });
});

const merchantFields = { name: 'Toko', mcc: '5732', city: 'Shanghai', country: 'CN', currency: 'CNY' };
const checkoutFields = {
  amount: 1_000,
  currency: 'CNY',
  reference: 'no-store-1',
  buyerId: 'buyer-1',
  lines: [{ kind: 'product', name: 'Tea', quantity: 1, unitAmount: 1_000 }],
};

/** Every route whose answer shows a secret once: what calls it with an idempotency key, and the secret's field. */
const secretAnswers: [route: string, call: (key: string) => Promise<ApiResponse>, field: string][] = [
  [
    'POST /v1/merchants',
    (key) => wallet.call('POST', '/v1/merchants', merchantFields, { idempotencyKey: key }),
    'secretKey',
  ],
  [
    'POST /v1/merchants/:id/rotate-key',
    (key) => wallet.call('POST', `/v1/merchants/${merchant.id}/rotate-key`, undefined, { idempotencyKey: key }),
    'secretKey',
  ],
  [
    'POST /v1/webhook-endpoints',
    (key) =>
      asMerchant()(
        'POST',
        '/v1/webhook-endpoints',
        { url: 'http://127.0.0.1:9/hooks', events: ['*'] },
        { idempotencyKey: key },
      ),
    'secret',
  ],
  [
    'POST /v1/webhook-endpoints/:id/rotate-secret',
    async (key) => {
      const call = asMerchant();
      endpointId ??= (await call('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/h', events: ['*'] })).body
        .id;
      return call('POST', `/v1/webhook-endpoints/${endpointId}/rotate-secret`, undefined, { idempotencyKey: key });
    },
    'secret',
  ],
  [
    'POST /v1/checkouts',
    (key) => asMerchant()('POST', '/v1/checkouts', checkoutFields, { idempotencyKey: key }),
    'clientSecret',
  ],
];

/** The merchant's key as it is now: a row above rotates it. */
let rotatedKey: string | undefined;
const asMerchant = () => bearerClient(hub, rotatedKey ?? merchant.secretKey);
let endpointId: string | undefined;

describe('Cache-Control: no-store on answers that show a secret once', () => {
  test.each(secretAnswers)('%s: the answer and its replay', async (route, call, field) => {
    const key = `no-store-${route}`;
    const first = await call(key);
    expect(first.status, first.text).toBeLessThan(300);
    expect(first.body[field]).toEqual(expect.any(String));
    if (route.endsWith('rotate-key')) rotatedKey = first.body.secretKey;
    expect(first.headers.get('cache-control')).toBe('no-store');
    const replay = await call(key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body[field]).toBe(first.body[field]);
    expect(replay.headers.get('cache-control')).toBe('no-store');
  });

  test('also when the answer is rebuilt from the effect, and on a refusal', async () => {
    const lift = await failAnswerStorage(hub);
    try {
      const first = await wallet.call('POST', '/v1/merchants', merchantFields, { idempotencyKey: 'rebuilt-1' });
      const rebuilt = await wallet.call('POST', '/v1/merchants', merchantFields, { idempotencyKey: 'rebuilt-1' });
      expect(rebuilt.headers.get('idempotent-replayed')).toBe('true');
      expect(rebuilt.body.secretKey).toBe(first.body.secretKey);
      expect(rebuilt.headers.get('cache-control')).toBe('no-store');
    } finally {
      await lift();
    }
    const refused = await wallet.call('POST', '/v1/merchants', { name: 'no fields' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  test('an answer without a secret is left to the usual caching rules', async () => {
    const read = await asMerchant()('GET', '/v1/webhook-endpoints');
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBeNull();
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
