import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, type TestParticipant, bearerClient, startTestHub } from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  buyerOf,
  createCheckout,
  createMerchant,
  createWallet,
  positionsOf,
} from '../testing/world.ts';

let hub: TestHub;
let acquirer: TestParticipant;
let wallet: TestParticipant;
let rival: TestParticipant;
let stranger: TestParticipant;
let merchant: TestMerchant;
let rivalChannelId: string;

beforeAll(async () => {
  hub = await startTestHub();
  acquirer = await createWallet(hub, 'Acquiring Pay', { roles: ['issuer', 'acquirer'] });
  wallet = await createWallet(hub, 'Paying Wallet');
  rival = await createWallet(hub, 'Rival Wallet');
  stranger = await createWallet(hub, 'Stranger Wallet');
  merchant = await createMerchant(hub, acquirer);
  await approveChannel(merchant, wallet);
  rivalChannelId = await approveChannel(merchant, rival);
});
afterAll(async () => hub?.stop());

async function qrFor(checkout: any, walletId: string): Promise<string> {
  const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId,
    flow: 'qr',
  });
  expect(attempt.status, attempt.text).toBe(201);
  return attempt.body.qrPayload;
}

async function tokenFor(payer: TestParticipant, checkout: any): Promise<string> {
  const resolved = await payer.call('POST', '/v1/payment-requests/resolve', {
    qrPayload: await qrFor(checkout, payer.id),
  });
  expect(resolved.status, resolved.text).toBe(200);
  return resolved.body.paymentToken;
}

function transfer(payer: TestParticipant, paymentToken: string, fields: Record<string, unknown> = {}) {
  return payer.call('POST', '/v1/transfers', {
    paymentToken,
    amount: 12_990,
    currency: 'CNY',
    payer: { ref: `ref-${Math.random()}` },
    ...fields,
  });
}

describe('refusals at payment, in the order they are checked', () => {
  test('amount_mismatch and currency_mismatch', async () => {
    const checkout = await createCheckout(merchant);
    const token = await tokenFor(wallet, checkout);
    const wrongAmount = await transfer(wallet, token, { amount: 12_991 });
    expect(wrongAmount.status).toBe(422);
    expect(wrongAmount.body.code).toBe('amount_mismatch');
    const wrongCurrency = await transfer(wallet, token, { currency: 'IDR' });
    expect(wrongCurrency.body.code).toBe('currency_mismatch');
    expect((await transfer(wallet, token)).status).toBe(201);
  });

  test('checkout_expired, on read and in the background, with the injected clock', async () => {
    const checkout = await createCheckout(merchant, { expiresInSeconds: 60 });
    const token = await tokenFor(wallet, checkout);
    hub.clock.advanceMs(61_000);
    const late = await transfer(wallet, token);
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('checkout_expired');
    const read = await merchant.call('GET', `/v1/checkouts/${checkout.id}`);
    expect(read.body).toMatchObject({ status: 'expired', expiredAt: hub.clock.now().toISOString() });

    const background = await createCheckout(merchant, { expiresInSeconds: 60 });
    hub.clock.advanceMs(61_000);
    await hub.workers['checkout-expiry']?.runOnce();
    const listed = await merchant.call('GET', '/v1/checkouts?status=expired&limit=100');
    expect(listed.body.data.map((row: { id: string }) => row.id)).toContain(background.id);
  });

  test('checkout_canceled; the reference is free again after cancel', async () => {
    const checkout = await createCheckout(merchant, { reference: 'cancel-me' });
    const token = await tokenFor(wallet, checkout);
    const clash = await merchant.call('POST', '/v1/checkouts', {
      amount: 100,
      currency: 'CNY',
      reference: 'cancel-me',
      buyerId: 'b',
    });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('reference_in_use');
    const canceled = await merchant.call('POST', `/v1/checkouts/${checkout.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    const refused = await transfer(wallet, token);
    expect(refused.body.code).toBe('checkout_canceled');
    const reused = await merchant.call('POST', '/v1/checkouts', {
      amount: 100,
      currency: 'CNY',
      reference: 'cancel-me',
      buyerId: 'b',
    });
    expect(reused.status).toBe(201);
  });

  test('channel_not_approved when the channel was suspended after the checkout was made', async () => {
    const checkout = await createCheckout(merchant);
    const token = await tokenFor(rival, checkout);
    const suspended = await rival.call('POST', `/v1/channel-applications/${rivalChannelId}/suspend`, {
      reason: 'risk review',
    });
    expect(suspended.body.status).toBe('suspended');
    const refused = await transfer(rival, token);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('channel_not_approved');
    const resolveAgain = await rival.call('POST', '/v1/payment-requests/resolve', { token });
    expect(resolveAgain.body.code).toBe('channel_not_approved');
    await rival.call('POST', `/v1/channel-applications/${rivalChannelId}/reinstate`);
  });

  test('a wallet without a channel cannot resolve, and a method not offered cannot be tried', async () => {
    const checkout = await createCheckout(merchant);
    const qr = await qrFor(checkout, wallet.id);
    const resolved = await stranger.call('POST', '/v1/payment-requests/resolve', { qrPayload: qr });
    expect(resolved.status).toBe(422);
    expect(resolved.body.code).toBe('wallet_mismatch');
    const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: stranger.id,
      flow: 'qr',
    });
    expect(attempt.status).toBe(422);
    expect(attempt.body.code).toBe('method_not_offered');
  });

  test('limit_exceeded when the payer would pass its net debit cap', async () => {
    const capped = await createWallet(hub, 'Capped Wallet', { netDebitCaps: { CNY: 10_000 } });
    await approveChannel(merchant, capped);
    const checkout = await createCheckout(merchant);
    const token = await tokenFor(capped, checkout);
    const refused = await transfer(capped, token);
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('limit_exceeded');
    expect((await positionsOf(hub))[`${capped.id}:CNY`] ?? 0).toBe(0);
  });

  test("wallet_mismatch: a token issued for one wallet's attempt is refused to another", async () => {
    const checkout = await createCheckout(merchant);
    const walletsQr = await qrFor(checkout, wallet.id);
    const resolved = await rival.call('POST', '/v1/payment-requests/resolve', { qrPayload: walletsQr });
    expect(resolved.status).toBe(422);
    expect(resolved.body.code).toBe('wallet_mismatch');
    const walletsToken = await tokenFor(wallet, checkout);
    const refused = await transfer(rival, walletsToken);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('wallet_mismatch');
    expect((await merchant.call('GET', `/v1/checkouts/${checkout.id}`)).body.status).toBe('open');
    expect((await transfer(wallet, walletsToken)).status).toBe(201);
  });

  test('checkout_already_paid to the second wallet', async () => {
    const checkout = await createCheckout(merchant);
    const rivalToken = await tokenFor(rival, checkout);
    const first = await transfer(wallet, await tokenFor(wallet, checkout));
    expect(first.status).toBe(201);
    const second = await transfer(rival, rivalToken);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('checkout_already_paid');
  });

  test('a suspended participant cannot pay: 403 participant_suspended', async () => {
    const checkout = await createCheckout(merchant);
    const token = await tokenFor(wallet, checkout);
    await bearerClient(hub, hub.operatorToken)('POST', `/v1/participants/${wallet.id}/suspend`);
    try {
      const refused = await transfer(wallet, token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('participant_suspended');
    } finally {
      await bearerClient(hub, hub.operatorToken)('POST', `/v1/participants/${wallet.id}/reinstate`);
    }
  });
});

describe('exactly once', () => {
  test('payer.ref is unique per participant forever: a repeat returns the original transfer', async () => {
    const checkout = await createCheckout(merchant);
    const token = await tokenFor(wallet, checkout);
    const first = await transfer(wallet, token, { payer: { ref: 'wallet-txn-77' } });
    const repeat = await transfer(wallet, token, { payer: { ref: 'wallet-txn-77' } });
    expect(repeat.status).toBe(201);
    expect(repeat.body.id).toBe(first.body.id);
    const lookup = await wallet.call('GET', '/v1/transfers?payerRef=wallet-txn-77');
    expect(lookup.body.data.map((row: { id: string }) => row.id)).toEqual([first.body.id]);
  });

  test('payer.ref is bound to what was asked: another checkout or amount is 409 payer_ref_reused', async () => {
    const checkout = await createCheckout(merchant);
    const token = await tokenFor(wallet, checkout);
    const first = await transfer(wallet, token, { payer: { ref: 'wallet-txn-78' } });
    expect(first.status, first.text).toBe(201);
    const other = await createCheckout(merchant);
    const otherToken = await tokenFor(wallet, other);
    const elsewhere = await transfer(wallet, otherToken, { payer: { ref: 'wallet-txn-78' } });
    expect(elsewhere.status, elsewhere.text).toBe(409);
    expect(elsewhere.body).toMatchObject({ code: 'payer_ref_reused', transferId: first.body.id });
    const otherAmount = await transfer(wallet, token, { amount: 12_000, payer: { ref: 'wallet-txn-78' } });
    expect(otherAmount.status).toBe(409);
    expect(otherAmount.body).toMatchObject({ code: 'payer_ref_reused', transferId: first.body.id });
    const stillOpen = await merchant.call('GET', `/v1/checkouts/${other.id}`);
    expect(stillOpen.body.status).toBe('open');
    expect((await transfer(wallet, otherToken, { payer: { ref: 'wallet-txn-79' } })).status).toBe(201);
  });

  test('50 concurrent transfers from two wallets for one checkout: exactly one winner, no 5xx', async () => {
    const before = await positionsOf(hub);
    const checkout = await createCheckout(merchant);
    const tokens = { [wallet.id]: await tokenFor(wallet, checkout), [rival.id]: await tokenFor(rival, checkout) };
    const racers = Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? wallet : rival));
    const answers = await Promise.all(
      racers.map((payer, index) => transfer(payer, tokens[payer.id] as string, { payer: { ref: `race-${index}` } })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    for (const answer of answers.filter((a) => a.status !== 201))
      expect(answer.body.code).toBe('checkout_already_paid');
    const winner = answers.find((answer) => answer.status === 201)?.body;
    const after = await positionsOf(hub);
    expect((after[`${winner.payerParticipantId}:CNY`] ?? 0) - (before[`${winner.payerParticipantId}:CNY`] ?? 0)).toBe(
      -12_990,
    );
    expect((after[`${acquirer.id}:CNY`] ?? 0) - (before[`${acquirer.id}:CNY`] ?? 0)).toBe(12_990);
  });
});

describe('resolving', () => {
  test('a foreign payload is qr_not_routable with its decoded tree', async () => {
    const promptPay = '00020101021129370016A000000677010111011300668012345675802TH530376463046197';
    const refused = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: promptPay });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('qr_not_routable');
    expect(refused.body.decoded.kind).toBe('mpm');
  });

  test('an unknown token is payment_token_unknown', async () => {
    const refused = await wallet.call('POST', '/v1/payment-requests/resolve', { token: 'pt_nothing' });
    expect(refused.body.code).toBe('payment_token_unknown');
  });
});

describe('a suspended merchant', () => {
  async function resolvedToken(payer: TestParticipant, qrPayload: string): Promise<string> {
    const resolved = await payer.call('POST', '/v1/payment-requests/resolve', { qrPayload });
    expect(resolved.status, resolved.text).toBe(200);
    return resolved.body.paymentToken;
  }

  test('checkouts, placards and till QRs made before the suspension neither resolve nor pay', async () => {
    const shop = await createMerchant(hub, acquirer, { name: 'Toko Tutup' });
    await approveChannel(shop, wallet);
    const checkout = await createCheckout(shop);
    const checkoutQr = await qrFor(checkout, wallet.id);
    const till = await shop.call('POST', '/v1/pos/qr-codes', { amount: 3_000, currency: 'CNY', reference: 'TILL-S1' });
    expect(till.status, till.text).toBe(201);
    const placard = (await shop.call('GET', `/v1/merchants/${shop.id}/placard?format=payload`)).body.payload;
    const payable = [
      { token: await resolvedToken(wallet, checkoutQr), amount: 12_990 },
      { token: await resolvedToken(wallet, till.body.qrPayload), amount: 3_000 },
      { token: await resolvedToken(wallet, placard), amount: 1_500 },
    ];
    const before = await positionsOf(hub);
    expect((await acquirer.call('POST', `/v1/merchants/${shop.id}/suspend`)).body.status).toBe('suspended');

    for (const qrPayload of [checkoutQr, till.body.qrPayload, placard]) {
      const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload });
      expect(resolved.status).toBe(422);
      expect(resolved.body.code).toBe('merchant_suspended');
    }
    for (const { token, amount } of payable) {
      const described = await wallet.call('POST', '/v1/payment-requests/resolve', { token });
      expect(described.body.code).toBe('merchant_suspended');
      const paid = await transfer(wallet, token, { amount });
      expect(paid.status).toBe(422);
      expect(paid.body.code).toBe('merchant_suspended');
    }
    const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: wallet.id,
      flow: 'qr',
    });
    expect(attempt.body.code).toBe('merchant_suspended');
    expect(await positionsOf(hub)).toEqual(before);

    expect((await acquirer.call('POST', `/v1/merchants/${shop.id}/reinstate`)).body.status).toBe('active');
    for (const { token, amount } of payable) expect((await transfer(wallet, token, { amount })).status).toBe(201);
  });
});
