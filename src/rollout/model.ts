/**
 * Rollout: which wallets a checkout offers, and why the others are not.
 * Pure rules, no I/O.
 *
 * A decision is made per wallet of the directory from facts gathered once
 * (`WalletFacts`): the checks of `methodChecks` run in order and the first
 * that refuses names the reason. The offered wallets are then ranked by the
 * merchant's settings. Rollout rules (percentages, buyer and product lists,
 * time windows) extend this by adding their facts to `WalletFacts` and their
 * checks after the channel's, so that the method list and its explanation
 * keep coming from this one place.
 */
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

/** Everything known about one wallet for one checkout, gathered before deciding. */
export type WalletFacts = {
  wallet: { id: string; name: string; currencies: readonly string[] };
  /** The merchant's current channel with the wallet: the live one, else its latest rejected one. */
  channel: { id: string; status: ChannelStatus } | null;
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
    refuses: ({ channel }) => (channel && channelRefusalOf[channel.status] === reason ? { detail: { channelId: channel.id, status: channel.status } } : undefined),
  };
}

/** The one precedence table: the first check that refuses names the reason. */
export const methodChecks: readonly MethodCheck[] = [
  {
    reason: 'currency_not_supported',
    refuses: ({ wallet, checkout }) =>
      wallet.currencies.includes(checkout.currency) ? undefined : { detail: { currency: checkout.currency, walletCurrencies: [...wallet.currencies] } },
  },
  { reason: 'channel_missing', refuses: ({ channel }) => (channel === null ? {} : undefined) },
  channelCheck('channel_pending'),
  channelCheck('channel_rejected'),
  channelCheck('channel_suspended'),
];

export function decideWallet(facts: WalletFacts): MethodDecision {
  for (const check of methodChecks) {
    const refused = check.refuses(facts);
    if (refused) return { walletId: facts.wallet.id, offered: false, reason: check.reason, ...(refused.detail ? { detail: refused.detail } : {}) };
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

export type Ranking = { defaultWalletId: string | null; primaryWalletIds: readonly string[]; methodOrder: readonly string[] };

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
