import { type ChannelStatus, listChannelsOfMerchant } from '../channels/index.ts';
import type { HubContext } from '../context.ts';
import { inTransaction, lockNamed, type Queryable, type Tx } from '../db/index.ts';
import { actorOf, type Caller, type FieldError } from '../http/index.ts';
import { findMerchant } from '../merchants/index.ts';
import { type Participant, flowsOf, listActiveIssuers } from '../participants/index.ts';
import { type Result, newId, ok, refuse, invariant } from '../platform/index.ts';
import {
  type CheckoutSettings,
  type DecisionInput,
  type DecisionLine,
  type Method,
  type MethodDecision,
  type RolloutRule,
  type StoredRolloutRule,
  byName,
  decideWallet,
  methodFlowsOf,
  normalizeRule,
  rankMethods,
  rankingOf,
  rolloutRuleErrors,
  sameRule,
} from './model.ts';
import * as store from './store.ts';

/** What a merchant's decisions depend on besides the checkout: read once, then used for any number of checkouts. */
export type DecisionContext = {
  wallets: readonly Participant[];
  channelOf: ReadonlyMap<string, { id: string; status: ChannelStatus }>;
  ruleOf: ReadonlyMap<string, RolloutRule>;
  settings: CheckoutSettings | undefined;
  merchantCurrency: string;
};

/** The directory, the merchant's channels, rules and ranking, as they are now. */
export async function loadDecisionContext(db: Queryable, merchantId: string): Promise<DecisionContext> {
  const [directory, channels, settings, rules, merchant] = await Promise.all([
    listActiveIssuers(db),
    listChannelsOfMerchant(db, merchantId),
    store.findSettings(db, merchantId),
    store.listRulesOfMerchant(db, merchantId),
    findMerchant(db, merchantId),
  ]);
  invariant(merchant !== undefined, `merchant ${merchantId}, whose methods are decided, exists`);
  return {
    wallets: [...directory].sort(byName),
    channelOf: new Map(channels.map((channel) => [channel.walletId, { id: channel.id, status: channel.status }])),
    ruleOf: new Map(rules.map((rule) => [rule.walletId, rule])),
    settings,
    merchantCurrency: merchant.currency,
  };
}

/** The decision for one checkout from a loaded context: pure, so the same facts always give the same methods. */
export function decideWith(
  context: DecisionContext,
  input: DecisionInput,
): { methods: Method[]; decisions: MethodDecision[] } {
  const decisions = context.wallets.map((wallet) =>
    decideWallet({
      wallet,
      channel: context.channelOf.get(wallet.id) ?? null,
      rule: context.ruleOf.get(wallet.id) ?? null,
      merchantCurrency: context.merchantCurrency,
      checkout: input,
    }),
  );
  const offeredIds = new Set(decisions.filter((decision) => decision.offered).map((decision) => decision.walletId));
  const offered = context.wallets
    .filter((wallet) => offeredIds.has(wallet.id))
    .map((wallet) => ({ walletId: wallet.id, name: wallet.name, flows: methodFlowsOf(flowsOf(wallet)) }));
  const methods = rankMethods(offered, rankingOf(context.settings, input.acquirerId));
  invariant(
    methods.length === offeredIds.size,
    `one method is ranked per offered wallet (${methods.length} for ${offeredIds.size})`,
  );
  invariant(
    methods.every((method) => offeredIds.has(method.walletId)),
    'every ranked method was decided as offered',
  );
  return { methods, decisions };
}

/**
 * The methods a checkout offers and, for every wallet of the directory, why
 * it is or is not offered. The one function checkout creation calls, and the
 * one the dry run calls, so the list and its explanation never disagree.
 * Runs in the caller's transaction.
 */
export async function decideMethods(
  tx: Queryable,
  input: DecisionInput,
): Promise<{ methods: Method[]; decisions: MethodDecision[] }> {
  return decideWith(await loadDecisionContext(tx, input.merchantId), input);
}

export type SettingsInput = {
  defaultWalletId?: string | null | undefined;
  primaryWalletIds?: string[] | undefined;
  methodOrder?: string[] | undefined;
  /** Absent: the rules stay as they are. A list replaces them all; `[]` removes them. */
  rollout?: RolloutRule[] | undefined;
};
export type SettingsRefusal = 'invalid_request';

/** The merchant's settings with its rollout rules, as it sets them. */
export type Settings = CheckoutSettings & { rollout: RolloutRule[] };

/** What a merchant reads: its settings, or the empty ones it has until it sets them. */
export type SettingsView = Omit<Settings, 'createdAt' | 'updatedAt'> & {
  createdAt: string | null;
  updatedAt: string | null;
};

function emptySettings(merchantId: string): SettingsView {
  return {
    merchantId,
    defaultWalletId: null,
    primaryWalletIds: [],
    methodOrder: [],
    rollout: [],
    createdAt: null,
    updatedAt: null,
  };
}

/** A stored rule as the merchant wrote it: without its id and times. */
function conditionsOf(rule: StoredRolloutRule): RolloutRule {
  return normalizeRule(rule);
}

export async function readSettings(db: Queryable, merchantId: string): Promise<SettingsView> {
  const [settings, rules] = await Promise.all([
    store.findSettings(db, merchantId),
    store.listRulesOfMerchant(db, merchantId),
  ]);
  return settings ? { ...settings, rollout: rules.map(conditionsOf) } : emptySettings(merchantId);
}

function unknownWalletErrors(input: SettingsInput, wallets: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const check = (id: string, pointer: string) => {
    if (!wallets.has(id)) errors.push({ pointer, detail: `${id} is not a wallet on this hub` });
  };
  if (input.defaultWalletId) check(input.defaultWalletId, '/defaultWalletId');
  for (const [index, id] of (input.primaryWalletIds ?? []).entries()) check(id, `/primaryWalletIds/${index}`);
  for (const [index, id] of (input.methodOrder ?? []).entries()) check(id, `/methodOrder/${index}`);
  for (const [index, rule] of (input.rollout ?? []).entries()) check(rule.walletId, `/rollout/${index}/walletId`);
  return errors;
}

/**
 * Replaces the merchant's settings as a whole (its rules too, when given);
 * audited with before and after. Each rule that is created, changed or
 * removed is audited on its own as well, so the wallet it names reads its
 * history without reading the merchant's other settings.
 */
export async function putSettings(
  ctx: HubContext,
  caller: Caller,
  input: SettingsInput,
): Promise<Result<Settings, SettingsRefusal>> {
  invariant(caller.type === 'merchant', `only a merchant sets its checkout settings (not a ${caller.type})`);
  return inTransaction(ctx.db, async (tx) => {
    const mentioned = [
      input.defaultWalletId ?? [],
      input.primaryWalletIds ?? [],
      input.methodOrder ?? [],
      (input.rollout ?? []).map((rule) => rule.walletId),
    ].flat();
    const wallets = await store.walletIdsAmong(tx, [...new Set(mentioned)]);
    const errors = [...unknownWalletErrors(input, wallets), ...rolloutRuleErrors(input.rollout ?? [])];
    if (errors.length > 0) return refuse('invalid_request', 'the settings are not valid', { errors });
    // Two first PUTs of one merchant would both insert its rules; one waits for the other.
    await lockNamed(tx, `checkout_settings:${caller.id}`);
    const current = await store.findSettings(tx, caller.id, { lock: true });
    const currentRules = await store.listRulesOfMerchant(tx, caller.id);
    const before: Settings | null = current ? { ...current, rollout: currentRules.map(conditionsOf) } : null;
    const stamp = ctx.clock.now().toISOString();
    const rules =
      input.rollout === undefined
        ? currentRules
        : await replaceRules(ctx, tx, caller, currentRules, input.rollout, stamp);
    const after: Settings = {
      merchantId: caller.id,
      defaultWalletId: input.defaultWalletId ?? null,
      primaryWalletIds: input.primaryWalletIds ?? [],
      methodOrder: input.methodOrder ?? [],
      rollout: rules.map(conditionsOf),
      createdAt: current?.createdAt ?? stamp,
      updatedAt: stamp,
    };
    const { rollout: _rollout, ...ranking } = after;
    await store.upsertSettings(tx, ranking);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'checkout_settings.updated',
      objectType: 'checkout_settings',
      objectId: caller.id,
      before,
      after,
    });
    return ok(after);
  });
}

/**
 * Makes the stored rules the wanted ones: removed, created, changed or only moved. Returns them in the wanted order.
 */
async function replaceRules(
  ctx: HubContext,
  tx: Tx,
  caller: Caller,
  current: readonly StoredRolloutRule[],
  wanted: readonly RolloutRule[],
  stamp: string,
): Promise<StoredRolloutRule[]> {
  const actor = actorOf(caller);
  const wantedWallets = new Set(wanted.map((rule) => rule.walletId));
  for (const rule of current.filter((stored) => !wantedWallets.has(stored.walletId))) {
    await store.deleteRule(tx, rule.id);
    await ctx.audit(tx, {
      actor,
      action: 'rollout_rule.deleted',
      objectType: 'rollout_rule',
      objectId: rule.id,
      before: rule,
      after: null,
    });
  }
  const currentOf = new Map(current.map((rule) => [rule.walletId, rule]));
  const result: StoredRolloutRule[] = [];
  for (const [position, rule] of wanted.entries()) {
    const existing = currentOf.get(rule.walletId);
    if (!existing) {
      const created: StoredRolloutRule = {
        id: newId('rol', ctx.clock.now(), ctx.random),
        merchantId: caller.id,
        ...normalizeRule(rule),
        createdAt: stamp,
        updatedAt: stamp,
      };
      await store.insertRule(tx, created, position);
      await ctx.audit(tx, {
        actor,
        action: 'rollout_rule.created',
        objectType: 'rollout_rule',
        objectId: created.id,
        before: null,
        after: created,
      });
      result.push(created);
    } else if (!sameRule(existing, rule)) {
      const changed: StoredRolloutRule = {
        id: existing.id,
        merchantId: caller.id,
        ...normalizeRule(rule),
        createdAt: existing.createdAt,
        updatedAt: stamp,
      };
      await store.updateRule(tx, changed, position);
      await ctx.audit(tx, {
        actor,
        action: 'rollout_rule.updated',
        objectType: 'rollout_rule',
        objectId: changed.id,
        before: existing,
        after: changed,
      });
      result.push(changed);
    } else {
      // The same rule, perhaps listed at another place: no change to audit on its own.
      await store.updateRule(tx, existing, position);
      result.push(existing);
    }
  }
  return result;
}

// ---------------------------------------------------------------- explanations

export type ExplainRefusal = 'not_found';

/** The decision stored with one of the merchant's checkouts: what its buyer was offered, and why not the rest. */
export async function explainCheckout(
  db: Queryable,
  caller: Caller,
  checkoutId: string,
): Promise<Result<MethodDecision[], ExplainRefusal>> {
  const stored = await store.findStoredDecision(db, checkoutId);
  if (!stored || caller.type !== 'merchant' || stored.merchantId !== caller.id)
    return refuse('not_found', `checkout ${checkoutId} was not found`);
  return ok(stored.decisions);
}

export type DryRunInput = { buyerId: string; amount: number; currency: string; lines?: DecisionLine[] | undefined };

/** What a checkout created now with these facts would offer: the same decision, written nowhere. */
export async function explainDryRun(ctx: HubContext, caller: Caller, input: DryRunInput): Promise<MethodDecision[]> {
  invariant(caller.type === 'merchant', `only a merchant explains its checkouts (not a ${caller.type})`);
  const decision = await decideMethods(ctx.db.kysely, {
    merchantId: caller.id,
    acquirerId: caller.acquirerId,
    currency: input.currency,
    amount: input.amount,
    buyerId: input.buyerId,
    lines: input.lines ?? [],
    at: ctx.clock.now(),
  });
  return decision.decisions;
}

// ---------------------------------------------------------------- the wallet's side

export type RulesQuery = { merchantId?: string | undefined; limit: number; after?: string | undefined };

/** A wallet reads the rules merchants set for it; a merchant reads its own. */
export async function listRules(
  db: Queryable,
  caller: Caller,
  query: RulesQuery,
): Promise<Result<StoredRolloutRule[], 'not_found'>> {
  switch (caller.type) {
    case 'participant':
      return ok(await store.listRulesOfWallet(db, { ...query, walletId: caller.id }));
    case 'merchant':
      if (query.merchantId !== undefined && query.merchantId !== caller.id)
        return refuse('not_found', `merchant ${query.merchantId} was not found`);
      return ok(await store.listRulesOfMerchantPage(db, { ...query, merchantId: caller.id }));
    default:
      throw new Error(`rollout rules are not read by ${caller.type} callers`);
  }
}
