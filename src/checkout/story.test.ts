import { afterAll, beforeAll, expect, test } from 'vitest';
import { decode, findField } from '../qr/index.ts';
import { type TestHub, type TestParticipant, startTestHub, ledgerCheckOf } from '../testing/index.ts';
import {
  type TestMerchant,
  buyerOf,
  createCheckout,
  createMerchant,
  createWallet,
  positionsOf,
  roomyCap,
} from '../testing/world.ts';

let hub: TestHub;
let walletA: TestParticipant;
let walletB: TestParticipant;
let walletC: TestParticipant;
let merchant: TestMerchant;

beforeAll(async () => {
  hub = await startTestHub();
  walletA = await createWallet(hub, 'Alpha Pay', { roles: ['issuer', 'acquirer'] });
  walletB = await createWallet(hub, 'Beta Wallet');
  walletC = await createWallet(hub, 'Gamma Wallet', { appSwitchUrlTemplate: undefined });
  merchant = await createMerchant(hub, walletA);
});
afterAll(async () => hub?.stop());

async function pay(wallet: TestParticipant, resolveBody: Record<string, string>, payerRef: string) {
  const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', resolveBody);
  expect(resolved.status, resolved.text).toBe(200);
  const paid = await wallet.call('POST', '/v1/transfers', {
    paymentToken: resolved.body.paymentToken,
    amount: resolved.body.amount,
    currency: resolved.body.currency,
    payer: { ref: payerRef },
  });
  expect(paid.status, paid.text).toBe(201);
  return { resolved: resolved.body, transfer: paid.body };
}

/**
 * The file is one story: each step builds on the state the steps before it
 * left, so it runs as one test, and a failure names the step it stopped at
 * instead of failing every later step for the same cause.
 */
async function step(name: string, run: () => unknown): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Error) error.message = `step "${name}": ${error.message}`;
    throw error;
  }
}

test('one checkout, every wallet: the story with three wallets', async () => {
  await step('the merchant applies to B and C; B asks for information, gets it, approves', async () => {
    const toB = await merchant.call('POST', '/v1/channel-applications', {
      walletId: walletB.id,
      businessDetails: { website: 'https://toko.example' },
    });
    expect(toB.status).toBe(201);
    expect(toB.body.status).toBe('pending');
    const toC = await merchant.call('POST', '/v1/channel-applications', { walletId: walletC.id });
    expect(toC.body.status).toBe('pending');

    const pendingAtB = await walletB.call('GET', '/v1/channel-applications?status=pending');
    expect(pendingAtB.body.data.map((application: { id: string }) => application.id)).toEqual([toB.body.id]);

    const asked = await walletB.call('POST', `/v1/channel-applications/${toB.body.id}/request-info`, {
      question: 'What volume do you expect?',
    });
    expect(asked.body.status).toBe('info_requested');
    const answered = await merchant.call('PATCH', `/v1/channel-applications/${toB.body.id}`, {
      businessDetails: { website: 'https://toko.example', expectedMonthlyVolume: 5_000_000 },
    });
    expect(answered.body.status).toBe('pending');
    const approved = await walletB.call('POST', `/v1/channel-applications/${toB.body.id}/approve`);
    expect(approved.body.status).toBe('approved');
  });

  await step('a checkout lists A as default and B under other methods, not C', async () => {
    const checkout = await createCheckout(merchant);
    expect(checkout.status).toBe('open');
    expect(checkout.hostedUrl).toBe(`${hub.url}/checkout/${checkout.id}#cs=${checkout.clientSecret}`);
    expect(checkout.methods).toEqual([
      { walletId: walletA.id, name: 'Alpha Pay', placement: 'default', flows: ['app_switch', 'qr', 'friend_pay'] },
      { walletId: walletB.id, name: 'Beta Wallet', placement: 'other', flows: ['app_switch', 'qr', 'friend_pay'] },
    ]);
  });

  await step(
    'B pays by QR: the payload passes the codec in strict mode; the ledger moves the amount from B to A',
    async () => {
      const before = await positionsOf(hub);
      const checkout = await createCheckout(merchant);
      const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
        walletId: walletB.id,
        flow: 'qr',
      });
      expect(attempt.status, attempt.text).toBe(201);
      const decoded = decode(attempt.body.qrPayload, { mode: 'strict' });
      expect(decoded.valid, JSON.stringify(decoded)).toBe(true);
      if (decoded.kind !== 'mpm') throw new Error('not merchant-presented');
      expect(findField(decoded.fields, '01')).toMatchObject({ value: '12' });
      expect(findField(decoded.fields, '54')).toMatchObject({ value: '129.90' });
      expect(findField(decoded.fields, '53')).toMatchObject({ value: '156' });
      expect(findField(decoded.fields, '26/01')).toMatchObject({ value: merchant.id });

      const { resolved, transfer } = await pay(walletB, { qrPayload: attempt.body.qrPayload }, 'beta-txn-1');
      expect(resolved).toMatchObject({
        merchant: { id: merchant.id, name: 'Toko Lintas', city: 'Shanghai', mcc: '5732' },
        amount: 12_990,
        currency: 'CNY',
        reference: checkout.reference,
      });
      expect(transfer).toMatchObject({
        status: 'committed',
        amount: 12_990,
        currency: 'CNY',
        payerParticipantId: walletB.id,
        payeeParticipantId: walletA.id,
        merchantId: merchant.id,
        checkoutId: checkout.id,
        payerRef: 'beta-txn-1',
      });
      expect(transfer.receiptNumber).toMatch(/^\d{12}$/);

      const after = await positionsOf(hub);
      expect((after[`${walletB.id}:CNY`] ?? 0) - (before[`${walletB.id}:CNY`] ?? 0)).toBe(-12_990);
      expect((after[`${walletA.id}:CNY`] ?? 0) - (before[`${walletA.id}:CNY`] ?? 0)).toBe(12_990);
      const status = await buyerOf(hub, checkout)('GET', `/v1/checkouts/${checkout.id}/status`);
      expect(status.body.status).toBe('paid');
      const payments = await merchant.call('GET', '/v1/payments');
      expect(payments.body.data).toContainEqual(
        expect.objectContaining({
          id: transfer.id,
          walletId: walletB.id,
          source: 'checkout',
          status: 'succeeded',
          refundedAmount: 0,
          checkoutId: checkout.id,
        }),
      );
    },
  );

  await step('B pays by app switch: the deep link carries the token the wallet resolves', async () => {
    const before = await positionsOf(hub);
    const checkout = await createCheckout(merchant, {
      amount: 5_000,
      lines: [{ kind: 'product', name: 'Tea cup', quantity: 1, unitAmount: 5_000 }],
    });
    const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: walletB.id,
      flow: 'app_switch',
    });
    expect(attempt.body.deepLink).toMatch(/^betawallet:\/\/pay\?token=pt_/);
    const token = decodeURIComponent(new URL(attempt.body.deepLink).searchParams.get('token') ?? '');
    const { transfer } = await pay(walletB, { token }, 'beta-txn-2');
    expect(transfer.amount).toBe(5_000);
    const after = await positionsOf(hub);
    expect((after[`${walletB.id}:CNY`] ?? 0) - (before[`${walletB.id}:CNY`] ?? 0)).toBe(-5_000);
    expect((after[`${walletA.id}:CNY`] ?? 0) - (before[`${walletA.id}:CNY`] ?? 0)).toBe(5_000);
  });

  await step('C approves; a friend pays from C a checkout the buyer opened with B', async () => {
    const pendingAtC = await walletC.call('GET', '/v1/channel-applications?status=pending');
    const application = pendingAtC.body.data[0];
    expect((await walletC.call('POST', `/v1/channel-applications/${application.id}/approve`)).body.status).toBe(
      'approved',
    );
    const before = await positionsOf(hub);
    const checkout = await createCheckout(merchant, {
      amount: 8_800,
      lines: [{ kind: 'product', name: 'Mooncakes', quantity: 1, unitAmount: 8_800 }],
    });
    expect(
      checkout.methods.map((method: { walletId: string; placement: string }) => [method.walletId, method.placement]),
    ).toEqual([
      [walletA.id, 'default'],
      [walletB.id, 'other'],
      [walletC.id, 'other'],
    ]);
    const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: walletB.id,
      flow: 'friend_pay',
    });
    expect(attempt.body.shareUrl).toMatch(new RegExp(`^${hub.url}/share/sh_`));
    const shareToken = attempt.body.shareUrl.split('/').pop();
    const shared = await fetch(`${hub.url}/v1/share/${shareToken}`).then((response) => response.json() as Promise<any>);
    expect(shared).toMatchObject({
      merchant: { name: 'Toko Lintas', city: 'Shanghai' },
      amount: 8_800,
      currency: 'CNY',
    });
    expect(JSON.stringify(shared)).not.toContain('buyer-1');
    expect(shared.wallets.map((wallet: { walletId: string }) => wallet.walletId)).toEqual([
      walletA.id,
      walletB.id,
      walletC.id,
    ]);
    const fromC = shared.wallets.find((wallet: { walletId: string }) => wallet.walletId === walletC.id);
    expect(fromC.deepLink).toBeUndefined();
    expect(decode(fromC.qrPayload, { mode: 'strict' }).valid).toBe(true);

    const { transfer } = await pay(walletC, { qrPayload: fromC.qrPayload }, 'gamma-txn-1');
    expect(transfer).toMatchObject({ payerParticipantId: walletC.id, payeeParticipantId: walletA.id, amount: 8_800 });
    const after = await positionsOf(hub);
    expect((after[`${walletC.id}:CNY`] ?? 0) - (before[`${walletC.id}:CNY`] ?? 0)).toBe(-8_800);
    expect((after[`${walletA.id}:CNY`] ?? 0) - (before[`${walletA.id}:CNY`] ?? 0)).toBe(8_800);
    const sharedAfter = await fetch(`${hub.url}/v1/share/${shareToken}`).then(
      (response) => response.json() as Promise<any>,
    );
    expect(sharedAfter.status).toBe('paid');
  });

  await step('every amount is in the ledger and `lintas ledger check` passes', async () => {
    const positions = await positionsOf(hub);
    expect(positions[`${walletA.id}:CNY`]).toBe(12_990 + 5_000 + 8_800);
    expect(positions[`${walletB.id}:CNY`]).toBe(-(12_990 + 5_000));
    expect(positions[`${walletC.id}:CNY`]).toBe(-8_800);
    expect(roomyCap + (positions[`${walletB.id}:CNY`] ?? 0)).toBeGreaterThan(0);
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
  });
});
