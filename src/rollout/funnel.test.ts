import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createManualClock } from '../platform/index.ts';
import { type TestHub, type TestParticipant, startTestHub } from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  buyerOf,
  createCheckout,
  createMerchant,
  createWallet,
} from '../testing/world.ts';
import { spanOf, statsDaysMax } from './funnel.ts';

let hub: TestHub;
let walletA: TestParticipant;
let walletB: TestParticipant;
let walletC: TestParticipant;
let stranger: TestParticipant;
let merchant: TestMerchant;
let rival: TestMerchant;
let payerRefs = 0;

const day1 = '2026-03-10';
const day2 = '2026-03-11';

async function attempt(
  checkout: { id: string; clientSecret: string },
  wallet: TestParticipant,
  flow: 'qr' | 'app_switch' | 'friend_pay',
) {
  const started = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId: wallet.id,
    flow,
  });
  expect(started.status, started.text).toBe(201);
  return started.body;
}

/** A signed wallet resolves what the buyer shows it, then pays. */
async function pay(wallet: TestParticipant, resolveBody: Record<string, string>) {
  const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', resolveBody);
  expect(resolved.status, resolved.text).toBe(200);
  payerRefs += 1;
  const paid = await wallet.call('POST', '/v1/transfers', {
    paymentToken: resolved.body.paymentToken,
    amount: resolved.body.amount,
    currency: resolved.body.currency,
    payer: { ref: `funnel-${payerRefs}` },
  });
  expect(paid.status, paid.text).toBe(201);
}

/** The checkouts of two days, as the test's comments in `scripted` tell them. */
async function scripted(): Promise<void> {
  // Day 1. 1: B by QR, paid.
  const first = await createCheckout(merchant, { buyerId: 'buyer-1' });
  await pay(walletB, { qrPayload: (await attempt(first, walletB, 'qr')).qrPayload });
  // 2: B by app switch, twice, never paid: one checkout attempted.
  const second = await createCheckout(merchant, { buyerId: 'buyer-2' });
  await attempt(second, walletB, 'app_switch');
  await attempt(second, walletB, 'app_switch');
  // 3: the buyer shares with B; a friend pays from C.
  const third = await createCheckout(merchant, { buyerId: 'buyer-3' });
  const shareToken = (await attempt(third, walletB, 'friend_pay')).shareUrl.split('/').pop();
  const shared = await fetch(`${hub.url}/v1/share/${shareToken}`).then(
    (response) => response.json() as Promise<{ wallets: { walletId: string; qrPayload: string }[] }>,
  );
  await pay(walletC, { qrPayload: shared.wallets.find((wallet) => wallet.walletId === walletC.id)?.qrPayload ?? '' });
  // 4: a buyer C is denied to; nothing tried.
  await createCheckout(merchant, { buyerId: 'no-c' });
  // 5: created at 23:50, tried with A, paid with A at 00:10: counts on the day it was created.
  hub.clock.set(new Date(`${day1}T23:50:00.000Z`));
  const late = await createCheckout(merchant, { buyerId: 'buyer-5', expiresInSeconds: 3_600 });
  const lateAttempt = await attempt(late, walletA, 'qr');
  hub.clock.set(new Date(`${day2}T00:10:00.000Z`));
  await pay(walletA, { qrPayload: lateAttempt.qrPayload });
  // Day 2. 6: C by QR, paid.
  const sixth = await createCheckout(merchant, { buyerId: 'buyer-6' });
  await pay(walletC, { qrPayload: (await attempt(sixth, walletC, 'qr')).qrPayload });
  // 7: A by app switch, left there.
  await attempt(await createCheckout(merchant, { buyerId: 'no-c' }), walletA, 'app_switch');
  // Another merchant's checkout, paid with B, counts only for that merchant.
  hub.clock.set(new Date(`${day1}T12:00:00.000Z`));
  const elsewhere = await createCheckout(rival, { buyerId: 'buyer-1' });
  await pay(walletB, { qrPayload: (await attempt(elsewhere, walletB, 'qr')).qrPayload });
  hub.clock.set(new Date(`${day2}T08:00:00.000Z`));
}

beforeAll(async () => {
  hub = await startTestHub({ clock: createManualClock(new Date(`${day1}T09:00:00.000Z`)) });
  walletA = await createWallet(hub, 'Alpha Pay', { roles: ['issuer', 'acquirer'] });
  walletB = await createWallet(hub, 'Beta Wallet');
  walletC = await createWallet(hub, 'Gamma Wallet');
  stranger = await createWallet(hub, 'Stranger Wallet');
  merchant = await createMerchant(hub, walletA);
  rival = await createMerchant(hub, walletA, { name: 'Toko Sebelah' });
  for (const shop of [merchant, rival]) {
    await approveChannel(shop, walletB);
    await approveChannel(shop, walletC);
  }
  const put = await merchant.call('PUT', '/v1/checkout-settings', {
    rollout: [{ walletId: walletC.id, enabled: true, percent: 100, buyerDenyList: ['no-c'] }],
  });
  expect(put.status, put.text).toBe(200);
  await scripted();
}, 120_000);
afterAll(async () => hub?.stop());

type Row = { walletId: string; date: string; offered: number; attempted: number; paid: number };
const row = (wallet: TestParticipant, date: string, offered: number, attempted: number, paid: number): Row => ({
  walletId: wallet.id,
  date,
  offered,
  attempted,
  paid,
});
const byDateAndWallet = (left: Row, right: Row) =>
  left.date.localeCompare(right.date) || (left.walletId < right.walletId ? -1 : 1);

describe('the funnel: offered, attempted, paid per wallet and day', () => {
  test('the counts match the scripted checkouts, attempts and payments', async () => {
    const stats = await merchant.call('GET', `/v1/rollout/stats?from=${day1}&to=${day2}`);
    expect(stats.status, stats.text).toBe(200);
    expect(stats.body.data).toEqual(
      [
        row(walletA, day1, 5, 1, 1),
        row(walletB, day1, 5, 3, 1),
        row(walletC, day1, 4, 0, 1),
        row(walletA, day2, 2, 1, 0),
        row(walletB, day2, 2, 0, 0),
        row(walletC, day2, 1, 1, 1),
      ].sort(byDateAndWallet),
    );
  });

  test('narrowed to a wallet or a day; by default the week up to today', async () => {
    const ofB = await merchant.call('GET', `/v1/rollout/stats?from=${day1}&to=${day2}&walletId=${walletB.id}`);
    expect(ofB.body.data).toEqual([row(walletB, day1, 5, 3, 1), row(walletB, day2, 2, 0, 0)]);
    const secondDay = await merchant.call('GET', `/v1/rollout/stats?from=${day2}&to=${day2}`);
    expect(secondDay.body.data.map((counted: Row) => counted.date)).toEqual([day2, day2, day2]);
    const byDefault = await merchant.call('GET', '/v1/rollout/stats');
    expect(byDefault.body.data).toHaveLength(6);
    const before = await merchant.call('GET', '/v1/rollout/stats?from=2026-03-01&to=2026-03-09');
    expect(before.body.data).toEqual([]);
    const rivalStats = await rival.call('GET', `/v1/rollout/stats?from=${day1}&to=${day2}`);
    expect(rivalStats.body.data).toEqual(
      [row(walletA, day1, 1, 0, 0), row(walletB, day1, 1, 1, 1), row(walletC, day1, 1, 0, 0)].sort(byDateAndWallet),
    );
  });

  test("a wallet reads its own funnel at a merchant that applied to it; nobody reads another's", async () => {
    const asB = await walletB.call('GET', `/v1/rollout/stats?merchantId=${merchant.id}&from=${day1}&to=${day2}`);
    expect(asB.status, asB.text).toBe(200);
    expect(asB.body.data).toEqual([row(walletB, day1, 5, 3, 1), row(walletB, day2, 2, 0, 0)]);
    expect(
      await walletB.call('GET', `/v1/rollout/stats?merchantId=${merchant.id}&walletId=${walletC.id}`),
    ).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await stranger.call('GET', `/v1/rollout/stats?merchantId=${merchant.id}`)).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
    const unnamed = await walletB.call('GET', '/v1/rollout/stats');
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.code).toBe('invalid_request');
    expect(unnamed.body.errors).toEqual([{ pointer: '/merchantId', detail: 'is required for a wallet' }]);
    const foreign = await rival.call('GET', `/v1/rollout/stats?merchantId=${merchant.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('not_found');
  });

  test('the span is checked: from not after to, at most the documented days, real dates', async () => {
    const reversed = await merchant.call('GET', `/v1/rollout/stats?from=${day2}&to=${day1}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.code).toBe('invalid_request');
    expect(reversed.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual(['/from']);
    const long = await merchant.call('GET', '/v1/rollout/stats?from=2026-01-01&to=2026-03-10');
    expect(long.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual(['/to']);
    expect(await merchant.call('GET', '/v1/rollout/stats?from=2026-02-30')).toMatchObject({
      status: 400,
      body: { code: 'invalid_request' },
    });
    expect(await merchant.call('GET', '/v1/rollout/stats?to=10-03-2026')).toMatchObject({
      status: 400,
      body: { code: 'invalid_request' },
    });
  });
});

describe('spans of days', () => {
  const now = new Date('2026-03-11T08:00:00.000Z');
  test.each([
    { query: {}, span: { fromAt: '2026-03-05T00:00:00.000Z', toAt: '2026-03-12T00:00:00.000Z' } },
    { query: { to: '2026-03-01' }, span: { fromAt: '2026-02-23T00:00:00.000Z', toAt: '2026-03-02T00:00:00.000Z' } },
    {
      query: { from: '2026-03-11', to: '2026-03-11' },
      span: { fromAt: '2026-03-11T00:00:00.000Z', toAt: '2026-03-12T00:00:00.000Z' },
    },
    {
      query: { from: '2026-02-01', to: '2026-03-03' },
      span: { fromAt: '2026-02-01T00:00:00.000Z', toAt: '2026-03-04T00:00:00.000Z' },
    },
  ])('$query', ({ query, span }) => {
    expect(spanOf(query, now)).toEqual({ ok: true, value: span });
  });

  test(`${statsDaysMax + 1} days are too many`, () => {
    expect(spanOf({ from: '2026-02-01', to: '2026-03-04' }, now)).toMatchObject({ ok: false, code: 'invalid_request' });
  });
});
