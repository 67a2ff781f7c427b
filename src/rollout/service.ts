import { listChannelsOfMerchant } from '../channels/index.ts';
import type { HubContext } from '../context.ts';
import { inTransaction, type Queryable } from '../db/index.ts';
import { actorOf, type Caller } from '../http/caller.ts';
import type { FieldError } from '../http/problems.ts';
import { flowsOf, listActiveIssuers } from '../participants/index.ts';
import { type Result, ok, refuse } from '../platform/index.ts';
import {
  type CheckoutSettings,
  type DecisionInput,
  type Method,
  type MethodDecision,
  byName,
  decideWallet,
  methodFlowsOf,
  rankMethods,
  rankingOf,
} from './model.ts';
import * as store from './store.ts';

/**
 * The methods a checkout offers and, for every wallet of the directory, why
 * it is or is not offered. The one function checkout creation calls, and the
 * one an explanation replays, so the two never disagree. Runs in the caller's
 * transaction.
 */
export async function decideMethods(tx: Queryable, input: DecisionInput): Promise<{ methods: Method[]; decisions: MethodDecision[] }> {
  const [directory, channels, settings] = await Promise.all([
    listActiveIssuers(tx),
    listChannelsOfMerchant(tx, input.merchantId),
    store.findSettings(tx, input.merchantId),
  ]);
  const channelOf = new Map(channels.map((channel) => [channel.walletId, { id: channel.id, status: channel.status }]));
  const wallets = [...directory].sort(byName);
  const decisions = wallets.map((wallet) => decideWallet({ wallet, channel: channelOf.get(wallet.id) ?? null, checkout: input }));
  const offeredIds = new Set(decisions.filter((decision) => decision.offered).map((decision) => decision.walletId));
  const offered = wallets
    .filter((wallet) => offeredIds.has(wallet.id))
    .map((wallet) => ({ walletId: wallet.id, name: wallet.name, flows: methodFlowsOf(flowsOf(wallet)) }));
  const methods = rankMethods(offered, rankingOf(settings, input.acquirerId));
  if (methods.length !== offeredIds.size) throw new Error(`ranked ${methods.length} methods for ${offeredIds.size} offered wallets`);
  if (!methods.every((method) => offeredIds.has(method.walletId))) throw new Error('a ranked method was not decided as offered');
  return { methods, decisions };
}

export type SettingsInput = { defaultWalletId?: string | null | undefined; primaryWalletIds?: string[] | undefined; methodOrder?: string[] | undefined };
export type SettingsRefusal = 'invalid_request';

/** What a merchant reads: its settings, or the empty ones it has until it sets them. */
export type SettingsView = Omit<CheckoutSettings, 'createdAt' | 'updatedAt'> & { createdAt: string | null; updatedAt: string | null };

function emptySettings(merchantId: string): SettingsView {
  return { merchantId, defaultWalletId: null, primaryWalletIds: [], methodOrder: [], createdAt: null, updatedAt: null };
}

export async function readSettings(db: Queryable, merchantId: string): Promise<SettingsView> {
  return (await store.findSettings(db, merchantId)) ?? emptySettings(merchantId);
}

function unknownWalletErrors(input: SettingsInput, wallets: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const check = (id: string, pointer: string) => {
    if (!wallets.has(id)) errors.push({ pointer, detail: `${id} is not a wallet on this hub` });
  };
  if (input.defaultWalletId) check(input.defaultWalletId, '/defaultWalletId');
  input.primaryWalletIds?.forEach((id, index) => check(id, `/primaryWalletIds/${index}`));
  input.methodOrder?.forEach((id, index) => check(id, `/methodOrder/${index}`));
  return errors;
}

/** Replaces the merchant's settings as a whole; audited with before and after. */
export async function putSettings(ctx: HubContext, caller: Caller, input: SettingsInput): Promise<Result<CheckoutSettings, SettingsRefusal>> {
  if (caller.type !== 'merchant') throw new Error(`only a merchant sets its checkout settings, not a ${caller.type}`);
  return inTransaction(ctx.db, async (tx) => {
    const mentioned = [input.defaultWalletId ?? [], input.primaryWalletIds ?? [], input.methodOrder ?? []].flat();
    const errors = unknownWalletErrors(input, await store.walletIdsAmong(tx, [...new Set(mentioned)]));
    if (errors.length > 0) return refuse('invalid_request', 'the settings name ids that are not wallets', { errors });
    const before = (await store.findSettings(tx, caller.id, true)) ?? null;
    const stamp = ctx.clock.now().toISOString();
    const after: CheckoutSettings = {
      merchantId: caller.id,
      defaultWalletId: input.defaultWalletId ?? null,
      primaryWalletIds: input.primaryWalletIds ?? [],
      methodOrder: input.methodOrder ?? [],
      createdAt: before?.createdAt ?? stamp,
      updatedAt: stamp,
    };
    await store.upsertSettings(tx, after);
    await ctx.audit(tx, { actor: actorOf(caller), action: 'checkout_settings.updated', objectType: 'checkout_settings', objectId: caller.id, before, after });
    return ok(after);
  });
}
