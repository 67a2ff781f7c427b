import type { Actor } from '../audit/index.ts';
import type { HubContext } from '../context.ts';
import { inTransaction, type Queryable, type Tx } from '../db/index.ts';
import { actorOf, type Caller, recordIdempotentEffect } from '../http/index.ts';
import { findParticipant, isIssuer } from '../participants/index.ts';
import { type Result, newId, ok, refuse, invariant } from '../platform/index.ts';
import {
  type BusinessDetails,
  type Channel,
  type ChannelEvent,
  type ChannelView,
  partyOf,
  transitionOf,
} from './model.ts';
import { emitChannelEvent } from './events.ts';
import * as store from './store.ts';

/** Why a channel request is refused, in the order the checks run. */
export type ChannelRefusal =
  /** The channel does not exist or the caller may not see it. */
  | 'not_found'
  /** A suspended merchant may not apply or answer. */
  | 'merchant_suspended'
  /** A suspended wallet may read but not decide. */
  | 'participant_suspended'
  /** No participant has the wallet id applied to. */
  | 'wallet_not_found'
  /** The participant applied to does not hold the issuer role. */
  | 'not_an_issuer'
  /** The wallet applied to is not active (pending review, rejected or suspended). */
  | 'participant_not_active'
  /** The merchant already has a live channel with this wallet. */
  | 'application_exists'
  /** The channel's status does not allow the event. */
  | 'invalid_transition';

export type ApplicationInput = { walletId: string; businessDetails?: BusinessDetails | undefined };

async function checkWallet(tx: Tx, walletId: string): Promise<Result<true, ChannelRefusal>> {
  const wallet = await findParticipant(tx, walletId);
  if (!wallet) return refuse('wallet_not_found', `no wallet ${walletId} is connected to the hub`, { walletId });
  if (!isIssuer(wallet))
    return refuse('not_an_issuer', `participant ${walletId} is not an issuer, so it is not a wallet`, { walletId });
  if (wallet.status !== 'active')
    return refuse('participant_not_active', `wallet ${walletId} is ${wallet.status}`, { walletId });
  return ok(true);
}

function applicationExists(existing: Channel): Result<never, ChannelRefusal> {
  return refuse('application_exists', `channel ${existing.id} with wallet ${existing.walletId} is ${existing.status}`, {
    existingId: existing.id,
  });
}

export async function applyForChannel(
  ctx: HubContext,
  caller: Caller,
  input: ApplicationInput,
): Promise<Result<ChannelView, ChannelRefusal>> {
  invariant(caller.type === 'merchant', `only a merchant applies for a channel (not a ${caller.type})`);
  const businessDetails = input.businessDetails ?? {};
  return inTransaction(ctx.db, async (tx) => {
    const merchant = await store.findMerchantFacts(tx, caller.id);
    invariant(merchant !== undefined, `authenticated merchant ${caller.id} exists`);
    if (merchant.status !== 'active')
      return refuse('merchant_suspended', `merchant ${merchant.id} is ${merchant.status}`);
    const wallet = await checkWallet(tx, input.walletId);
    if (!wallet.ok) return wallet;
    const existing = await store.findLiveChannel(tx, merchant.id, input.walletId);
    if (existing) return applicationExists(existing);
    const channel = newChannel(ctx, { merchantId: merchant.id, walletId: input.walletId, businessDetails });
    if (!(await store.insertChannel(tx, channel))) {
      const winner = await store.findLiveChannel(tx, merchant.id, input.walletId);
      invariant(
        winner !== undefined,
        `the channel insert for ${merchant.id}/${input.walletId} conflicted with a live channel`,
      );
      return applicationExists(winner);
    }
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'channel.created',
      objectType: 'channel',
      objectId: channel.id,
      before: null,
      after: channel,
    });
    await recordIdempotentEffect(tx, { kind: 'channel', id: channel.id });
    return ok(await mustFindView(tx, channel.id));
  });
}

function newChannel(
  ctx: HubContext,
  fields: { merchantId: string; walletId: string; businessDetails: BusinessDetails },
): Channel {
  const at = ctx.clock.now();
  const stamp = at.toISOString();
  return {
    id: newId('cha', at, ctx.random),
    ...fields,
    status: 'pending',
    question: null,
    reason: null,
    createdAt: stamp,
    updatedAt: stamp,
    approvedAt: null,
    rejectedAt: null,
    suspendedAt: null,
    reinstatedAt: null,
    infoRequestedAt: null,
    infoProvidedAt: null,
  };
}

/**
 * The merchant's own acquirer, when it is also a wallet, serves the merchant
 * without review: runs inside the transaction that creates the merchant.
 */
export async function openOwnAcquirerChannel(
  ctx: HubContext,
  tx: Tx,
  ids: { merchantId: string; acquirerId: string },
  actor: Actor,
): Promise<Channel> {
  const acquirer = await findParticipant(tx, ids.acquirerId);
  invariant(acquirer !== undefined, `acquirer ${ids.acquirerId} exists`);
  invariant(isIssuer(acquirer), `acquirer ${ids.acquirerId} is an issuer, so its merchants get their own channel`);
  const pending = newChannel(ctx, { merchantId: ids.merchantId, walletId: ids.acquirerId, businessDetails: {} });
  const channel: Channel = { ...pending, status: 'approved', approvedAt: pending.createdAt };
  invariant(
    await store.insertChannel(tx, channel),
    `new merchant ${ids.merchantId} had no channel with its acquirer yet`,
  );
  await ctx.audit(tx, {
    actor,
    action: 'channel.created',
    objectType: 'channel',
    objectId: channel.id,
    before: null,
    after: channel,
  });
  return channel;
}

/** The operator sees every channel; a merchant its own; a wallet those addressed to it. */
export function canSeeChannel(caller: Caller, channel: Pick<Channel, 'merchantId' | 'walletId'>): boolean {
  switch (caller.type) {
    case 'operator':
      return true;
    case 'merchant':
      return channel.merchantId === caller.id;
    case 'participant':
      return channel.walletId === caller.id;
    case 'buyer':
      return false;
    default: {
      const unknownCaller: never = caller;
      throw new Error(`unknown caller ${JSON.stringify(unknownCaller)}`);
    }
  }
}

/** May this caller raise this event on a channel it can see? */
function isPartyTo(caller: Caller, channel: Channel, event: ChannelEvent): boolean {
  const party = partyOf(event.type);
  if (party === 'wallet') return caller.type === 'participant' && caller.id === channel.walletId;
  return caller.type === 'merchant' && caller.id === channel.merchantId;
}

async function checkPartyActive(tx: Tx, caller: Caller, channel: Channel): Promise<Result<true, ChannelRefusal>> {
  if (caller.type === 'merchant') {
    const merchant = await store.findMerchantFacts(tx, channel.merchantId);
    if (merchant?.status !== 'active')
      return refuse('merchant_suspended', `merchant ${channel.merchantId} is suspended`);
  }
  if (caller.type === 'participant') {
    const wallet = await findParticipant(tx, caller.id);
    if (wallet?.status !== 'active')
      return refuse(
        'participant_suspended',
        `wallet ${caller.id} is ${wallet?.status ?? 'unknown'} and may not decide`,
      );
  }
  return ok(true);
}

export async function changeChannel(
  ctx: HubContext,
  caller: Caller,
  id: string,
  event: ChannelEvent,
): Promise<Result<ChannelView, ChannelRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const before = await store.findChannelById(tx, id, { lock: true });
    if (!before || !canSeeChannel(caller, before))
      return refuse('not_found', `channel application ${id} was not found`);
    invariant(
      isPartyTo(caller, before, event),
      `the route for ${event.type} lets only a party through (not a ${caller.type})`,
    );
    const active = await checkPartyActive(tx, caller, before);
    if (!active.ok) return active;
    const change = transitionOf(before, event, ctx.clock.now().toISOString());
    if (!change)
      return refuse('invalid_transition', `a ${before.status} channel cannot ${event.type.replace('_', ' ')}`, {
        status: before.status,
      });
    await store.updateChannel(tx, id, change);
    const after = await store.findChannelById(tx, id);
    invariant(after !== undefined, `channel ${id} exists after it changed`);
    invariant(
      after.status === change.status,
      `channel ${id} is ${change.status} after the change (it is ${after.status})`,
    );
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: `channel.${event.type}`,
      objectType: 'channel',
      objectId: id,
      before,
      after,
    });
    const view = await mustFindView(tx, id);
    await emitChannelEvent(ctx, tx, event.type, view);
    return ok(view);
  });
}

async function mustFindView(tx: Tx, id: string): Promise<ChannelView> {
  const view = await store.findChannelView(tx, id);
  invariant(view !== undefined, `channel ${id} exists after it changed`);
  return view;
}

export async function findVisibleChannel(db: Queryable, caller: Caller, id: string): Promise<ChannelView | undefined> {
  const view = await store.findChannelView(db, id);
  return view && canSeeChannel(caller, view) ? view : undefined;
}

/** The caller's filter narrowed to what it may see; undefined when it may see nothing of it. */
function narrowToCaller(caller: Caller, filter: store.ChannelFilter): store.ChannelFilter | undefined {
  switch (caller.type) {
    case 'operator':
      return filter;
    case 'merchant':
      return filter.merchantId === undefined || filter.merchantId === caller.id
        ? { ...filter, merchantId: caller.id }
        : undefined;
    case 'participant':
      return filter.walletId === undefined || filter.walletId === caller.id
        ? { ...filter, walletId: caller.id }
        : undefined;
    case 'buyer':
      return undefined;
    default: {
      const unknownCaller: never = caller;
      throw new Error(`unknown caller ${JSON.stringify(unknownCaller)}`);
    }
  }
}

export async function listVisibleChannels(
  db: Queryable,
  caller: Caller,
  filter: store.ChannelFilter,
): Promise<ChannelView[]> {
  const visible = narrowToCaller(caller, filter);
  return visible ? store.listChannelViews(db, visible) : [];
}

/** The live channel of a merchant with a wallet, or undefined: what payments check. */
export function findChannel(db: Queryable, merchantId: string, walletId: string): Promise<Channel | undefined> {
  return store.findLiveChannel(db, merchantId, walletId);
}

/** One channel per wallet the merchant applied to: the live one, else the latest rejected. */
export function listChannelsOfMerchant(db: Queryable, merchantId: string): Promise<Channel[]> {
  return store.listCurrentChannelsOfMerchant(db, merchantId);
}

/**
 * A bridged wallet reviews on its own side and never calls the hub: its
 * channel is approved, inside the caller's transaction, once a signed call
 * with the merchant's credentials succeeded (the bridge made it before).
 * Approving an approved channel changes nothing; a rejected or suspended one
 * stays as it is.
 */
export async function approveBridgedChannel(
  ctx: HubContext,
  tx: Tx,
  id: string,
  actor: Actor,
): Promise<Result<ChannelView, 'not_found' | 'invalid_transition'>> {
  const before = await store.findChannelById(tx, id, { lock: true });
  if (!before) return refuse('not_found', `channel application ${id} was not found`);
  if (before.status === 'approved') return ok(await mustFindView(tx, id));
  const change = transitionOf(before, { type: 'approve' }, ctx.clock.now().toISOString());
  if (!change)
    return refuse('invalid_transition', `a ${before.status} channel cannot be approved`, { status: before.status });
  await store.updateChannel(tx, id, change);
  const view = await mustFindView(tx, id);
  invariant(view.status === 'approved', `bridged channel ${id} is approved after its credentials were proved`);
  await ctx.audit(tx, { actor, action: 'channel.approve', objectType: 'channel', objectId: id, before, after: view });
  await emitChannelEvent(ctx, tx, 'approve', view);
  return ok(view);
}
