import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMoneyParticipant } from '../ledger/fixtures.test-support.ts';
import { type TestHub, bearerClient, startTestHub } from '../testing/index.ts';
import { minor } from '../money/index.ts';
import { operatorCaller } from '../http/index.ts';
import { emptySchedule, feeOf, paymentFees, setSchedule } from './index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
});
afterAll(async () => hub?.stop());

const rule = (bps: number, fixedAmount = 0, minAmount = 0) => ({ bps, fixedAmount, minAmount });

describe('feeOf: max(minAmount, round_half_even(A × bps / 10 000) + fixedAmount), at most the ceiling', () => {
  test.each([
    // rule, amount, ceiling, fee — the raw percentage in the comment
    [rule(150), 1_999, undefined, 30], // 29.985
    [rule(50), 300, undefined, 2], // 1.5: halfway, 2 is even
    [rule(50), 500, undefined, 2], // 2.5: halfway, 2 is even
    [rule(50, 10), 500, undefined, 12], // 2.5 → 2, + 10
    [rule(50, 0, 5), 500, undefined, 5], // 2 is less than the minimum
    [rule(0, 0, 5), 3, undefined, 3], // the minimum, but never more than the amount
    [rule(10_000), 777, undefined, 777], // 100 %
    [rule(100, 0, 200), 1_000, 150, 150], // the ceiling (an acquirer switch fee after interchange)
    [rule(0), 1_000, undefined, 0],
  ])('%j on %d (ceiling %s) is %d', (feeRule, amount, ceiling, expected) => {
    const fee = feeOf(
      { bps: feeRule.bps, fixedAmount: minor(feeRule.fixedAmount), minAmount: minor(feeRule.minAmount) },
      minor(amount),
      ceiling === undefined ? undefined : minor(ceiling),
    );
    expect(fee).toBe(expected);
  });

  test("a merchant's own discount replaces the schedule's; on-us carries no interchange", () => {
    const schedule = {
      ...emptySchedule('CNY'),
      interchange: { bps: 100, fixedAmount: minor(0), minAmount: minor(0) },
      merchantDiscount: { bps: 200, fixedAmount: minor(0), minAmount: minor(0) },
    };
    expect(paymentFees({ amount: minor(1_000), onUs: false }, schedule, undefined)).toMatchObject({
      interchange: 10,
      merchantDiscount: 20,
    });
    expect(
      paymentFees({ amount: minor(1_000), onUs: true }, schedule, {
        bps: 50,
        fixedAmount: minor(1),
        minAmount: minor(0),
      }),
    ).toMatchObject({ interchange: 0, merchantDiscount: 6 });
  });
});

describe('PUT /v1/fee-schedules/{currency}', () => {
  const schedule = {
    interchange: { bps: 60, minAmount: 5 },
    issuerSwitchFee: { bps: 5, fixedAmount: 1 },
    acquirerSwitchFee: { bps: 10 },
    merchantDiscount: { bps: 150 },
  };

  test('the operator sets all four fees at once, audited; a currency never priced charges nothing', async () => {
    expect((await operator('GET', '/v1/fee-schedules/IDR')).body).toEqual({
      currency: 'IDR',
      interchange: rule(0),
      issuerSwitchFee: rule(0),
      acquirerSwitchFee: rule(0),
      merchantDiscount: rule(0),
      arbitrationFee: rule(0),
      updatedAt: null,
    });
    const set = await operator('PUT', '/v1/fee-schedules/IDR', schedule);
    expect(set.status, set.text).toBe(200);
    const expected = {
      currency: 'IDR',
      interchange: rule(60, 0, 5),
      issuerSwitchFee: rule(5, 1, 0),
      acquirerSwitchFee: rule(10),
      merchantDiscount: rule(150),
      arbitrationFee: rule(0),
      updatedAt: hub.clock.now().toISOString(),
    };
    expect(set.body).toEqual(expected);
    const wallet = await createMoneyParticipant(hub, ['IDR']);
    expect((await wallet.call('GET', '/v1/fee-schedules/IDR')).body).toEqual(expected);
    expect((await operator('GET', '/v1/fee-schedules')).body).toEqual({ data: [expected], nextCursor: null });

    await operator('PUT', '/v1/fee-schedules/IDR', { ...schedule, interchange: { bps: 70 } });
    const audit = await operator('GET', '/v1/audit-events?objectId=IDR');
    const changes = audit.body.data.filter((event: { action: string }) => event.action === 'fee_schedule.set');
    expect(
      changes.map((event: { before: { interchange?: unknown } | null; after: { interchange: unknown } }) => [
        event.before?.interchange ?? null,
        event.after.interchange,
      ]),
    ).toEqual([
      [null, rule(60, 0, 5)],
      [rule(60, 0, 5), rule(70)],
    ]);
  });

  test('refusals: every invalid field at once, a code not in ISO 4217, a participant caller', async () => {
    const invalid = await operator('PUT', '/v1/fee-schedules/IDR', {
      ...schedule,
      interchange: { bps: 10_001 },
      issuerSwitchFee: { bps: 1, fixedAmount: -1 },
      merchantDiscount: { bps: 1.5 },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('invalid_request');
    expect(invalid.body.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual([
      '/interchange/bps',
      '/issuerSwitchFee/fixedAmount',
      '/merchantDiscount/bps',
    ]);
    const missing = await operator('PUT', '/v1/fee-schedules/IDR', { interchange: { bps: 1 } });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('invalid_request');
    const unknown = await operator('PUT', '/v1/fee-schedules/XXX', schedule);
    expect(unknown).toMatchObject({
      status: 400,
      body: { code: 'invalid_request', errors: [{ pointer: '/path/currency' }] },
    });
    expect(await setSchedule(hub.ctx, operatorCaller, 'XXX', schedule)).toMatchObject({
      ok: false,
      code: 'currency_not_supported',
    });
    const wallet = await createMoneyParticipant(hub, ['IDR']);
    expect(await wallet.call('PUT', '/v1/fee-schedules/IDR', schedule)).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });
});

describe('PUT /v1/merchants/{id}/fees', () => {
  test(
    "the merchant's acquirer sets its own discount (audited); null returns to the schedule's; others see no " +
      'merchant',
    async () => {
      const acquirer = await createMoneyParticipant(hub, ['CNY']);
      const other = await createMoneyParticipant(hub, ['CNY']);
      const path = `/v1/merchants/${acquirer.merchantId}/fees`;
      expect((await acquirer.call('GET', path)).body).toEqual({
        merchantId: acquirer.merchantId,
        currency: 'CNY',
        merchantDiscount: null,
        updatedAt: null,
      });
      const set = await acquirer.call('PUT', path, { merchantDiscount: { bps: 120, fixedAmount: 10 } });
      expect(set.body).toEqual({
        merchantId: acquirer.merchantId,
        currency: 'CNY',
        merchantDiscount: rule(120, 10),
        updatedAt: hub.clock.now().toISOString(),
      });
      expect((await operator('GET', path)).body.merchantDiscount).toEqual(rule(120, 10));
      expect(await other.call('PUT', path, { merchantDiscount: { bps: 1 } })).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
      expect(await other.call('GET', path)).toMatchObject({ status: 404, body: { code: 'not_found' } });
      expect(await operator('PUT', path, { merchantDiscount: { bps: 1 } })).toMatchObject({
        status: 403,
        body: { code: 'forbidden' },
      });
      const cleared = await acquirer.call('PUT', path, { merchantDiscount: null });
      expect(cleared.body).toMatchObject({ merchantDiscount: null, updatedAt: null });
      const audit = await acquirer.call('GET', `/v1/audit-events?objectId=${acquirer.merchantId}`);
      expect(audit.body.data.filter((event: { action: string }) => event.action === 'merchant.fees_set')).toHaveLength(
        2,
      );
    },
  );
});
