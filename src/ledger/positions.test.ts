import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import { minor } from '../money/index.ts';
import { type TestHub, bearerClient, createParticipant, startTestHub } from '../testing/index.ts';
import { createMoneyParticipant } from './fixtures.test-support.ts';
import { postPayment, reservePayment } from '../transfers/index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
});
afterAll(async () => hub?.stop());

describe('PUT /v1/participants/{id}/limits', () => {
  test('the operator sets a cap and records prefunding, audited with before and after', async () => {
    const wallet = await createParticipant(hub, { currencies: ['CNY', 'IDR'] });
    const first = await operator('PUT', `/v1/participants/${wallet.id}/limits`, {
      currency: 'IDR',
      netDebitCap: 5_000_000,
      prefunding: 1_000_000,
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      participantId: wallet.id,
      currency: 'IDR',
      position: 0,
      reserved: 0,
      netDebitCap: 5_000_000,
      prefunding: 1_000_000,
      headroom: 6_000_000,
    });
    const second = await operator('PUT', `/v1/participants/${wallet.id}/limits`, {
      currency: 'IDR',
      netDebitCap: 2_000_000,
      prefunding: 0,
    });
    expect(second.body).toMatchObject({ netDebitCap: 2_000_000, prefunding: 0, headroom: 2_000_000 });

    const audit = await operator('GET', `/v1/audit-events?objectId=${wallet.id}`);
    const changes = audit.body.data.filter((event: { action: string }) => event.action === 'participant.limits_set');
    expect(
      changes.map((event: { actor: unknown; before: unknown; after: unknown }) => [
        event.actor,
        event.before,
        event.after,
      ]),
    ).toEqual([
      [{ type: 'operator', id: 'operator' }, null, { currency: 'IDR', netDebitCap: 5_000_000, prefunding: 1_000_000 }],
      [
        { type: 'operator', id: 'operator' },
        { currency: 'IDR', netDebitCap: 5_000_000, prefunding: 1_000_000 },
        { currency: 'IDR', netDebitCap: 2_000_000, prefunding: 0 },
      ],
    ]);
  });

  test(
    'refusals: a currency the participant does not list, an unknown participant, bad values, a participant ' + 'caller',
    async () => {
      const wallet = await createParticipant(hub, { currencies: ['CNY'] });
      const foreign = await operator('PUT', `/v1/participants/${wallet.id}/limits`, {
        currency: 'JPY',
        netDebitCap: 1,
        prefunding: 0,
      });
      expect(foreign.status).toBe(422);
      expect(foreign.body).toMatchObject({
        code: 'currency_not_supported',
        errors: [{ pointer: '/currency', detail: expect.any(String) }],
      });
      const unknown = await operator('PUT', '/v1/participants/par_nobody/limits', {
        currency: 'CNY',
        netDebitCap: 1,
        prefunding: 0,
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('not_found');
      const invalid = await operator('PUT', `/v1/participants/${wallet.id}/limits`, {
        currency: 'cny',
        netDebitCap: -1,
        prefunding: 1.5,
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.code).toBe('invalid_request');
      expect(invalid.body.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual([
        '/currency',
        '/netDebitCap',
        '/prefunding',
      ]);
      const self = await wallet.call('PUT', `/v1/participants/${wallet.id}/limits`, {
        currency: 'CNY',
        netDebitCap: 1_000_000,
        prefunding: 0,
      });
      expect(self.status).toBe(403);
      expect(self.body.code).toBe('forbidden');
    },
  );
});

describe('GET /v1/positions', () => {
  test('positions, reservations, limits and headroom as plain integers; a participant sees only its own', async () => {
    const issuer = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    const bystander = await createMoneyParticipant(hub);
    await operator('PUT', `/v1/participants/${issuer.id}/limits`, {
      currency: 'CNY',
      netDebitCap: 10_000,
      prefunding: 2_000,
    });
    const payment = {
      payerId: issuer.id,
      payeeId: acquirer.id,
      merchantId: acquirer.merchantId,
      currency: 'CNY',
      source: 'checkout' as const,
    };
    expect(
      (await inTransaction(hub.ctx.db, (tx) => postPayment(hub.ctx, tx, { ...payment, amount: minor(3_000) }))).ok,
    ).toBe(true);
    expect(
      (
        await inTransaction(hub.ctx.db, (tx) =>
          reservePayment(hub.ctx, tx, { ...payment, amount: minor(500), source: 'payment_code' }),
        )
      ).ok,
    ).toBe(true);

    const own = await issuer.call('GET', '/v1/positions');
    expect(own.status).toBe(200);
    expect(own.body).toEqual({
      data: [
        {
          participantId: issuer.id,
          currency: 'CNY',
          position: -3_000,
          reserved: 500,
          netDebitCap: 10_000,
          prefunding: 2_000,
          headroom: 8_500,
        },
      ],
      nextCursor: null,
    });
    const theirs = await acquirer.call('GET', `/v1/positions?participantId=${issuer.id}`);
    expect(theirs.body.data).toEqual([
      {
        participantId: acquirer.id,
        currency: 'CNY',
        position: 3_000,
        reserved: 0,
        netDebitCap: 0,
        prefunding: 0,
        headroom: 3_000,
      },
    ]);
    expect((await bystander.call('GET', '/v1/positions')).body).toEqual({ data: [], nextCursor: null });

    const all = await operator('GET', '/v1/positions?limit=100');
    const ids = all.body.data.map((row: { participantId: string }) => row.participantId);
    expect(ids).toEqual(expect.arrayContaining([issuer.id, acquirer.id]));
    expect(ids).not.toContain(bystander.id);
    const filtered = await operator('GET', `/v1/positions?participantId=${acquirer.id}`);
    expect(filtered.body.data).toHaveLength(1);
  });

  test(
    'a participant with a cap and no transfer yet shows its headroom; pages follow participant and ' + 'currency',
    async () => {
      const wallet = await createParticipant(hub, { currencies: ['CNY', 'IDR', 'JPY'] });
      for (const currency of ['JPY', 'CNY', 'IDR']) {
        await operator('PUT', `/v1/participants/${wallet.id}/limits`, { currency, netDebitCap: 100, prefunding: 0 });
      }
      const firstPage = await wallet.call('GET', '/v1/positions?limit=2');
      expect(firstPage.body.data.map((row: { currency: string }) => row.currency)).toEqual(['CNY', 'IDR']);
      expect(firstPage.body.nextCursor).toBe(`${wallet.id}:IDR`);
      const secondPage = await wallet.call(
        'GET',
        `/v1/positions?limit=2&after=${encodeURIComponent(firstPage.body.nextCursor)}`,
      );
      expect(secondPage.body).toEqual({
        data: [
          {
            participantId: wallet.id,
            currency: 'JPY',
            position: 0,
            reserved: 0,
            netDebitCap: 100,
            prefunding: 0,
            headroom: 100,
          },
        ],
        nextCursor: null,
      });
      const onlyIdr = await wallet.call('GET', '/v1/positions?currency=IDR');
      expect(onlyIdr.body.data.map((row: { currency: string }) => row.currency)).toEqual(['IDR']);
    },
  );

  test('a merchant may not read positions', async () => {
    const acquirer = await createMoneyParticipant(hub);
    const key = (await acquirer.call('POST', `/v1/merchants/${acquirer.merchantId}/rotate-key`)).body.secretKey;
    expect(await bearerClient(hub, key)('GET', '/v1/positions')).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });
});
