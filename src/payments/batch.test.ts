import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type TestHub,
  type TestParticipant,
  failAnswerStorage,
  freshKey,
  ledgerCheckOf,
  startTestHub,
} from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  buyerOf,
  createCheckout,
  createMerchant,
  createWallet,
  positionsOf,
} from '../testing/world.ts';
import { batchItemsMax } from './batch.ts';

let hub: TestHub;
let wallet: TestParticipant;
let acquirer: TestParticipant;
let merchant: TestMerchant;
const amount = 12_990;
const capPayments = 6;

beforeAll(async () => {
  hub = await startTestHub();
  wallet = await createWallet(hub, 'Batch Wallet', { netDebitCaps: { CNY: capPayments * amount } });
  acquirer = await createWallet(hub, 'Batch Acquirer', { roles: ['acquirer'] });
  merchant = await createMerchant(hub, acquirer);
  await approveChannel(merchant, wallet);
});
afterAll(async () => {
  await hub?.stop();
});

/** What a wallet holds before it pays: a checkout's resolved token, amount and currency. */
async function resolvedCheckout(): Promise<{ paymentToken: string; amount: number; currency: string }> {
  const checkout = await createCheckout(merchant);
  const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId: wallet.id,
    flow: 'qr',
  });
  const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: attempt.body.qrPayload });
  expect(resolved.status).toBe(200);
  const { paymentToken, currency } = resolved.body;
  return { paymentToken, amount: resolved.body.amount, currency };
}

const itemOf = (resolved: { paymentToken: string; amount: number; currency: string }, ref: string) => ({
  ...resolved,
  payer: { ref },
});

describe('POST /v1/transfers/batch', () => {
  test('each item is paid or refused on its own, in order, one answer each; a repeat is the stored answer', async () => {
    const good = await Promise.all([resolvedCheckout(), resolvedCheckout(), resolvedCheckout()]);
    const mismatched = await resolvedCheckout();
    const items = [
      itemOf(good[0] as never, 'batch-a'),
      { ...itemOf(mismatched, 'batch-b'), amount: mismatched.amount + 1 },
      itemOf(good[1] as never, 'batch-c'),
      { ...itemOf(good[2] as never, 'batch-d'), paymentToken: 'pt_unknown' },
    ];
    const key = freshKey();
    const sent = await wallet.call('POST', '/v1/transfers/batch', { items }, { idempotencyKey: key });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ committed: 2, refused: 2 });
    expect(sent.body.items.map((item: { index: number; status: number }) => [item.index, item.status])).toEqual([
      [0, 201],
      [1, 422],
      [2, 201],
      [3, 422],
    ]);
    expect(sent.body.items[1].problem.code).toBe('amount_mismatch');
    expect(sent.body.items[3].problem.code).toBe('payment_token_unknown');
    expect(sent.body.items[0].transfer).toMatchObject({ amount, payerRef: 'batch-a', status: 'committed' });

    const repeated = await wallet.call('POST', '/v1/transfers/batch', { items }, { idempotencyKey: key });
    expect(repeated.headers.get('idempotent-replayed')).toBe('true');
    expect(repeated.body).toEqual(sent.body);
    expect((await positionsOf(hub))[`${wallet.id}:CNY`]).toBe(-2 * amount);
  });

  test('items past the cap are refused one by one while the ones before it commit', async () => {
    const already = -((await positionsOf(hub))[`${wallet.id}:CNY`] ?? 0);
    const room = capPayments - (already ?? 0) / amount;
    const resolved = await Promise.all(Array.from({ length: room + 2 }, () => resolvedCheckout()));
    const items = resolved.map((one, index) => itemOf(one, `cap-${index}`));
    const sent = await wallet.call('POST', '/v1/transfers/batch', { items });
    expect(sent.body.items.map((item: { status: number }) => item.status)).toEqual([
      ...Array(room).fill(201),
      402,
      402,
    ]);
    expect(sent.body.items.at(-1).problem.code).toBe('limit_exceeded');
    expect((await positionsOf(hub))[`${wallet.id}:CNY`]).toBe(-capPayments * amount);
    expect(sent.body.committed).toBe(room);
    expect(ledgerCheckOf(hub.database.location).status).toBe(0);
  });

  test('a batch whose stored answer was lost runs again and makes nothing twice', async () => {
    const roomy = await createWallet(hub, 'Roomy Batch Wallet');
    await approveChannel(merchant, roomy);
    const pay = async () => {
      const checkout = await createCheckout(merchant);
      const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
        walletId: roomy.id,
        flow: 'qr',
      });
      const resolved = await roomy.call('POST', '/v1/payment-requests/resolve', { qrPayload: attempt.body.qrPayload });
      const { paymentToken, currency } = resolved.body;
      return itemOf({ paymentToken, amount: resolved.body.amount, currency }, `lost-${checkout.id}`);
    };
    const items = [await pay(), await pay()];
    const key = freshKey();
    const lift = await failAnswerStorage(hub);
    let first: Awaited<ReturnType<typeof roomy.call>>;
    try {
      first = await roomy.call('POST', '/v1/transfers/batch', { items }, { idempotencyKey: key });
    } finally {
      await lift();
    }
    expect(first.status, first.text).toBe(200);
    expect(first.body.committed).toBe(2);
    const rebuilt = await roomy.call('POST', '/v1/transfers/batch', { items }, { idempotencyKey: key });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.headers.get('idempotent-replayed')).toBe('true');
    expect(rebuilt.body.items.map((item: { transfer: { id: string } }) => item.transfer.id)).toEqual(
      first.body.items.map((item: { transfer: { id: string } }) => item.transfer.id),
    );
    expect((await positionsOf(hub))[`${roomy.id}:CNY`]).toBe(-2 * amount);
  });

  test(`more than ${batchItemsMax} items, none, or a caller that is not a participant is refused whole`, async () => {
    const item = itemOf({ paymentToken: 'pt_x', amount: 1, currency: 'CNY' }, 'too-many');
    const tooMany = await wallet.call('POST', '/v1/transfers/batch', { items: Array(batchItemsMax + 1).fill(item) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe('invalid_request');
    const none = await wallet.call('POST', '/v1/transfers/batch', { items: [] });
    expect(none.status).toBe(400);
    const asMerchant = await merchant.call('POST', '/v1/transfers/batch', { items: [item] });
    expect(asMerchant.status).toBe(403);
  });
});
