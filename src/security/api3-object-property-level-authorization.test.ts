import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ApiResponse } from '../testing/index.ts';
import { buyerOf } from '../testing/world.ts';
import { type SecurityWorld, expectProblem, startSecurityWorld } from './world.test-support.ts';

/**
 * OWASP API3:2023, Broken Object Property Level Authorization. A client
 * cannot set what the hub decides (status, fees, positions, ids, times,
 * owners): unknown fields are refused with a 400 naming each one, and
 * nothing changes. An answer carries no secret but the one it shows once,
 * no hash and no internal field (no column names, no sealed values).
 */
let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});
afterAll(async () => {
  await world?.hub.stop();
});

function expectFieldsRefused(response: ApiResponse, pointers: string[]): void {
  expectProblem(response, 400, 'invalid_request');
  const named = response.body.errors.map((error: { pointer: string }) => error.pointer);
  for (const pointer of pointers) expect(named, response.text).toContain(pointer);
}

describe('clients cannot set what the hub decides', () => {
  test('a checkout with its own status, id, payment or fees', async () => {
    const response = await world.merchantA.call('POST', '/v1/checkouts', {
      amount: 1_000,
      currency: 'CNY',
      reference: 'prop-1',
      buyerId: 'b',
      status: 'paid',
      id: 'chk_mine',
      paidAt: '2026-01-01T00:00:00Z',
      transferId: 'trf_x',
      fees: { interchange: 0 },
      merchantId: world.merchantB.id,
    });
    expectFieldsRefused(response, ['/status', '/id', '/paidAt', '/transferId', '/fees', '/merchantId']);
  });

  test('a transfer with its own fees, status, window or payee', async () => {
    const response = await world.walletX.call('POST', '/v1/transfers', {
      paymentToken: 'pt_none',
      amount: 100,
      currency: 'CNY',
      payer: { ref: 'prop-2', participantId: world.walletY.id },
      fees: { interchange: -100 },
      status: 'committed',
      windowId: 'win_old',
      payeeId: world.acquirerA.id,
    });
    expectFieldsRefused(response, ['/fees', '/status', '/windowId', '/payeeId', '/payer/participantId']);
  });

  test('a participant that admits itself, or sets its own position', async () => {
    const admitted = await world.operator('POST', '/v1/participants', {
      name: 'Self Admitted',
      roles: ['issuer'],
      currencies: ['CNY'],
      callbackUrl: 'http://127.0.0.1:9/cb',
      status: 'active',
      id: 'par_mine',
      approvedAt: '2026-01-01T00:00:00Z',
    });
    expectFieldsRefused(admitted, ['/status', '/id', '/approvedAt']);
    const limits = await world.operator('PUT', `/v1/participants/${world.walletX.id}/limits`, {
      currency: 'CNY',
      netDebitCap: 1,
      prefunding: 0,
      position: 1_000_000,
      reserved: 0,
    });
    expectFieldsRefused(limits, ['/position', '/reserved']);
  });

  test('a merchant that moves itself to another acquirer, or changes its own status or key', async () => {
    const patched = await world.acquirerA.call('PATCH', `/v1/merchants/${world.merchantA.id}`, {
      acquirerId: world.acquirerB.id,
      status: 'active',
      secretKey: 'sk_mine',
      keyRotatedAt: null,
    });
    expectFieldsRefused(patched, ['/acquirerId', '/status', '/secretKey', '/keyRotatedAt']);
    const merchant = await world.acquirerA.call('GET', `/v1/merchants/${world.merchantA.id}`);
    expect(merchant.body.acquirerId).toBe(world.acquirerA.id);
  });

  test('a refund that names its own issuer or amount returned', async () => {
    const response = await world.merchantA.call('POST', '/v1/refunds', {
      transferId: world.paidA.transfer.id,
      amount: 100,
      reason: 'prop',
      issuerId: world.walletY.id,
      interchangeReturned: 0,
    });
    expectFieldsRefused(response, ['/issuerId', '/interchangeReturned']);
  });
});

/** Every key, at any depth, of a JSON answer. */
function keysOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) keysOf(item, found);
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      found.push(key);
      keysOf(inner, found);
    }
  return found;
}

const internal = /_|hash|sealed|password|privateKey|^d$|^secret$|^secretKey$|^clientSecret$/i;

describe('answers carry no secret, hash or internal field', () => {
  test.each([
    [
      'the operator',
      () => world.operator,
      ['/v1/participants', `/v1/participants/${'X'}`, '/v1/merchants', '/v1/audit-events?limit=100'],
    ],
    [
      'an acquirer',
      () => world.acquirerA.call,
      ['/v1/merchants', `/v1/merchants/${'A'}`, '/v1/transfers', '/v1/events'],
    ],
    [
      'a merchant',
      () => world.merchantA.call,
      ['/v1/merchant', '/v1/checkouts', '/v1/payments', '/v1/webhook-endpoints'],
    ],
  ] as const)('as %s', async (_label, callerOf, paths) => {
    const call = callerOf();
    for (const template of paths) {
      const path = template.replace(`/${'X'}`, `/${world.walletX.id}`).replace(`/${'A'}`, `/${world.merchantA.id}`);
      const response = await call('GET', path);
      expect(response.status, `${path}: ${response.text}`).toBe(200);
      const leaked = keysOf(response.body).filter((key) => internal.test(key));
      expect(leaked, path).toEqual([]);
      expect(response.text, path).not.toContain(world.merchantA.secretKey);
      expect(response.text, path).not.toContain(world.paidA.checkout.clientSecret);
    }
  });

  test('a checkout read back by its merchant or buyer does not show its client secret again', async () => {
    const byMerchant = await world.merchantA.call('GET', `/v1/checkouts/${world.paidA.checkout.id}`);
    const byBuyer = await buyerOf(world.hub, world.paidA.checkout)('GET', `/v1/checkouts/${world.paidA.checkout.id}`);
    for (const response of [byMerchant, byBuyer]) {
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(world.paidA.checkout.clientSecret);
      expect(keysOf(response.body)).not.toContain('clientSecret');
    }
  });

  test("a buyer sees the checkout's methods, not its merchant's acquirer or the wallet's fees", async () => {
    const byBuyer = await buyerOf(world.hub, world.paidA.checkout)('GET', `/v1/checkouts/${world.paidA.checkout.id}`);
    expect(keysOf(byBuyer.body)).not.toContain('fees');
    expect(keysOf(byBuyer.body)).not.toContain('acquirerId');
  });

  test('a webhook secret is shown once, at creation, and never again', async () => {
    const created = await world.merchantA.call('POST', '/v1/webhook-endpoints', {
      url: 'http://127.0.0.1:9/a',
      events: ['*'],
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.headers.get('cache-control')).toContain('no-store');
    const read = await world.merchantA.call('GET', `/v1/webhook-endpoints/${created.body.id}`);
    expect(read.text).not.toContain(created.body.secret);
  });
});
