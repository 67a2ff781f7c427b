import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type DecisionLine,
  type MethodRefusalReason,
  type RolloutRule,
  type WalletFacts,
  bucketKeyOf,
  bucketOf,
  decideWallet,
  hasTwoDecimalsAtMost,
  normalizeRule,
  rolloutRuleErrors,
  sameRule,
  thresholdOf,
} from './model.ts';

const walletId = 'par_w';
const at = new Date('2026-03-10T08:00:00.000Z');
const tea: DecisionLine = { kind: 'product', sku: 'TEA-1', category: 'grocery', quantity: 2, unitAmount: 5_000 };
const courier: DecisionLine = { kind: 'shipping', quantity: 1, unitAmount: 2_990 };

/** The first buyer, counting up from `buyer-0`, whose bucket for the wallet satisfies `wanted`. */
function buyerWhere(wanted: (bucket: number) => boolean, salt?: string): string {
  for (let index = 0; ; index += 1) if (wanted(bucketOf(walletId, `buyer-${index}`, salt))) return `buyer-${index}`;
}
const inside = buyerWhere((bucket) => bucket < 1_000);
const outside = buyerWhere((bucket) => bucket >= 5_000);

function facts(
  rule: Partial<RolloutRule> | null,
  checkout: Partial<WalletFacts['checkout']> = {},
  channel: WalletFacts['channel'] = { id: 'cha_1', status: 'approved' },
): WalletFacts {
  return {
    wallet: { id: walletId, name: 'W', currencies: ['CNY', 'IDR'] },
    channel,
    rule: rule === null ? null : { walletId, enabled: true, percent: 100, ...rule },
    merchantCurrency: 'CNY',
    checkout: {
      merchantId: 'mer_1',
      acquirerId: 'par_own',
      currency: 'CNY',
      amount: 12_990,
      buyerId: inside,
      lines: [tea, courier],
      at,
      ...checkout,
    },
  };
}

describe('a rule: the first reason that applies, after the channel', () => {
  type Row = {
    name: string;
    facts: WalletFacts;
    reason: MethodRefusalReason | undefined;
    detail?: Record<string, unknown>;
  };
  // Rows in the order of the reasons they exercise; where two reasons apply, the earlier wins.
  const rows: Row[] = [
    { name: 'no rule: fully on', facts: facts(null, { buyerId: outside }), reason: undefined },
    {
      name: 'a suspended channel comes before a disabled rule',
      facts: facts({ enabled: false }, {}, { id: 'cha_1', status: 'suspended' }),
      reason: 'channel_suspended',
    },
    {
      name: 'disabled, even for an allow-listed buyer',
      facts: facts({ enabled: false, buyerAllowList: [inside] }),
      reason: 'rule_disabled',
      detail: { enabled: false },
    },
    {
      name: 'disabled before denied',
      facts: facts({ enabled: false, buyerDenyList: [inside] }),
      reason: 'rule_disabled',
    },
    {
      name: 'denied, even when also allow-listed',
      facts: facts({ buyerDenyList: [inside], buyerAllowList: [inside] }),
      reason: 'buyer_denied',
      detail: { buyerId: inside },
    },
    {
      name: 'denied before the time window',
      facts: facts({ buyerDenyList: [inside], startsAt: '2026-04-01T00:00:00.000Z' }),
      reason: 'buyer_denied',
    },
    {
      name: 'before startsAt',
      facts: facts({ startsAt: '2026-03-10T08:00:00.001Z' }),
      reason: 'outside_time_window',
      detail: { at: at.toISOString(), startsAt: '2026-03-10T08:00:00.001Z', endsAt: null },
    },
    { name: 'at startsAt: open (inclusive)', facts: facts({ startsAt: at.toISOString() }), reason: undefined },
    {
      name: 'at endsAt: closed (exclusive)',
      facts: facts({ endsAt: at.toISOString() }),
      reason: 'outside_time_window',
    },
    {
      name: 'the window before the amount',
      facts: facts({ endsAt: '2026-01-01T00:00:00.000Z', minAmount: 1_000_000 }),
      reason: 'outside_time_window',
    },
    {
      name: 'below minAmount',
      facts: facts({ minAmount: 12_991 }),
      reason: 'amount_out_of_range',
      detail: { amount: 12_990, currency: 'CNY', minAmount: 12_991, maxAmount: null, amountCurrency: 'CNY' },
    },
    {
      name: 'at the bounds: in range (inclusive)',
      facts: facts({ minAmount: 12_990, maxAmount: 12_990 }),
      reason: undefined,
    },
    { name: 'above maxAmount', facts: facts({ maxAmount: 12_989 }), reason: 'amount_out_of_range' },
    {
      name: "bounds count in the merchant's currency: an IDR checkout is not in range",
      facts: facts({ minAmount: 1 }, { currency: 'IDR' }),
      reason: 'amount_out_of_range',
    },
    {
      name: 'the amount before the items',
      facts: facts({ maxAmount: 1, skuAllowList: ['OTHER'] }),
      reason: 'amount_out_of_range',
    },
    {
      name: 'a product outside the SKUs',
      facts: facts(
        { skuAllowList: ['TEA-1'] },
        { lines: [tea, { kind: 'product', sku: 'WINE-9', category: 'alcohol', quantity: 1, unitAmount: 1 }, courier] },
      ),
      reason: 'item_not_eligible',
      detail: { sku: 'WINE-9', category: 'alcohol', line: 1, condition: 'skuAllowList' },
    },
    {
      name: 'a product outside the categories',
      facts: facts(
        { categoryAllowList: ['grocery'] },
        { lines: [{ kind: 'product', sku: 'WINE-9', category: 'alcohol', quantity: 1, unitAmount: 1 }] },
      ),
      reason: 'item_not_eligible',
      detail: { sku: 'WINE-9', category: 'alcohol', line: 0, condition: 'categoryAllowList' },
    },
    {
      name: 'a product without a category',
      facts: facts(
        { categoryAllowList: ['grocery'] },
        { lines: [{ kind: 'product', sku: 'X', quantity: 1, unitAmount: 1 }] },
      ),
      reason: 'item_not_eligible',
    },
    {
      name: 'shipping, discount and tax lines are not products',
      facts: facts(
        { skuAllowList: ['TEA-1'], categoryAllowList: ['grocery'] },
        {
          lines: [
            tea,
            courier,
            { kind: 'discount', quantity: 1, unitAmount: -5 },
            { kind: 'tax', quantity: 1, unitAmount: 5 },
          ],
        },
      ),
      reason: undefined,
    },
    {
      name: 'no product line cannot show its items are eligible',
      facts: facts({ categoryAllowList: ['grocery'] }, { lines: [courier] }),
      reason: 'item_not_eligible',
      detail: { sku: null, category: null, line: null, condition: 'no_product_lines' },
    },
    {
      name: 'items before the percentage',
      facts: facts({ percent: 0, skuAllowList: ['OTHER'] }),
      reason: 'item_not_eligible',
    },
    {
      name: 'a buyer outside the percentage',
      facts: facts({ percent: 50 }, { buyerId: outside }),
      reason: 'outside_percentage',
      detail: { bucket: bucketOf(walletId, outside), threshold: 5_000 },
    },
    { name: 'a buyer inside the percentage', facts: facts({ percent: 10 }), reason: undefined },
    {
      name: 'an allow-listed buyer outside the percentage',
      facts: facts({ percent: 0, buyerAllowList: [outside] }, { buyerId: outside }),
      reason: undefined,
    },
    {
      name: '0 % offers nobody',
      facts: facts({ percent: 0 }, { buyerId: buyerWhere((bucket) => bucket === 0) }),
      reason: 'outside_percentage',
    },
    {
      name: '100 % offers everybody',
      facts: facts({ percent: 100 }, { buyerId: buyerWhere((bucket) => bucket >= 9_990) }),
      reason: undefined,
    },
  ];

  test.each(rows)('$name → $reason', ({ facts: given, reason, detail }) => {
    const decision = decideWallet(given);
    if (reason === undefined) expect(decision).toEqual({ walletId, offered: true });
    else
      expect(decision).toEqual({
        walletId,
        offered: false,
        reason,
        ...(detail ? { detail } : { detail: expect.anything() }),
      });
  });
});

describe('stable buckets', () => {
  const ids = fc.string({ minLength: 1, maxLength: 40 });
  const salts = fc.option(fc.string({ maxLength: 20 }), { nil: undefined });
  /** Percentages with at most two decimals. */
  const percents = fc.integer({ min: 0, max: 10_000 }).map((basisPoints) => basisPoints / 100);

  test('the key is the documented JSON array, and the bucket its SHA-256 read as documented', () => {
    expect(bucketKeyOf('par_w', 'buyer-1', 's')).toBe('["lintas.rollout.bucket.v1","par_w","buyer-1","s"]');
    expect(bucketKeyOf('par_w', 'buyer-1')).toBe('["lintas.rollout.bucket.v1","par_w","buyer-1",""]');
    // Pinned, so that a change of scheme (which reshuffles every rollout) cannot pass unnoticed.
    expect([bucketOf('par_w', 'buyer-1'), bucketOf('par_w', 'buyer-2'), bucketOf('par_w', 'buyer-1', 'again')]).toEqual(
      [5_326, 6_226, 1_590],
    );
  });

  test('the same buyer, wallet and salt always land in the same bucket, within 0-9 999', () => {
    fc.assert(
      fc.property(ids, ids, salts, (wallet, buyer, salt) => {
        const bucket = bucketOf(wallet, buyer, salt);
        expect(Number.isInteger(bucket) && bucket >= 0 && bucket < 10_000).toBe(true);
        expect(bucketOf(wallet, buyer, salt)).toBe(bucket);
      }),
    );
  });

  test('no two different triples share a key', () => {
    fc.assert(
      fc.property(fc.tuple(ids, ids, fc.string()), fc.tuple(ids, ids, fc.string()), (left, right) => {
        fc.pre(left.join('\u0000') !== right.join('\u0000'));
        expect(bucketKeyOf(...left)).not.toBe(bucketKeyOf(...right));
      }),
    );
  });

  test('raising the percentage only adds buyers; lowering it only removes them', () => {
    fc.assert(
      fc.property(ids, salts, percents, percents, (buyer, salt, first, second) => {
        const [low, high] = first <= second ? [first, second] : [second, first];
        const offeredAt = (percent: number) => decideWallet(facts({ percent, salt }, { buyerId: buyer })).offered;
        if (offeredAt(low)) expect(offeredAt(high)).toBe(true);
        if (!offeredAt(high)) expect(offeredAt(low)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  test('a new salt reshuffles: the buyers offered at 10 % under one salt are mostly others under another', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (first, second) => {
        fc.pre(first !== second);
        const buyers = Array.from({ length: 2_000 }, (_, index) => `shopper-${index}`);
        const offered = (salt: string) =>
          new Set(buyers.filter((buyer) => bucketOf(walletId, buyer, salt) < thresholdOf(10)));
        const [before, after] = [offered(first), offered(second)];
        const kept = [...before].filter((buyer) => after.has(buyer)).length;
        // Independent draws keep about 10 % of them; the same draw would keep all.
        expect(kept / before.size).toBeLessThan(0.3);
      }),
      { numRuns: 20 },
    );
  });

  test('percentages: two decimals at most, as basis points', () => {
    expect([0, 0.01, 0.29, 12.5, 33.33, 99.99, 100].map(hasTwoDecimalsAtMost)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([0.001, 12.345, 99.999].map(hasTwoDecimalsAtMost)).toEqual([false, false, false]);
    expect([0, 0.01, 0.29, 12.5, 33.33, 100].map(thresholdOf)).toEqual([0, 1, 29, 1_250, 3_333, 10_000]);
  });
});

describe('rules as set', () => {
  test('one error per field the schema cannot judge, each with its pointer', () => {
    const rules: RolloutRule[] = [
      { walletId: 'par_a', enabled: true, percent: 12.345, minAmount: 10, maxAmount: 9 },
      {
        walletId: 'par_b',
        enabled: true,
        percent: 50,
        startsAt: '2026-03-10T00:00:00Z',
        endsAt: '2026-03-10T00:00:00Z',
      },
      { walletId: 'par_a', enabled: false, percent: 0 },
    ];
    expect(rolloutRuleErrors(rules).map((error) => error.pointer)).toEqual([
      '/rollout/0/percent',
      '/rollout/0/maxAmount',
      '/rollout/1/endsAt',
      '/rollout/2/walletId',
    ]);
    expect(
      rolloutRuleErrors([{ walletId: 'par_a', enabled: true, percent: 0.29, minAmount: 5, maxAmount: 5 }]),
    ).toEqual([]);
  });

  test('normalized: fields in one order, times in UTC; the same rule whatever the order it came in', () => {
    const given: RolloutRule = {
      endsAt: '2026-03-10T09:00:00+01:00',
      percent: 5,
      enabled: true,
      walletId: 'par_a',
      salt: 's',
    };
    expect(JSON.stringify(normalizeRule(given))).toBe(
      '{"walletId":"par_a","enabled":true,"percent":5,"salt":"s","endsAt":"2026-03-10T08:00:00.000Z"}',
    );
    expect(
      sameRule(given, { walletId: 'par_a', enabled: true, percent: 5, salt: 's', endsAt: '2026-03-10T08:00:00.000Z' }),
    ).toBe(true);
    expect(sameRule(given, { ...given, percent: 6 })).toBe(false);
  });
});
