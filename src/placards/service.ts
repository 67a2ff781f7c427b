import { findChannel } from '../channels/index.ts';
import type { HubContext } from '../context.ts';
import { type Tx, inTransaction } from '../db/index.ts';
import { actorOf, type Caller, recordIdempotentEffect } from '../http/index.ts';
import { type Merchant, findMerchant } from '../merchants/index.ts';
import { emitEvent } from '../notify/index.ts';
import { findParticipant } from '../participants/index.ts';
import { issuePaymentToken, payloadOrThrow } from '../payments/index.ts';
import { type Result, newId, ok, refuse, invariant } from '../platform/index.ts';
import {
  type ForeignTemplate,
  type TillQr,
  type TillQrEvent,
  nextTillQrStatus,
  tillQrSecondsDefault,
  tillQrStampOf,
} from './model.ts';
import { buildPlacard, buildTillQr } from './payloads.ts';
import * as store from './store.ts';

export type PlacardRefusal = 'not_found' | 'invalid_request' | 'invalid_transition' | 'merchant_suspended';

/** The merchant itself, its acquirer and the operator may manage its codes. */
export function canManageCodes(caller: Caller, merchant: Merchant): boolean {
  if (caller.type === 'operator') return true;
  if (caller.type === 'merchant') return caller.id === merchant.id;
  return caller.type === 'participant' && caller.id === merchant.acquirerId;
}

async function managedMerchant(ctx: HubContext, caller: Caller, merchantId: string): Promise<Merchant | undefined> {
  const merchant = await findMerchant(ctx.db.kysely, merchantId);
  return merchant && canManageCodes(caller, merchant) ? merchant : undefined;
}

export async function placardPayload(
  ctx: HubContext,
  caller: Caller,
  merchantId: string,
): Promise<Result<{ merchant: Merchant; payload: string }, PlacardRefusal>> {
  const merchant = await managedMerchant(ctx, caller, merchantId);
  if (!merchant) return refuse('not_found', `merchant ${merchantId} was not found`);
  const templates = await store.listTemplates(ctx.db.kysely, merchant.id);
  return ok({ merchant, payload: payloadOrThrow(buildPlacard(ctx, merchant, templates)) });
}

/**
 * Replaces the foreign templates a placard carries. They must make, with the
 * hub's own, a payload that passes the codec in strict mode; none may carry
 * the hub's GUID, which routes payments here.
 */
export async function setTemplates(
  ctx: HubContext,
  caller: Caller,
  merchantId: string,
  templates: ForeignTemplate[],
): Promise<Result<ForeignTemplate[], PlacardRefusal>> {
  const merchant = await managedMerchant(ctx, caller, merchantId);
  if (!merchant) return refuse('not_found', `merchant ${merchantId} was not found`);
  const errors = templates.flatMap((template, index) =>
    template.value.toLowerCase().includes(ctx.config.qrGuid.toLowerCase())
      ? [{ pointer: `/${index}/value`, detail: "carries the hub's own GUID" }]
      : [],
  );
  if (new Set(templates.map((template) => template.id)).size !== templates.length)
    errors.push({ pointer: '/', detail: 'lists a template id twice' });
  const built = buildPlacard(ctx, merchant, templates);
  if (!built.ok)
    errors.push({
      pointer: '/',
      detail:
        `the placard would not be a valid EMVCo payload: ` +
        `${JSON.stringify('findings' in built ? built.findings : built.code)}`,
    });
  if (errors.length > 0) return refuse('invalid_request', 'the templates cannot go on a placard', { errors });
  return inTransaction(ctx.db, async (tx) => {
    const before = await store.listTemplates(tx, merchant.id);
    await store.replaceTemplates(tx, merchant.id, templates);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'merchant.qr_templates_set',
      objectType: 'merchant',
      objectId: merchant.id,
      before,
      after: templates,
    });
    return ok(templates);
  });
}

export async function createTillQr(
  ctx: HubContext,
  caller: Caller,
  input: { amount: number; currency: string; reference: string; expiresInSeconds?: number | undefined },
): Promise<Result<TillQr, PlacardRefusal | 'currency_not_supported'>> {
  const merchant = await findMerchant(ctx.db.kysely, caller.id);
  invariant(merchant !== undefined, `authenticated merchant ${caller.id} exists`);
  if (merchant.status !== 'active')
    return refuse('merchant_suspended', 'a suspended merchant cannot take new payments');
  const acquirer = await findParticipant(ctx.db.kysely, merchant.acquirerId);
  if (!acquirer?.currencies.includes(input.currency))
    return refuse('currency_not_supported', `the acquirer does not take ${input.currency}`);
  const templates = await store.listTemplates(ctx.db.kysely, merchant.id);
  const at = ctx.clock.now();
  const expiresAt = new Date(at.getTime() + (input.expiresInSeconds ?? tillQrSecondsDefault) * 1000).toISOString();
  return inTransaction(ctx.db, async (tx) => {
    const id = newId('tqr', at, ctx.random);
    const token = await issuePaymentToken(ctx, tx, {
      source: 'till_qr',
      objectId: id,
      attemptId: null,
      walletId: null,
      merchantId: merchant.id,
      expiresAt,
    });
    const qrPayload = payloadOrThrow(buildTillQr(ctx, merchant, templates, { ...input, token: token.token }));
    const qr: TillQr = {
      id,
      merchantId: merchant.id,
      acquirerId: merchant.acquirerId,
      status: 'pending',
      amount: input.amount,
      currency: input.currency,
      reference: input.reference,
      qrPayload,
      expiresAt,
      createdAt: at.toISOString(),
      paidAt: null,
      expiredAt: null,
      canceledAt: null,
      transferId: null,
      paidWalletId: null,
    };
    await store.insertTillQr(tx, qr, token.token);
    await recordIdempotentEffect(tx, { kind: 'till_qr', id });
    return ok(qr);
  });
}

/** Moves a locked till QR along its table and stamps the time. */
export async function moveTillQr(
  ctx: HubContext,
  tx: Tx,
  qr: TillQr,
  event: TillQrEvent,
  payment?: { transferId: string; walletId: string },
): Promise<TillQr> {
  const to = nextTillQrStatus(qr.status, event);
  invariant(to !== undefined, `a ${qr.status} till QR ${qr.id} may ${event}`);
  await store.updateTillQrStatus(tx, qr.id, qr.status, {
    status: to,
    column: tillQrStampOf(event),
    at: ctx.clock.now().toISOString(),
    payment,
  });
  const moved = await store.findTillQr(tx, qr.id);
  invariant(moved !== undefined, `till QR ${qr.id} exists after it moved`);
  invariant(moved.status === to, `till QR ${qr.id} is ${to} after ${event} (it is ${moved.status})`);
  return moved;
}

function isDue(qr: TillQr, now: Date): boolean {
  return qr.status === 'pending' && qr.expiresAt <= now.toISOString();
}

/** Loads a till QR locked, expiring it first when its time has passed. */
export async function lockTillQr(ctx: HubContext, tx: Tx, id: string): Promise<TillQr | undefined> {
  const qr = await store.findTillQr(tx, id, { lock: true });
  return qr && isDue(qr, ctx.clock.now()) ? moveTillQr(ctx, tx, qr, 'expire') : qr;
}

export async function readTillQr(ctx: HubContext, caller: Caller, id: string): Promise<TillQr | undefined> {
  const current = await store.findTillQr(ctx.db.kysely, id);
  if (!current || current.merchantId !== caller.id) return undefined;
  return isDue(current, ctx.clock.now()) ? inTransaction(ctx.db, (tx) => lockTillQr(ctx, tx, id)) : current;
}

export async function cancelTillQr(
  ctx: HubContext,
  caller: Caller,
  id: string,
): Promise<Result<TillQr, PlacardRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const qr = await lockTillQr(ctx, tx, id);
    if (!qr || qr.merchantId !== caller.id) return refuse('not_found', `till QR ${id} was not found`);
    if (qr.status !== 'pending') return refuse('invalid_transition', `a ${qr.status} till QR cannot be canceled`);
    const canceled = await moveTillQr(ctx, tx, qr, 'cancel');
    await emitEvent(ctx, tx, { type: 'pos_qr.canceled', data: canceled, merchantId: canceled.merchantId });
    return ok(canceled);
  });
}

/** Offline, any active issuer in the merchant's currency may pay, unless it suspended its channel with the merchant. */
export async function offlineRefusal(
  tx: Tx,
  merchant: Merchant,
  walletId: string,
  currency: string,
): Promise<Result<true, 'currency_not_supported' | 'channel_not_approved'>> {
  const wallet = await findParticipant(tx, walletId);
  if (!wallet?.currencies.includes(currency))
    return refuse('currency_not_supported', `wallet ${walletId} does not hold ${currency}`);
  const channel = await findChannel(tx, merchant.id, walletId);
  if (channel?.status === 'suspended')
    return refuse('channel_not_approved', `wallet ${walletId} suspended its channel with this merchant`);
  return ok(true);
}
