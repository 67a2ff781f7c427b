/**
 * Rollout: which wallets a checkout offers, and why the others are not.
 * Pure rules, no I/O.
 *
 * A decision is made per wallet of the directory from facts gathered once
 * (`WalletFacts`): the checks of `methodChecks` run in order and the first
 * that refuses names the reason. The offered wallets are then ranked by the
 * merchant's settings. The merchant's rollout rule for the wallet (on or
 * off, buyer lists, time window, amounts, products, percentage) adds its
 * checks after the channel's, so the method list and its explanation keep
 * coming from this one place.
 */
import { createHash } from 'node:crypto';
import type { ChannelStatus } from '../channels/index.ts';
import type { WalletFlow } from '../participants/index.ts';

export type MethodPlacement = 'default' | 'primary' | 'other';
export type MethodFlow = Exclude<WalletFlow, 'payment_code'>;

/** A channel offered at one checkout. */
export type Method = { walletId: string; name: string; placement: MethodPlacement; flows: MethodFlow[] };

/** Why a wallet of the directory is not offered, in the order the checks run. */
export const methodRefusalReasons = [
  /** The wallet does not list the checkout's currency (there is no conversion). */
  'currency_not_supported',
  /** The merchant never applied to the wallet. */
  'channel_missing',
  /** The application waits for the wallet's review, or for the merchant's answer. */
  'channel_pending',
  /** The wallet rejected the merchant's latest application. */
  'channel_rejected',
  /** The wallet suspended its channel with the merchant. */
  'channel_suspended',
  /** The merchant's rule for the wallet is switched off. */
  'rule_disabled',
  /** The buyer is on the rule's deny list. */
  'buyer_denied',
  /** The checkout is created before the rule's `startsAt` or from its `endsAt` on. */
  'outside_time_window',
  /** The amount is below `minAmount` or above `maxAmount`, or not in the merchant's currency they are counted in. */
  'amount_out_of_range',
  /** A product line is outside the rule's SKUs or categories (`detail.sku`), or there is no product line to check. */
  'item_not_eligible',
  /** The buyer's bucket is not below the rule's threshold (`detail.bucket`, `detail.threshold`, in basis points). */
  'outside_percentage',
] as const;
export type MethodRefusalReason = (typeof methodRefusalReasons)[number];

export type MethodDecision =
  | { walletId: string; offered: true }
  | { walletId: string; offered: false; reason: MethodRefusalReason; detail?: Record<string, unknown> };

export type DecisionLine = {
  kind: 'product' | 'shipping' | 'discount' | 'tax';
  sku?: string | null | undefined;
  category?: string | null | undefined;
  quantity: number;
  unitAmount: number;
};

/** What the checkout being created tells the decision. */
export type DecisionInput = {
  merchantId: string;
  acquirerId: string;
  currency: string;
  /** Minor units of `currency`. */
  amount: number;
  buyerId: string;
  lines: readonly DecisionLine[];
  at: Date;
};

/**
 * A merchant's rollout rule for one wallet, as the merchant sets it. Every
 * condition given must hold for the wallet to be offered; an absent list or
 * bound is no condition. Amounts are minor units of the merchant's currency.
 * `startsAt` is inclusive, `endsAt` exclusive.
 */
export type RolloutRule = {
  walletId: string;
  enabled: boolean;
  /** The share of buyers offered the wallet: 0-100, at most two decimals. */
  percent: number;
  salt?: string | undefined;
  buyerAllowList?: string[] | undefined;
  buyerDenyList?: string[] | undefined;
  skuAllowList?: string[] | undefined;
  categoryAllowList?: string[] | undefined;
  minAmount?: number | undefined;
  maxAmount?: number | undefined;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
};

/** Everything known about one wallet for one checkout, gathered before deciding. */
export type WalletFacts = {
  wallet: { id: string; name: string; currencies: readonly string[] };
  /** The merchant's current channel with the wallet: the live one, else its latest rejected one. */
  channel: { id: string; status: ChannelStatus } | null;
  /** The merchant's rollout rule for the wallet; none means fully on. */
  rule: RolloutRule | null;
  /** The currency a rule's `minAmount` and `maxAmount` count in. */
  merchantCurrency: string;
  checkout: DecisionInput;
};

type MethodCheck = {
  reason: MethodRefusalReason;
  /** Undefined when the wallet passes; else the facts that refused it. */
  refuses(facts: WalletFacts): { detail?: Record<string, unknown> } | undefined;
};

/** What each channel status means for a checkout; a Record, so a new status must be placed here. */
const channelRefusalOf: Record<ChannelStatus, MethodRefusalReason | undefined> = {
  pending: 'channel_pending',
  info_requested: 'channel_pending',
  approved: undefined,
  rejected: 'channel_rejected',
  suspended: 'channel_suspended',
};

function channelCheck(reason: MethodRefusalReason): MethodCheck {
  return {
    reason,
    refuses: ({ channel }) =>
      channel && channelRefusalOf[channel.status] === reason
        ? { detail: { channelId: channel.id, status: channel.status } }
        : undefined,
  };
}

// ---------------------------------------------------------------- buckets

/** Buckets are basis points of the buyers: 0 to 9 999. */
export const bucketsCount = 10_000;
/** Names the hashing scheme, so that a later scheme cannot collide with this one. */
export const bucketSchemeTag = 'lintas.rollout.bucket.v1';

/**
 * The text hashed for a buyer's bucket: the JSON array
 * `["lintas.rollout.bucket.v1", walletId, buyerId, salt]` (salt `""` when
 * absent). JSON escapes every string, so no two triples share a text.
 */
export function bucketKeyOf(walletId: string, buyerId: string, salt = ''): string {
  return JSON.stringify([bucketSchemeTag, walletId, buyerId, salt]);
}

/**
 * A buyer's stable bucket for a wallet: the first 8 bytes of the SHA-256 of
 * `bucketKeyOf`, read as an unsigned big-endian integer, modulo 10 000.
 * (2^64 is so much larger than 10 000 that the modulo's bias is below 10^-15.)
 * The same triple always lands in the same bucket on every hub; a new salt
 * draws every buyer's bucket anew.
 */
export function bucketOf(walletId: string, buyerId: string, salt = ''): number {
  const digest = createHash('sha256')
    .update(bucketKeyOf(walletId, buyerId, salt), 'utf8')
    .digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(bucketsCount));
}

/** A percentage with at most two decimals as basis points: 12.5 → 1 250. Buckets below it are offered. */
export function thresholdOf(percent: number): number {
  return Math.round(percent * 100);
}

/** Does the percentage have at most two decimals? (Checked on the scaled value: 0.29 × 100 is 28.999999999999996.) */
export function hasTwoDecimalsAtMost(percent: number): boolean {
  const scaled = percent * 100;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

// ---------------------------------------------------------------- rule checks

function ruleCheck(
  reason: MethodRefusalReason,
  refuses: (rule: RolloutRule, facts: WalletFacts) => Record<string, unknown> | undefined,
): MethodCheck {
  return {
    reason,
    refuses: (facts) => {
      if (facts.rule === null) return undefined;
      const detail = refuses(facts.rule, facts);
      return detail ? { detail } : undefined;
    },
  };
}

function outsideTimeWindow(rule: RolloutRule, { checkout }: WalletFacts): Record<string, unknown> | undefined {
  const at = checkout.at.getTime();
  const early = rule.startsAt !== undefined && at < Date.parse(rule.startsAt);
  const late = rule.endsAt !== undefined && at >= Date.parse(rule.endsAt);
  if (!early && !late) return undefined;
  return { at: checkout.at.toISOString(), startsAt: rule.startsAt ?? null, endsAt: rule.endsAt ?? null };
}

function amountOutOfRange(
  rule: RolloutRule,
  { checkout, merchantCurrency }: WalletFacts,
): Record<string, unknown> | undefined {
  if (rule.minAmount === undefined && rule.maxAmount === undefined) return undefined;
  const inRange =
    checkout.currency === merchantCurrency &&
    (rule.minAmount === undefined || checkout.amount >= rule.minAmount) &&
    (rule.maxAmount === undefined || checkout.amount <= rule.maxAmount);
  if (inRange) return undefined;
  return {
    amount: checkout.amount,
    currency: checkout.currency,
    minAmount: rule.minAmount ?? null,
    maxAmount: rule.maxAmount ?? null,
    amountCurrency: merchantCurrency,
  };
}

/**
 * One payment covers the whole order, so every product line must be
 * eligible; shipping, discount and tax lines are not products. A checkout
 * without product lines cannot show that its items are eligible.
 */
function itemNotEligible(rule: RolloutRule, { checkout }: WalletFacts): Record<string, unknown> | undefined {
  if (rule.skuAllowList === undefined && rule.categoryAllowList === undefined) return undefined;
  const products = checkout.lines.map((line, index) => ({ line, index })).filter(({ line }) => line.kind === 'product');
  if (products.length === 0) return { sku: null, category: null, line: null, condition: 'no_product_lines' };
  for (const { line, index } of products) {
    const sku = line.sku ?? null;
    const category = line.category ?? null;
    if (rule.skuAllowList !== undefined && (sku === null || !rule.skuAllowList.includes(sku)))
      return { sku, category, line: index, condition: 'skuAllowList' };
    if (rule.categoryAllowList !== undefined && (category === null || !rule.categoryAllowList.includes(category))) {
      return { sku, category, line: index, condition: 'categoryAllowList' };
    }
  }
  return undefined;
}

/** An allow-listed buyer bypasses the percentage (and only the percentage). */
function outsidePercentage(rule: RolloutRule, { wallet, checkout }: WalletFacts): Record<string, unknown> | undefined {
  if (rule.buyerAllowList?.includes(checkout.buyerId)) return undefined;
  const bucket = bucketOf(wallet.id, checkout.buyerId, rule.salt);
  const threshold = thresholdOf(rule.percent);
  return bucket < threshold ? undefined : { bucket, threshold };
}

/** The one precedence table: the first check that refuses names the reason. */
export const methodChecks: readonly MethodCheck[] = [
  {
    reason: 'currency_not_supported',
    refuses: ({ wallet, checkout }) =>
      wallet.currencies.includes(checkout.currency)
        ? undefined
        : { detail: { currency: checkout.currency, walletCurrencies: [...wallet.currencies] } },
  },
  { reason: 'channel_missing', refuses: ({ channel }) => (channel === null ? {} : undefined) },
  channelCheck('channel_pending'),
  channelCheck('channel_rejected'),
  channelCheck('channel_suspended'),
  ruleCheck('rule_disabled', (rule) => (rule.enabled ? undefined : { enabled: false })),
  ruleCheck('buyer_denied', (rule, { checkout }) =>
    rule.buyerDenyList?.includes(checkout.buyerId) ? { buyerId: checkout.buyerId } : undefined,
  ),
  ruleCheck('outside_time_window', outsideTimeWindow),
  ruleCheck('amount_out_of_range', amountOutOfRange),
  ruleCheck('item_not_eligible', itemNotEligible),
  ruleCheck('outside_percentage', outsidePercentage),
];

export function decideWallet(facts: WalletFacts): MethodDecision {
  for (const check of methodChecks) {
    const refused = check.refuses(facts);
    if (refused)
      return {
        walletId: facts.wallet.id,
        offered: false,
        reason: check.reason,
        ...(refused.detail ? { detail: refused.detail } : {}),
      };
  }
  return { walletId: facts.wallet.id, offered: true };
}

/** The merchant's ranking as stored; absent fields mean "not chosen". */
export type CheckoutSettings = {
  merchantId: string;
  defaultWalletId: string | null;
  primaryWalletIds: string[];
  methodOrder: string[];
  createdAt: string;
  updatedAt: string;
};

export type Ranking = {
  defaultWalletId: string | null;
  primaryWalletIds: readonly string[];
  methodOrder: readonly string[];
};

/** Without a chosen default, the merchant's own acquirer is the default (when it is offered). */
export function rankingOf(settings: CheckoutSettings | undefined, acquirerId: string): Ranking {
  return {
    defaultWalletId: settings?.defaultWalletId ?? acquirerId,
    primaryWalletIds: settings?.primaryWalletIds ?? [],
    methodOrder: settings?.methodOrder ?? [],
  };
}

const placementRank: Record<MethodPlacement, number> = { default: 0, primary: 1, other: 2 };
const nameCollator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

export function placementOf(walletId: string, ranking: Ranking): MethodPlacement {
  if (walletId === ranking.defaultWalletId) return 'default';
  if (ranking.primaryWalletIds.includes(walletId)) return 'primary';
  return 'other';
}

/** Default first, then primaries, then the rest; each group in methodOrder order, then by name. */
export function rankMethods(offered: readonly Omit<Method, 'placement'>[], ranking: Ranking): Method[] {
  const orderOf = (walletId: string) => {
    const index = ranking.methodOrder.indexOf(walletId);
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  return offered
    .map((method) => ({ ...method, placement: placementOf(method.walletId, ranking) }))
    .sort(
      (left, right) =>
        placementRank[left.placement] - placementRank[right.placement] ||
        orderOf(left.walletId) - orderOf(right.walletId) ||
        nameCollator.compare(left.name, right.name) ||
        (left.walletId < right.walletId ? -1 : left.walletId > right.walletId ? 1 : 0),
    )
    .map(({ walletId, name, placement, flows }) => ({ walletId, name, placement, flows }));
}

/** The directory's order, for decisions: by name, then id. */
export function byName<T extends { id: string; name: string }>(left: T, right: T): number {
  return nameCollator.compare(left.name, right.name) || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0);
}

export function methodFlowsOf(flows: readonly WalletFlow[]): MethodFlow[] {
  return flows.filter((flow): flow is MethodFlow => flow !== 'payment_code');
}

/** Limits of the settings, in wallets. */
export const primaryWalletsMax = 50;
export const methodOrderWalletsMax = 100;

// ---------------------------------------------------------------- rules as set

/** Limits of the rules, per merchant and per rule. */
export const rolloutRulesMax = 100;
export const buyerListItemsMax = 1_000;
export const skuListItemsMax = 1_000;
export const categoryListItemsMax = 100;
export const saltCharsMax = 64;

/** A rule as stored: the merchant's rule with its own id and times. */
export type StoredRolloutRule = { id: string; merchantId: string } & RolloutRule & {
    createdAt: string;
    updatedAt: string;
  };

/** The rule in one canonical shape: fields in a fixed order, absent ones left out, times in UTC. */
export function normalizeRule(rule: RolloutRule): RolloutRule {
  const optional = <K extends keyof RolloutRule>(key: K, value: RolloutRule[K]) =>
    value === undefined ? {} : { [key]: value };
  return {
    walletId: rule.walletId,
    enabled: rule.enabled,
    percent: rule.percent,
    ...optional('salt', rule.salt),
    ...optional('buyerAllowList', rule.buyerAllowList),
    ...optional('buyerDenyList', rule.buyerDenyList),
    ...optional('skuAllowList', rule.skuAllowList),
    ...optional('categoryAllowList', rule.categoryAllowList),
    ...optional('minAmount', rule.minAmount),
    ...optional('maxAmount', rule.maxAmount),
    ...optional('startsAt', rule.startsAt === undefined ? undefined : new Date(rule.startsAt).toISOString()),
    ...optional('endsAt', rule.endsAt === undefined ? undefined : new Date(rule.endsAt).toISOString()),
  };
}

/** The same rule, whatever the order its fields were given in. */
export function sameRule(left: RolloutRule, right: RolloutRule): boolean {
  return JSON.stringify(normalizeRule(left)) === JSON.stringify(normalizeRule(right));
}

/**
 * What the schema cannot say about a set of rules, one error per field:
 * one rule per wallet, two decimals at most, bounds in order.
 */
export function rolloutRuleErrors(rules: readonly RolloutRule[]): { pointer: string; detail: string }[] {
  const errors: { pointer: string; detail: string }[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const at = (field: string) => `/rollout/${index}/${field}`;
    if (seen.has(rule.walletId))
      errors.push({ pointer: at('walletId'), detail: `${rule.walletId} already has a rule in this list` });
    seen.add(rule.walletId);
    if (!hasTwoDecimalsAtMost(rule.percent))
      errors.push({ pointer: at('percent'), detail: 'has more than two decimals' });
    if (rule.minAmount !== undefined && rule.maxAmount !== undefined && rule.minAmount > rule.maxAmount) {
      errors.push({ pointer: at('maxAmount'), detail: `is below minAmount ${rule.minAmount}` });
    }
    if (
      rule.startsAt !== undefined &&
      rule.endsAt !== undefined &&
      Date.parse(rule.startsAt) >= Date.parse(rule.endsAt)
    ) {
      errors.push({ pointer: at('endsAt'), detail: `is not after startsAt ${rule.startsAt}` });
    }
  });
  return errors;
}
