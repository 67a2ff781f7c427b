import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bearerClient } from '../testing/index.ts';
import { buyerOf } from '../testing/world.ts';
import { type SecurityWorld, expectProblem, startSecurityWorld } from './world.test-support.ts';

/**
 * OWASP API1:2023, Broken Object Level Authorization. Every object id a
 * caller may not see answers `404 not_found`, the same as an id that does
 * not exist, whether it reads, changes or refers to it: merchant A cannot
 * read, cancel or refund merchant B's objects, wallet X cannot read wallet
 * Y's transfers, positions or statements, a buyer's client secret opens its
 * own checkout only.
 */
let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});
afterAll(async () => {
  await world?.hub.stop();
});

describe('merchant A and merchant B', () => {
  test("A cannot read B's checkouts, payments, transfers or refunds", async () => {
    const { merchantA, paidB, openB } = world;
    for (const path of [
      `/v1/checkouts/${openB.id}`,
      `/v1/checkouts/${paidB.checkout.id}`,
      `/v1/checkouts/${paidB.checkout.id}/methods/explain`,
      `/v1/payments/${paidB.transfer.id}`,
      `/v1/merchants/${world.merchantB.id}/placard?format=payload`,
    ])
      expectProblem(await merchantA.call('GET', path), 404, 'not_found');
    const payments = await merchantA.call('GET', '/v1/payments?limit=100');
    expect(payments.status).toBe(200);
    expect(payments.body.data.map((payment: { id: string }) => payment.id)).not.toContain(paidB.transfer.id);
    const checkouts = await merchantA.call('GET', '/v1/checkouts?limit=100');
    expect(checkouts.body.data.map((checkout: { id: string }) => checkout.id)).not.toContain(openB.id);
  });

  test("A cannot cancel B's checkout, refund B's payment or make a till QR for B", async () => {
    const { merchantA, merchantB, paidB, openB } = world;
    expectProblem(await merchantA.call('POST', `/v1/checkouts/${openB.id}/cancel`), 404, 'not_found');
    expectProblem(
      await merchantA.call('POST', '/v1/refunds', { transferId: paidB.transfer.id, amount: 100, reason: 'mine' }),
      404,
      'not_found',
    );
    const till = await merchantB.call('POST', '/v1/pos/qr-codes', { amount: 500, currency: 'CNY', reference: 'b-1' });
    expect(till.status).toBe(201);
    expectProblem(await merchantA.call('GET', `/v1/pos/qr-codes/${till.body.id}`), 404, 'not_found');
    expectProblem(await merchantA.call('POST', `/v1/pos/qr-codes/${till.body.id}/cancel`), 404, 'not_found');
    // Nothing changed: B's checkout is still open, its payment unrefunded.
    expect((await merchantB.call('GET', `/v1/checkouts/${openB.id}`)).body.status).toBe('open');
    expect((await merchantB.call('GET', `/v1/payments/${paidB.transfer.id}`)).body.refundedAmount).toBe(0);
  });

  test("A cannot see or change B's webhook endpoints", async () => {
    const { merchantA, merchantB } = world;
    const endpoint = await merchantB.call('POST', '/v1/webhook-endpoints', {
      url: 'http://127.0.0.1:9/b',
      events: ['*'],
    });
    expect(endpoint.status, endpoint.text).toBe(201);
    const id = endpoint.body.id;
    expectProblem(await merchantA.call('GET', `/v1/webhook-endpoints/${id}`), 404, 'not_found');
    expectProblem(await merchantA.call('PATCH', `/v1/webhook-endpoints/${id}`, { events: ['checkout.paid'] }), 404);
    expectProblem(await merchantA.call('DELETE', `/v1/webhook-endpoints/${id}`), 404, 'not_found');
    const list = await merchantA.call('GET', '/v1/webhook-endpoints');
    expect(list.body.data.map((row: { id: string }) => row.id)).not.toContain(id);
  });

  test('acquirer A cannot manage merchant B', async () => {
    const { acquirerA, merchantB } = world;
    expectProblem(await acquirerA.call('GET', `/v1/merchants/${merchantB.id}`), 404, 'not_found');
    expectProblem(await acquirerA.call('GET', `/v1/merchants/${merchantB.id}/fees`), 404, 'not_found');
    expectProblem(
      await acquirerA.call('PUT', `/v1/merchants/${merchantB.id}/fees`, { merchantDiscount: null }),
      404,
      'not_found',
    );
    expectProblem(await acquirerA.call('PATCH', `/v1/merchants/${merchantB.id}`, { name: 'Taken' }), 404, 'not_found');
    expectProblem(await acquirerA.call('POST', `/v1/merchants/${merchantB.id}/suspend`), 404, 'not_found');
    expectProblem(await acquirerA.call('POST', `/v1/merchants/${merchantB.id}/rotate-key`), 404, 'not_found');
  });
});

describe('wallet X and wallet Y', () => {
  test("X cannot read Y's transfers or refunds", async () => {
    const { walletX, paidB } = world;
    expectProblem(await walletX.call('GET', `/v1/transfers/${paidB.transfer.id}`), 404, 'not_found');
    const transfers = await walletX.call('GET', '/v1/transfers?limit=100');
    expect(transfers.status).toBe(200);
    expect(transfers.body.data.map((transfer: { id: string }) => transfer.id)).not.toContain(paidB.transfer.id);
  });

  test('X sees only its own positions and statement, whatever participant it names', async () => {
    const { walletX, walletY } = world;
    const positions = await walletX.call('GET', `/v1/positions?participantId=${walletY.id}`);
    if (positions.status === 200) {
      for (const row of positions.body.data) expect(row.participantId).toBe(walletX.id);
    } else expectProblem(positions, 404);
    const statement = await walletX.call(
      'GET',
      `/v1/statements?from=2000-01-01&format=json&participantId=${walletY.id}`,
    );
    expect(statement.status, statement.text).toBe(200);
    expect(statement.body.data.length).toBeGreaterThan(0);
    expect(statement.body.data.map((line: { transferId: string }) => line.transferId)).not.toContain(
      world.paidB.transfer.id,
    );
  });

  test("X cannot read Y's participant record, keys or rate limit, nor add a key to it", async () => {
    const { walletX, walletY } = world;
    expectProblem(await walletX.call('GET', `/v1/participants/${walletY.id}`), 404, 'not_found');
    expectProblem(await walletX.call('GET', `/v1/participants/${walletY.id}/rate-limit`), 404, 'not_found');
    expectProblem(
      await walletX.call('POST', `/v1/participants/${walletY.id}/keys`, { kid: 'stolen', jwk: {} }),
      404,
      'not_found',
    );
    expectProblem(await walletX.call('DELETE', `/v1/participants/${walletY.id}/keys/${walletY.keyId}`), 404);
  });

  test("X's event feed carries none of Y's events", async () => {
    const feed = await world.walletX.call('GET', '/v1/events?limit=100');
    expect(feed.status, feed.text).toBe(200);
    expect(JSON.stringify(feed.body)).not.toContain(world.paidB.transfer.id);
  });
});

describe("a buyer's client secret", () => {
  test('opens its own checkout only', async () => {
    const { paidA, openB, hub } = world;
    const buyerA = buyerOf(hub, paidA.checkout);
    expectProblem(await buyerA('GET', `/v1/checkouts/${openB.id}`), 404, 'not_found');
    expectProblem(
      await buyerA('POST', `/v1/checkouts/${openB.id}/attempts`, { walletId: world.walletX.id, flow: 'qr' }),
      404,
      'not_found',
    );
    expect((await buyerA('GET', `/v1/checkouts/${paidA.checkout.id}`)).status).toBe(200);
  });

  test('an id that exists and one that does not answer the same', async () => {
    const stranger = bearerClient(world.hub, world.paidA.checkout.clientSecret);
    const real = await stranger('GET', `/v1/checkouts/${world.openB.id}`);
    const invented = await stranger('GET', '/v1/checkouts/chk_00000000000000000000000000');
    expect(real.status).toBe(invented.status);
    expect(real.body.code).toBe(invented.body.code);
  });
});
