import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, type TestParticipant, bearerClient, startTestHub } from '../testing/index.ts';
import { type TestMerchant, approveChannel, createCheckout, createMerchant, createWallet } from '../testing/world.ts';
import type { MethodDecision } from './index.ts';
import { bucketOf } from './model.ts';
import { decideWith, loadDecisionContext } from './service.ts';

let hub: TestHub;
let own: TestParticipant;
let fresh: TestParticipant;
let other: TestParticipant;
let operator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  own = await createWallet(hub, 'Own Pay', { roles: ['issuer', 'acquirer'] });
  fresh = await createWallet(hub, 'Fresh Wallet');
  other = await createWallet(hub, 'Other Wallet');
});
afterAll(async () => hub?.stop());

/** A merchant of the own acquirer with approved channels to the fresh wallet and the other one. */
async function shop(): Promise<TestMerchant & { channelId: string }> {
  const merchant = await createMerchant(hub, own);
  const channelId = await approveChannel(merchant, fresh);
  await approveChannel(merchant, other);
  return { ...merchant, channelId };
}

async function setRules(merchant: TestMerchant, rollout: Record<string, unknown>[]) {
  const put = await merchant.call('PUT', '/v1/checkout-settings', { rollout });
  expect(put.status, put.text).toBe(200);
  return put.body;
}

const walletIdsOf = (checkout: { methods: { walletId: string }[] }) =>
  checkout.methods.map((method) => method.walletId);

async function explain(merchant: TestMerchant, checkoutId: string): Promise<MethodDecision[]> {
  const explained = await merchant.call('GET', `/v1/checkouts/${checkoutId}/methods/explain`);
  expect(explained.status, explained.text).toBe(200);
  return explained.body.data;
}

const decisionOf = (decisions: MethodDecision[], walletId: string) =>
  decisions.find((decision) => decision.walletId === walletId);

describe('percentages over many buyers', () => {
  test('at 10 %, between 8 % and 12 % of 10 000 distinct buyers are offered the wallet; raised to 30 %, every one ' +
    'of them still is', async () => {
    const merchant = await shop();
    await setRules(merchant, [{ walletId: fresh.id, enabled: true, percent: 10 }]);
    const buyers = Array.from({ length: 10_000 }, (_, index) => `buyer-${index}`);
    // decideMethods is loadDecisionContext then decideWith: the context is read once for the 10 000 buyers.
    const offeredAmong = async (): Promise<Set<string>> => {
      const context = await loadDecisionContext(hub.ctx.db.kysely, merchant.id);
      const at = hub.clock.now();
      const offeredTo = (buyerId: string) =>
        decideWith(context, {
          merchantId: merchant.id,
          acquirerId: own.id,
          currency: 'CNY',
          amount: 1_000,
          buyerId,
          lines: [],
          at,
        }).methods.some((method) => method.walletId === fresh.id);
      return new Set(buyers.filter(offeredTo));
    };
    const atTen = await offeredAmong();
    expect(atTen.size).toBeGreaterThanOrEqual(800);
    expect(atTen.size).toBeLessThanOrEqual(1_200);

    // Over HTTP, the dry run and real checkouts agree with the decisions made in process.
    for (const buyerId of buyers.slice(0, 100)) {
      const dryRun = await merchant.call('POST', '/v1/rollout/explain', { buyerId, amount: 1_000, currency: 'CNY' });
      expect(dryRun.status, dryRun.text).toBe(200);
      expect(decisionOf(dryRun.body.data, fresh.id)?.offered).toBe(atTen.has(buyerId));
    }
    for (const buyerId of buyers.slice(0, 20)) {
      const checkout = await createCheckout(merchant, { buyerId, amount: 1_000, lines: [] });
      expect(walletIdsOf(checkout).includes(fresh.id)).toBe(atTen.has(buyerId));
    }

    await setRules(merchant, [{ walletId: fresh.id, enabled: true, percent: 30 }]);
    const atThirty = await offeredAmong();
    expect([...atTen].filter((buyerId) => !atThirty.has(buyerId))).toEqual([]);
    expect(atThirty.size).toBeGreaterThanOrEqual(2_800);
    expect(atThirty.size).toBeLessThanOrEqual(3_200);
  }, 120_000);

  test('the same buyer gets the same answer on every checkout; a new salt reshuffles on purpose', async () => {
    const merchant = await shop();
    await setRules(merchant, [{ walletId: fresh.id, enabled: true, percent: 50 }]);
    const buyers = Array.from({ length: 12 }, (_, index) => `repeat-${index}`);
    const answers = async () =>
      Promise.all(
        buyers.map(async (buyerId) => walletIdsOf(await createCheckout(merchant, { buyerId })).includes(fresh.id)),
      );
    const first = await answers();
    expect(await answers()).toEqual(first);
    expect(first).toEqual(buyers.map((buyerId) => bucketOf(fresh.id, buyerId) < 5_000));

    await setRules(merchant, [{ walletId: fresh.id, enabled: true, percent: 50, salt: 'second wave' }]);
    expect(await answers()).toEqual(buyers.map((buyerId) => bucketOf(fresh.id, buyerId, 'second wave') < 5_000));
  });
});

describe('which orders and buyers see the wallet, and explain says why', () => {
  test(
    'an item outside the categories hides the wallet and explain names the sku; a shipping line ' + 'does not',
    async () => {
      const merchant = await shop();
      await setRules(merchant, [{ walletId: fresh.id, enabled: true, percent: 100, categoryAllowList: ['grocery'] }]);
      const wine = await createCheckout(merchant, {
        amount: 14_990,
        lines: [
          { kind: 'product', sku: 'TEA-1', name: 'Oolong tea', category: 'grocery', quantity: 1, unitAmount: 5_000 },
          { kind: 'product', sku: 'WINE-9', name: 'Red wine', category: 'alcohol', quantity: 1, unitAmount: 7_000 },
          { kind: 'shipping', name: 'Courier', quantity: 1, unitAmount: 2_990 },
        ],
      });
      expect(walletIdsOf(wine)).not.toContain(fresh.id);
      expect(walletIdsOf(wine)).toContain(other.id);
      expect(decisionOf(await explain(merchant, wine.id), fresh.id)).toEqual({
        walletId: fresh.id,
        offered: false,
        reason: 'item_not_eligible',
        detail: { sku: 'WINE-9', category: 'alcohol', line: 1, condition: 'categoryAllowList' },
      });

      // The world's default checkout: grocery tea and a shipping line without a category.
      const tea = await createCheckout(merchant);
      expect(tea.lines.map((line: { kind: string }) => line.kind)).toEqual(['product', 'shipping']);
      expect(walletIdsOf(tea)).toContain(fresh.id);
      expect(decisionOf(await explain(merchant, tea.id), fresh.id)).toEqual({ walletId: fresh.id, offered: true });
    },
  );

  test('a SKU list: every product line must be on it', async () => {
    const merchant = await shop();
    await setRules(merchant, [{ walletId: fresh.id, enabled: true, percent: 100, skuAllowList: ['TEA-1'] }]);
    expect(walletIdsOf(await createCheckout(merchant))).toContain(fresh.id);
    const cup = await createCheckout(merchant, {
      amount: 5_000,
      lines: [{ kind: 'product', name: 'Tea cup', quantity: 1, unitAmount: 5_000 }],
    });
    expect(decisionOf(await explain(merchant, cup.id), fresh.id)).toMatchObject({
      reason: 'item_not_eligible',
      detail: { sku: null, condition: 'skuAllowList' },
    });
  });

  test('an allow-listed buyer outside the percentage is offered it; a deny-listed buyer never is', async () => {
    const merchant = await shop();
    const outsider =
      Array.from({ length: 100 }, (_, index) => `vip-${index}`).find(
        (buyerId) => bucketOf(fresh.id, buyerId) >= 2_500,
      ) ?? '';
    await setRules(merchant, [
      { walletId: fresh.id, enabled: true, percent: 25, buyerAllowList: [outsider], buyerDenyList: ['banned'] },
    ]);
    expect(walletIdsOf(await createCheckout(merchant, { buyerId: outsider }))).toContain(fresh.id);

    await setRules(merchant, [{ walletId: fresh.id, enabled: true, percent: 25, buyerDenyList: ['banned'] }]);
    const unlisted = await createCheckout(merchant, { buyerId: outsider });
    expect(decisionOf(await explain(merchant, unlisted.id), fresh.id)).toEqual({
      walletId: fresh.id,
      offered: false,
      reason: 'outside_percentage',
      detail: { bucket: bucketOf(fresh.id, outsider), threshold: 2_500 },
    });

    await setRules(merchant, [
      { walletId: fresh.id, enabled: true, percent: 100, buyerAllowList: ['banned'], buyerDenyList: ['banned'] },
    ]);
    const banned = await createCheckout(merchant, { buyerId: 'banned' });
    expect(decisionOf(await explain(merchant, banned.id), fresh.id)).toMatchObject({
      offered: false,
      reason: 'buyer_denied',
      detail: { buyerId: 'banned' },
    });
  });

  test('amounts: below minAmount or above maxAmount, the wallet is not offered', async () => {
    const merchant = await shop();
    await setRules(merchant, [
      { walletId: fresh.id, enabled: true, percent: 100, minAmount: 10_000, maxAmount: 20_000 },
    ]);
    const small = await createCheckout(merchant, { amount: 9_999, lines: [] });
    const fits = await createCheckout(merchant, { amount: 20_000, lines: [] });
    expect(decisionOf(await explain(merchant, small.id), fresh.id)).toMatchObject({
      reason: 'amount_out_of_range',
      detail: { amount: 9_999, minAmount: 10_000, maxAmount: 20_000 },
    });
    expect(walletIdsOf(fits)).toContain(fresh.id);
  });

  test('a disabled rule offers the wallet to nobody; no rule means fully on', async () => {
    const merchant = await shop();
    await setRules(merchant, [{ walletId: fresh.id, enabled: false, percent: 100, buyerAllowList: ['buyer-1'] }]);
    const off = await createCheckout(merchant);
    expect(decisionOf(await explain(merchant, off.id), fresh.id)).toEqual({
      walletId: fresh.id,
      offered: false,
      reason: 'rule_disabled',
      detail: { enabled: false },
    });
    await setRules(merchant, []);
    expect(walletIdsOf(await createCheckout(merchant))).toEqual([own.id, fresh.id, other.id]);
  });

  test(
    'a suspended channel vanishes from the next checkout and explain says channel_suspended; the earlier ' +
      'checkout keeps its decision',
    async () => {
      const merchant = await shop();
      const before = await createCheckout(merchant);
      expect(walletIdsOf(before)).toContain(fresh.id);
      const suspended = await fresh.call('POST', `/v1/channel-applications/${merchant.channelId}/suspend`, {
        reason: 'fraud review',
      });
      expect(suspended.status, suspended.text).toBe(200);
      const after = await createCheckout(merchant);
      expect(walletIdsOf(after)).not.toContain(fresh.id);
      expect(decisionOf(await explain(merchant, after.id), fresh.id)).toEqual({
        walletId: fresh.id,
        offered: false,
        reason: 'channel_suspended',
        detail: { channelId: merchant.channelId, status: 'suspended' },
      });
      expect(decisionOf(await explain(merchant, before.id), fresh.id)).toEqual({ walletId: fresh.id, offered: true });
    },
  );

  test('the time window opens at startsAt and closes at endsAt, by the hub clock', async () => {
    const merchant = await shop();
    const now = hub.clock.now().getTime();
    const startsAt = new Date(now + 60 * 60 * 1000).toISOString();
    const endsAt = new Date(now + 2 * 60 * 60 * 1000).toISOString();
    await setRules(merchant, [{ walletId: fresh.id, enabled: true, percent: 100, startsAt, endsAt }]);
    const early = await createCheckout(merchant);
    expect(decisionOf(await explain(merchant, early.id), fresh.id)).toEqual({
      walletId: fresh.id,
      offered: false,
      reason: 'outside_time_window',
      detail: { at: hub.clock.now().toISOString(), startsAt, endsAt },
    });
    hub.clock.set(new Date(startsAt));
    expect(walletIdsOf(await createCheckout(merchant))).toContain(fresh.id);
    hub.clock.set(new Date(Date.parse(endsAt) - 1));
    expect(walletIdsOf(await createCheckout(merchant))).toContain(fresh.id);
    hub.clock.set(new Date(endsAt));
    const late = await createCheckout(merchant);
    expect(decisionOf(await explain(merchant, late.id), fresh.id)).toMatchObject({ reason: 'outside_time_window' });
    const dryRun = await merchant.call('POST', '/v1/rollout/explain', {
      buyerId: 'buyer-1',
      amount: 100,
      currency: 'CNY',
    });
    expect(decisionOf(dryRun.body.data, fresh.id)).toMatchObject({ reason: 'outside_time_window' });
  });

  test('explain covers every wallet of the directory, in the order of the reasons', async () => {
    const merchant = await shop();
    const idle = await createWallet(hub, 'Idle Wallet');
    const rupiah = await createWallet(hub, 'Rupiah Wallet', { currencies: ['IDR'], netDebitCaps: { IDR: 1_000_000 } });
    const dryRun = await merchant.call('POST', '/v1/rollout/explain', {
      buyerId: 'buyer-1',
      amount: 12_990,
      currency: 'CNY',
      lines: [{ kind: 'product', sku: 'TEA-1', quantity: 1, unitAmount: 12_990 }],
    });
    expect(dryRun.status, dryRun.text).toBe(200);
    const byWallet = Object.fromEntries(
      dryRun.body.data.map((decision: MethodDecision) => [
        decision.walletId,
        decision.offered ? 'offered' : decision.reason,
      ]),
    );
    expect(byWallet).toMatchObject({
      [own.id]: 'offered',
      [fresh.id]: 'offered',
      [other.id]: 'offered',
      [idle.id]: 'channel_missing',
      [rupiah.id]: 'currency_not_supported',
    });
    const participants = await operator('GET', '/v1/participants?limit=100');
    const activeIssuers = participants.body.data.filter(
      (participant: { roles: string[]; status: string }) =>
        participant.roles.includes('issuer') && participant.status === 'active',
    );
    expect(Object.keys(byWallet).sort()).toEqual(
      activeIssuers.map((participant: { id: string }) => participant.id).sort(),
    );
  });

  test('the method list and the explanation never disagree (a property over rules and buyers)', async () => {
    const merchant = await shop();
    const rules = fc.record({
      enabled: fc.boolean(),
      percent: fc.integer({ min: 0, max: 10_000 }).map((basisPoints) => basisPoints / 100),
      buyerDenyList: fc.option(fc.constant(['b-1', 'b-2']), { nil: undefined }),
      buyerAllowList: fc.option(fc.constant(['b-3', 'b-4']), { nil: undefined }),
      categoryAllowList: fc.option(fc.constant(['grocery']), { nil: undefined }),
      maxAmount: fc.option(fc.integer({ min: 10_000, max: 20_000 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(rules, rules, fc.integer({ min: 1, max: 8 }), async (freshRule, otherRule, buyer) => {
        const strip = (rule: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(rule).filter(([, value]) => value !== undefined));
        await setRules(merchant, [
          strip({ walletId: fresh.id, ...freshRule }),
          strip({ walletId: other.id, ...otherRule }),
        ]);
        const checkout = await createCheckout(merchant, { buyerId: `b-${buyer}` });
        const stored = await explain(merchant, checkout.id);
        const dryRun = await merchant.call('POST', '/v1/rollout/explain', {
          buyerId: `b-${buyer}`,
          amount: checkout.amount,
          currency: 'CNY',
          lines: checkout.lines,
        });
        const offered = (decisions: MethodDecision[]) =>
          decisions
            .filter((decision) => decision.offered)
            .map((decision) => decision.walletId)
            .sort();
        expect(offered(stored)).toEqual([...walletIdsOf(checkout)].sort());
        expect(dryRun.body.data).toEqual(stored);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('rules as the merchant sets them', () => {
  test('read back as set, in order; absent rollout keeps the rules, [] removes them', async () => {
    const merchant = await shop();
    const rollout = [
      { walletId: other.id, enabled: true, percent: 12.5, salt: 'wave-1', startsAt: '2026-01-01T00:00:00.000Z' },
      {
        walletId: fresh.id,
        enabled: false,
        percent: 0,
        buyerAllowList: ['staff-1'],
        skuAllowList: ['TEA-1'],
        categoryAllowList: ['grocery'],
        minAmount: 100,
        maxAmount: 200,
      },
    ];
    const put = await setRules(merchant, rollout);
    expect(put.rollout).toEqual(rollout);
    expect((await merchant.call('GET', '/v1/checkout-settings')).body.rollout).toEqual(rollout);
    const ranked = await merchant.call('PUT', '/v1/checkout-settings', { defaultWalletId: other.id });
    expect(ranked.body).toMatchObject({ defaultWalletId: other.id, rollout });
    expect((await setRules(merchant, [])).rollout).toEqual([]);
  });

  test('refused, one error for every invalid field', async () => {
    const merchant = await shop();
    const refused = await merchant.call('PUT', '/v1/checkout-settings', {
      rollout: [
        { walletId: fresh.id, enabled: true, percent: 12.345, minAmount: 10, maxAmount: 9 },
        { walletId: 'par_nobody', enabled: true, percent: 5 },
        {
          walletId: fresh.id,
          enabled: true,
          percent: 5,
          startsAt: '2026-03-10T10:00:00Z',
          endsAt: '2026-03-10T09:00:00Z',
        },
      ],
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.code).toBe('invalid_request');
    expect(refused.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual([
      '/rollout/1/walletId',
      '/rollout/0/percent',
      '/rollout/0/maxAmount',
      '/rollout/2/walletId',
      '/rollout/2/endsAt',
    ]);
    const shape = await merchant.call('PUT', '/v1/checkout-settings', {
      rollout: [{ walletId: fresh.id, percent: 101, buyerDenyList: ['a', 'a'], colour: 'red' }],
    });
    expect(shape.status).toBe(400);
    expect(shape.body.code).toBe('invalid_request');
    expect(shape.body.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual([
      '/rollout/0/buyerDenyList',
      '/rollout/0/colour',
      '/rollout/0/enabled',
      '/rollout/0/percent',
    ]);
    expect((await merchant.call('GET', '/v1/checkout-settings')).body.rollout).toEqual([]);
  });
});

describe("the wallet's side, and what other merchants cannot see", () => {
  test('a wallet reads the rules merchants set for it, and only those', async () => {
    const first = await shop();
    const second = await shop();
    await setRules(first, [
      { walletId: fresh.id, enabled: true, percent: 5 },
      { walletId: other.id, enabled: true, percent: 50 },
    ]);
    await setRules(second, [{ walletId: fresh.id, enabled: true, percent: 20, skuAllowList: ['TEA-1'] }]);

    const mine = await fresh.call('GET', `/v1/rollout/rules?merchantId=${first.id}`);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body).toEqual({
      data: [
        {
          id: expect.stringMatching(/^rol_/),
          merchantId: first.id,
          walletId: fresh.id,
          enabled: true,
          percent: 5,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    const all = await fresh.call('GET', '/v1/rollout/rules?limit=100');
    const ofBoth = all.body.data.filter(
      (rule: { merchantId: string }) => rule.merchantId === first.id || rule.merchantId === second.id,
    );
    expect(ofBoth.map((rule: { merchantId: string; percent: number }) => [rule.merchantId, rule.percent])).toEqual([
      [first.id, 5],
      [second.id, 20],
    ]);
    expect(all.body.data.every((rule: { walletId: string }) => rule.walletId === fresh.id)).toBe(true);
    const theirs = await other.call('GET', `/v1/rollout/rules?merchantId=${second.id}`);
    expect(theirs.body.data).toEqual([]);

    const paged = await fresh.call('GET', '/v1/rollout/rules?limit=1');
    expect(paged.body.data).toHaveLength(1);
    expect(
      (await fresh.call('GET', `/v1/rollout/rules?limit=100&after=${paged.body.nextCursor}`)).body.data.map(
        (rule: { id: string }) => rule.id,
      ),
    ).toEqual(all.body.data.slice(1).map((rule: { id: string }) => rule.id));
  });

  test("a merchant cannot read another merchant's rules or explanations", async () => {
    const first = await shop();
    const second = await shop();
    await setRules(first, [{ walletId: fresh.id, enabled: true, percent: 5 }]);
    const checkout = await createCheckout(first);

    expect(await second.call('GET', `/v1/rollout/rules?merchantId=${first.id}`)).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
    expect((await second.call('GET', '/v1/rollout/rules')).body.data).toEqual([]);
    expect(
      (await first.call('GET', '/v1/rollout/rules')).body.data.map((rule: { walletId: string }) => rule.walletId),
    ).toEqual([fresh.id]);
    expect((await second.call('GET', '/v1/checkout-settings')).body.rollout).toEqual([]);
    const foreign = await second.call('GET', `/v1/checkouts/${checkout.id}/methods/explain`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('not_found');
    expect(await first.call('GET', '/v1/checkouts/chk_unknown/methods/explain')).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
    expect(
      await bearerClient(hub, checkout.clientSecret)('GET', `/v1/checkouts/${checkout.id}/methods/explain`),
    ).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await fresh.call('GET', `/v1/checkouts/${checkout.id}/methods/explain`)).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    expect(await operator('POST', '/v1/rollout/explain', { buyerId: 'b', amount: 1, currency: 'CNY' })).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });

  test('the dry run checks its body like a checkout', async () => {
    const merchant = await shop();
    const refused = await merchant.call('POST', '/v1/rollout/explain', {
      buyerId: '',
      amount: 0,
      currency: 'XXY',
      lines: [{ kind: 'gift', quantity: 0, unitAmount: 1 }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('invalid_request');
    expect(refused.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual(
      expect.arrayContaining(['/buyerId', '/amount', '/lines/0/kind', '/lines/0/quantity']),
    );
    const unknownCurrency = await merchant.call('POST', '/v1/rollout/explain', {
      buyerId: 'b',
      amount: 1,
      currency: 'XXY',
    });
    expect(unknownCurrency.body.errors).toEqual([{ pointer: '/currency', detail: 'XXY is not an ISO 4217 currency' }]);
  });
});
