import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { amountMaxOf, limitAmountMax } from './money/index.ts';
import { type TestHub, type TestParticipant, bearerClient, startTestHub } from './testing/index.ts';
import { type TestMerchant, buyerOf, createCheckout, createMerchant, createWallet } from './testing/world.ts';

/**
 * Amounts within bounds at every entrance: the most a payment may be in its
 * currency (what EMV's 13-character tag 54 carries, far below 2^53-1 minor
 * units) is refused with a clear 400 wherever an amount comes in, and a
 * checkout's lines are summed exactly.
 */
let hub: TestHub;
let wallet: TestParticipant;
let merchant: TestMerchant;
let jpyMerchant: TestMerchant;

beforeAll(async () => {
  hub = await startTestHub();
  wallet = await createWallet(hub, 'Bound Wallet', {
    roles: ['issuer', 'acquirer'],
    currencies: ['CNY', 'JPY'],
    netDebitCaps: { CNY: 1, JPY: 1 },
  });
  merchant = await createMerchant(hub, wallet);
  jpyMerchant = await createMerchant(hub, wallet, { currency: 'JPY', country: 'JP', city: 'Tokyo' });
});
afterAll(async () => {
  await hub?.stop();
});

const tenBillionYuan = 1_000_000_000_000; // 10,000,000,000.00 CNY
const safeMax = Number.MAX_SAFE_INTEGER; // 2^53-1

function expectAmountRefused(response: { status: number; body: any; text: string }, pointer = '/amount'): void {
  expect(response.status, response.text).toBe(400);
  expect(response.body.code).toBe('invalid_request');
  expect(response.body.errors.map((error: { pointer: string }) => error.pointer)).toContain(pointer);
}

describe('the most a payment may be', () => {
  test('per currency: 12 digits with decimals, 13 without, all far below 2^53-1 minor units', () => {
    expect(amountMaxOf('CNY')).toBe(999_999_999_999);
    expect(amountMaxOf('IDR')).toBe(999_999_999_999);
    expect(amountMaxOf('BHD')).toBe(999_999_999_999);
    expect(amountMaxOf('JPY')).toBe(9_999_999_999_999);
  });

  test.each([
    ['10,000,000,000.00 CNY', tenBillionYuan],
    ['2^53-1 minor units', safeMax],
  ])('a checkout of %s is refused with a 400, and the bound itself is taken', async (_label, amount) => {
    expectAmountRefused(
      await merchant.call('POST', '/v1/checkouts', {
        amount,
        currency: 'CNY',
        reference: `big-${amount}`,
        buyerId: 'b',
      }),
    );
    const largest = await createCheckout(merchant, { amount: amountMaxOf('CNY'), lines: undefined });
    const attempt = await buyerOf(hub, largest)('POST', `/v1/checkouts/${largest.id}/attempts`, {
      walletId: wallet.id,
      flow: 'qr',
    });
    expect(attempt.status, attempt.text).toBe(201);
    expect(attempt.body.qrPayload).toContain('54139999999999.99');
  });

  test('JPY, with no decimals, carries 13 digits', async () => {
    const largest = await createCheckout(jpyMerchant, {
      amount: amountMaxOf('JPY'),
      currency: 'JPY',
      lines: undefined,
    });
    const attempt = await buyerOf(hub, largest)('POST', `/v1/checkouts/${largest.id}/attempts`, {
      walletId: wallet.id,
      flow: 'qr',
    });
    expect(attempt.status, attempt.text).toBe(201);
    expect(attempt.body.qrPayload).toContain('54139999999999999');
    expectAmountRefused(
      await jpyMerchant.call('POST', '/v1/checkouts', {
        amount: amountMaxOf('JPY') + 1,
        currency: 'JPY',
        reference: 'jpy-too-big',
        buyerId: 'b',
      }),
    );
  });

  test.each([tenBillionYuan, safeMax])('a till QR of %d minor units is refused with a 400', async (amount) => {
    expectAmountRefused(
      await merchant.call('POST', '/v1/pos/qr-codes', { amount, currency: 'CNY', reference: `till-${amount}` }),
    );
    const largest = await merchant.call('POST', '/v1/pos/qr-codes', {
      amount: amountMaxOf('CNY'),
      currency: 'CNY',
      reference: `till-max-${amount}`,
    });
    expect(largest.status, largest.text).toBe(201);
  });

  test.each([tenBillionYuan, safeMax])('a transfer of %d minor units is refused with a 400', async (amount) => {
    const placard = await merchant.call('GET', `/v1/merchants/${merchant.id}/placard?format=payload`);
    expect(placard.status, placard.text).toBe(200);
    const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: placard.body.payload });
    expect(resolved.status, resolved.text).toBe(200);
    expectAmountRefused(
      await wallet.call('POST', '/v1/transfers', {
        paymentToken: resolved.body.paymentToken,
        amount,
        currency: 'CNY',
        payer: { ref: `big-${amount}` },
      }),
    );
  });

  test('a payment-code charge past the bound is refused with a 400', async () => {
    for (const amount of [tenBillionYuan, safeMax]) {
      const charge = { paymentCode: '6270001234567890', reference: `pc-${amount}`, amount, currency: 'CNY' };
      expectAmountRefused(await merchant.call('POST', '/v1/pos/charges', charge));
    }
  });

  test('a refund past the bound of every currency is refused with a 400 (one within it, by what the payment left)', async () => {
    const refund = { transferId: 'trf_none', reason: 'too much', amount: safeMax };
    expectAmountRefused(await merchant.call('POST', '/v1/refunds', refund));
  });

  test('the rollout explanation takes no amount past the bound either', async () => {
    const explained = await merchant.call('POST', '/v1/rollout/explain', {
      buyerId: 'b',
      amount: tenBillionYuan,
      currency: 'CNY',
    });
    expectAmountRefused(explained);
  });
});

describe('amounts that are not payments', () => {
  test("a fee's fixed part or floor is no more than a payment may be; a cap or prefunding at most 10^15", async () => {
    const operator = bearerClient(hub, hub.operatorToken);
    const rule = (fixedAmount: number) => ({ bps: 10, fixedAmount, minAmount: 0 });
    const schedule = (fixedAmount: number) => ({
      interchange: rule(fixedAmount),
      issuerSwitchFee: rule(0),
      acquirerSwitchFee: rule(0),
      merchantDiscount: rule(0),
    });
    expectAmountRefused(await operator('PUT', '/v1/fee-schedules/CNY', schedule(safeMax)), '/interchange/fixedAmount');
    const limits = { currency: 'CNY', netDebitCap: safeMax, prefunding: safeMax };
    const refused = await operator('PUT', `/v1/participants/${wallet.id}/limits`, limits);
    expectAmountRefused(refused, '/netDebitCap');
    expect(refused.body.errors.map((error: { pointer: string }) => error.pointer)).toContain('/prefunding');
    const largest = { currency: 'CNY', netDebitCap: limitAmountMax, prefunding: limitAmountMax };
    expect((await operator('PUT', `/v1/participants/${wallet.id}/limits`, largest)).status).toBe(200);
    const positions = await operator('GET', `/v1/positions?participantId=${wallet.id}`);
    expect(positions.status, positions.text).toBe(200);
  });
});

describe("a checkout's lines", () => {
  test('are summed exactly: lines whose float sum would round are compared as integers', async () => {
    // 2^53 - 2 + 3 is 2^53 + 1, which a double cannot hold; the sum must not be rounded into matching.
    const response = await merchant.call('POST', '/v1/checkouts', {
      amount: 999_999_999_999,
      currency: 'CNY',
      reference: 'float-lines',
      buyerId: 'b',
      lines: [
        { kind: 'product', name: 'Big', quantity: 1, unitAmount: safeMax - 1 },
        { kind: 'product', name: 'Small', quantity: 3, unitAmount: 1 },
        { kind: 'discount', name: 'Back', quantity: 1, unitAmount: -(safeMax - 999_999_999_997) },
      ],
    });
    expectAmountRefused(response, '/lines/0');
  });

  test('a line past the bound, or lines that add up past it, are refused with a 400', async () => {
    const tooMany = await merchant.call('POST', '/v1/checkouts', {
      amount: 999_999_999_999,
      currency: 'CNY',
      reference: 'lines-past',
      buyerId: 'b',
      lines: [
        { kind: 'product', name: 'A', quantity: 1_000_000, unitAmount: 999_999_999_999 },
        { kind: 'discount', name: 'B', quantity: 1_000_000, unitAmount: -999_999_999_998 },
        { kind: 'product', name: 'C', quantity: 1, unitAmount: 999_999_999_999 },
      ],
    });
    expect(tooMany.status, tooMany.text).toBe(400);
    expect(tooMany.body.code).toBe('invalid_request');
  });

  test('lines that add up to the amount exactly are taken', async () => {
    const checkout = await createCheckout(merchant, {
      amount: 999_999_999_999,
      lines: [
        { kind: 'product', name: 'A', quantity: 3, unitAmount: 333_333_333_333 },
        { kind: 'discount', name: 'B', quantity: 1, unitAmount: -1_000 },
        { kind: 'shipping', name: 'C', quantity: 1, unitAmount: 1_000 },
      ],
    });
    expect(checkout.amount).toBe(999_999_999_999);
  });
});
