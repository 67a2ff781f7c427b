import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ApiResponse, bearerClient } from '../testing/index.ts';
import { buyerOf } from '../testing/world.ts';
import { type SecurityWorld, expectProblem, startSecurityWorld } from './world.test-support.ts';

/**
 * OWASP API5:2023, Broken Function Level Authorization. Each route names
 * who may call it; anyone else who proves who they are gets `403 forbidden`
 * before the body is even validated, and nothing changes: a merchant key or
 * a participant on the operator's routes, a buyer's secret on a merchant's,
 * a merchant on a wallet's.
 */
let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});
afterAll(async () => {
  await world?.hub.stop();
});

type Call = (method: string, path: string, body?: unknown) => Promise<ApiResponse>;

/** The operator's routes, with a body its schema would take. */
const operatorRoutes = (): [string, string, unknown?][] => [
  ['POST', '/v1/participants', { name: 'Rogue', roles: ['issuer'], currencies: ['CNY'], callbackUrl: 'http://a.b/c' }],
  ['GET', '/v1/participants'],
  ['POST', `/v1/participants/${world.walletY.id}/suspend`, {}],
  ['POST', `/v1/participants/${world.walletY.id}/approve`, {}],
  ['PUT', `/v1/participants/${world.walletX.id}/limits`, { currency: 'CNY', netDebitCap: 10 ** 12, prefunding: 0 }],
  ['PUT', `/v1/participants/${world.walletX.id}/rate-limit`, { requestsPerMinute: 100_000_000 }],
  [
    'PUT',
    '/v1/fee-schedules/CNY',
    {
      interchange: { bps: 0 },
      issuerSwitchFee: { bps: 0 },
      acquirerSwitchFee: { bps: 0 },
      merchantDiscount: { bps: 0 },
    },
  ],
  ['POST', '/v1/settlement-windows/close', {}],
];

async function expectForbidden(call: Call, routes: [string, string, unknown?][]): Promise<void> {
  for (const [method, path, body] of routes) {
    const response = await call(method, path, body);
    try {
      expectProblem(response, 403, 'forbidden');
    } catch (error) {
      throw new Error(`${method} ${path}: ${(error as Error).message}`);
    }
  }
}

describe("the operator's routes", () => {
  test('a merchant key is forbidden on every one', async () => {
    await expectForbidden(world.merchantA.call, operatorRoutes());
  });

  test('a participant is forbidden on every one', async () => {
    await expectForbidden(world.walletX.call, operatorRoutes());
  });

  test("a buyer's client secret is forbidden on every one", async () => {
    await expectForbidden(buyerOf(world.hub, world.paidA.checkout), operatorRoutes());
  });

  test('nothing changed: no participant, window or fee came of it', async () => {
    const participants = await world.operator('GET', '/v1/participants?limit=100');
    expect(participants.body.data.map((row: { name: string }) => row.name)).not.toContain('Rogue');
    expect((await world.operator('GET', `/v1/participants/${world.walletY.id}`)).body.status).toBe('active');
    const windows = await world.operator('GET', '/v1/settlement-windows?status=closed');
    expect(windows.body.data).toEqual([]);
  });
});

describe('the other parties’ routes', () => {
  test("a buyer's secret cannot make checkouts, refunds or till QRs", async () => {
    await expectForbidden(buyerOf(world.hub, world.paidA.checkout), [
      ['POST', '/v1/checkouts', { amount: 1, currency: 'CNY', reference: 'b', buyerId: 'b' }],
      ['POST', '/v1/refunds', { transferId: world.paidA.transfer.id, amount: 1, reason: 'me' }],
      ['POST', '/v1/pos/qr-codes', { amount: 1, currency: 'CNY', reference: 'b' }],
      ['GET', '/v1/payments'],
    ]);
  });

  test('a merchant cannot act as a wallet: resolve, pay, decide a charge', async () => {
    await expectForbidden(world.merchantA.call, [
      ['POST', '/v1/payment-requests/resolve', { qrPayload: '000201' }],
      ['POST', '/v1/transfers', { paymentToken: 'pt', amount: 1, currency: 'CNY', payer: { ref: 'm' } }],
      ['POST', '/v1/pos/charges/chg_x/authorization', { decision: 'approved' }],
      ['GET', '/v1/positions'],
      ['GET', '/v1/statements?from=2026-01-01'],
    ]);
  });

  test('a wallet cannot act as a merchant: make checkouts, refund, take charges', async () => {
    await expectForbidden(world.walletX.call, [
      ['POST', '/v1/checkouts', { amount: 1, currency: 'CNY', reference: 'w', buyerId: 'b' }],
      ['POST', '/v1/refunds', { transferId: world.paidA.transfer.id, amount: 1, reason: 'w' }],
      ['POST', '/v1/pos/charges', { paymentCode: '6270001234567890', amount: 1, currency: 'CNY', reference: 'w' }],
      ['GET', '/v1/merchant'],
    ]);
  });

  test('a request that proves no one is 401 on every one of these, not 403', async () => {
    const nobody = bearerClient(world.hub, undefined);
    for (const [method, path, body] of operatorRoutes()) expect((await nobody(method, path, body)).status).toBe(401);
  });
});
