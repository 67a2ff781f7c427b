import type { HubContext } from '../context.ts';
import { type Queryable, type Tx, inTransaction } from '../db/index.ts';
import { type Caller, recordIdempotentEffect } from '../http/index.ts';
import { findMerchant } from '../merchants/index.ts';
import { findParticipant, isIssuer } from '../participants/index.ts';
import { type Result, invariant, newToken, ok, refuse } from '../platform/index.ts';
import { decode } from '../qr/index.ts';
import { type Transfer, findTransferByPayerRef, isPayerRefConflict } from '../transfers/index.ts';
import {
  type PayerRefRefusal,
  type PaymentRefusal,
  type PaymentRequest,
  type PaymentSourceHandler,
  type PaymentToken,
  type TokenSource,
  paymentTokenBytes,
  paymentTokenPrefix,
} from './model.ts';
import { readHubTemplate } from './qr-template.ts';
import * as store from './store.ts';

export type TokenInput = Omit<PaymentToken, 'token' | 'createdAt' | 'usedAt' | 'transferId'>;

/** Issues a token inside the caller's transaction: it exists only if the object it pays does. */
export async function issuePaymentToken(ctx: HubContext, tx: Tx, input: TokenInput): Promise<PaymentToken> {
  const token: PaymentToken = {
    ...input,
    token: newToken(paymentTokenPrefix, ctx.random, paymentTokenBytes),
    createdAt: ctx.clock.now().toISOString(),
    usedAt: null,
    transferId: null,
  };
  invariant(token.merchantId.length > 0, `payment token for ${token.source} ${token.objectId} names its merchant`);
  await store.insertToken(tx, token);
  return token;
}

export type PayerRefusal = 'participant_suspended' | 'forbidden';

/** Only an active issuer pays; a suspended one may still read and settle. */
async function checkPayer(ctx: HubContext, caller: Caller): Promise<Result<string, PayerRefusal>> {
  const payer = await findParticipant(ctx.db.kysely, caller.id);
  if (!payer || !isIssuer(payer)) return refuse('forbidden', 'only an issuer pays');
  if (payer.status !== 'active')
    return refuse('participant_suspended', `participant ${caller.id} is ${payer.status}: new payments are refused`);
  return ok(payer.id);
}

export type ResolveInput = { token?: string | undefined; qrPayload?: string | undefined };

/** The token, unless unknown or spent; locked when read in a pay's transaction, so a spend cannot race it. */
async function findUsableToken(
  db: Queryable,
  text: string | undefined,
  { lock = false }: { lock?: boolean } = {},
): Promise<Result<PaymentToken, PaymentRefusal>> {
  const token = text === undefined ? undefined : await store.findToken(db, text, { lock });
  if (!token || token.usedAt !== null)
    return refuse('payment_token_unknown', 'the payment token is not known or was used');
  return ok(token);
}

/**
 * The one rule every payment source obeys, on resolve and on pay, checked
 * here and not by the sources: a token issued to one wallet (a checkout
 * attempt's, a placard's) serves no other, and a suspended merchant takes no
 * payment from any source (checkout, placard, till QR), however long before
 * the suspension it was made. Suspension cancels nothing: reinstated, what
 * has not expired may be paid. A repeated `payer.ref` of a payment made
 * before it still returns that payment, and a payment-code charge the till
 * opened before it ends as its wallet decides (see README).
 */
async function bindingRefusal(
  db: Queryable,
  token: PaymentToken,
  walletId: string,
): Promise<Result<true, PaymentRefusal>> {
  if (token.walletId !== null && token.walletId !== walletId)
    return refuse('wallet_mismatch', `this payment token was issued to another wallet, not to ${walletId}`);
  return merchantRefusal(db, token.merchantId);
}

async function merchantRefusal(db: Queryable, merchantId: string): Promise<Result<true, PaymentRefusal>> {
  const merchant = await findMerchant(db, merchantId);
  if (merchant && merchant.status !== 'active')
    return refuse('merchant_suspended', `merchant ${merchantId} is suspended: it takes no payments now`);
  return ok(true);
}

/** A transfer a payment source made is the caller's, with its payer.ref and currency, one fact each. */
function assertPaidAsAsked(paid: Transfer, asked: { walletId: string; payerRef: string; currency: string }): void {
  invariant(paid.payerParticipantId === asked.walletId, `transfer ${paid.id} is paid by its caller ${asked.walletId}`);
  invariant(paid.payerRef === asked.payerRef, `transfer ${paid.id} carries payer.ref ${asked.payerRef}`);
  invariant(paid.currency === asked.currency, `transfer ${paid.id} is in ${asked.currency}`);
}

type TransferInput = { paymentToken: string; amount: number; currency: string; payerRef: string };

type Sent = { transfer: Transfer; repeated: boolean };

/**
 * A repeated `payer.ref` is the same request only when it asks what the
 * original paid: the token that paid it, its amount, its currency. For
 * anything else the wallet reused its reference, and is told which transfer
 * holds it, so it never reads a `201` for a payment nobody received.
 */
async function repeatOf(
  db: Queryable,
  original: Transfer,
  input: TransferInput,
): Promise<Result<Sent, PayerRefRefusal>> {
  const token = await store.findToken(db, input.paymentToken);
  if (token?.transferId === original.id && original.amount === input.amount && original.currency === input.currency)
    return ok({ transfer: original, repeated: true });
  return refuse('payer_ref_reused', `payer.ref ${input.payerRef} names ${original.id}, which paid something else`, {
    transferId: original.id,
  });
}

/**
 * A wallet's transfer. A repeated `payer.ref` returns the original
 * transfer (see `repeatOf`), also when two repeats race: the loser's unique
 * violation rolls its transaction back, or its pay is refused behind the
 * winner's locks, and the original is read afterwards.
 */
async function sendTransfer(
  ctx: HubContext,
  handlerOf: (token: PaymentToken) => PaymentSourceHandler,
  caller: Caller,
  input: TransferInput,
): Promise<Result<Sent, PaymentRefusal | PayerRefusal | PayerRefRefusal>> {
  const payer = await checkPayer(ctx, caller);
  if (!payer.ok) return payer;
  const original = await findTransferByPayerRef(ctx.db.kysely, payer.value, input.payerRef);
  if (original) return repeatOf(ctx.db.kysely, original, input);
  try {
    const paid = await inTransaction(ctx.db, async (tx) => {
      const token = await findUsableToken(tx, input.paymentToken, { lock: true });
      if (!token.ok) return token;
      const bound = await bindingRefusal(tx, token.value, payer.value);
      if (!bound.ok) return bound;
      const made = await handlerOf(token.value).pay(ctx, tx, token.value, {
        walletId: payer.value,
        amount: input.amount,
        currency: input.currency,
        payerRef: input.payerRef,
      });
      if (!made.ok) return made;
      await store.recordTokenPaid(tx, token.value.token, made.value.id);
      await recordIdempotentEffect(tx, { kind: 'transfer', id: made.value.id });
      return made;
    });
    if (paid.ok) {
      assertPaidAsAsked(paid.value, { walletId: payer.value, ...input });
      return ok({ transfer: paid.value, repeated: false });
    }
    const raced = await findTransferByPayerRef(ctx.db.kysely, payer.value, input.payerRef);
    return raced ? repeatOf(ctx.db.kysely, raced, input) : paid;
  } catch (error) {
    if (!isPayerRefConflict(error)) throw error;
    const winner = await findTransferByPayerRef(ctx.db.kysely, payer.value, input.payerRef);
    if (!winner) throw error;
    return repeatOf(ctx.db.kysely, winner, input);
  }
}

export function createPaymentService(handlers: readonly PaymentSourceHandler[]) {
  const bySource = new Map<TokenSource, PaymentSourceHandler>(handlers.map((handler) => [handler.source, handler]));

  function handlerOf(token: PaymentToken): PaymentSourceHandler {
    const handler = bySource.get(token.source);
    invariant(handler !== undefined, `a payment handler is registered for ${token.source} tokens`);
    return handler;
  }

  /**
   * What a scanned payload asks: the hub's template names the merchant and,
   * for one sale, the token; a static placard names only the merchant, and
   * its handler issues a token for this wallet.
   */
  async function resolveQr(
    ctx: HubContext,
    qrPayload: string,
    walletId: string,
  ): Promise<Result<PaymentRequest, PaymentRefusal>> {
    const decoded = decode(qrPayload, { mode: 'lenient' });
    if (decoded.kind !== 'mpm')
      return refuse('qr_not_routable', 'the payload is not a readable merchant-presented QR', { decoded });
    const template = readHubTemplate(decoded.fields, ctx.config.qrGuid);
    if (!template)
      return refuse('qr_not_routable', 'the payload carries no template of this hub: try another network', { decoded });
    if (template.token !== undefined) return describeToken(ctx, template.token, walletId);
    const placard = bySource.get('placard');
    if (!placard?.resolveStatic)
      return refuse('qr_not_routable', 'this hub does not take static placards', { decoded });
    return inTransaction(ctx.db, async (tx) => {
      const open = await merchantRefusal(tx, template.merchantId);
      if (!open.ok) return open;
      return placard.resolveStatic!(ctx, tx, template.merchantId, walletId);
    });
  }

  async function describeToken(
    ctx: HubContext,
    text: string,
    walletId: string,
  ): Promise<Result<PaymentRequest, PaymentRefusal>> {
    const token = await findUsableToken(ctx.db.kysely, text);
    if (!token.ok) return token;
    return inTransaction(ctx.db, async (tx) => {
      const bound = await bindingRefusal(tx, token.value, walletId);
      if (!bound.ok) return bound;
      return handlerOf(token.value).describe(ctx, tx, token.value, walletId);
    });
  }

  async function resolve(
    ctx: HubContext,
    caller: Caller,
    input: ResolveInput,
  ): Promise<Result<PaymentRequest, PaymentRefusal | PayerRefusal>> {
    const payer = await checkPayer(ctx, caller);
    if (!payer.ok) return payer;
    if (input.qrPayload !== undefined) return resolveQr(ctx, input.qrPayload, payer.value);
    return describeToken(ctx, input.token ?? '', payer.value);
  }

  return {
    resolve,
    transfer: (ctx: HubContext, caller: Caller, input: TransferInput) => sendTransfer(ctx, handlerOf, caller, input),
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;

export { listPayments, findPayment, listTokensOfAttempt, markTokenUsed } from './store.ts';
