import type { HubContext } from '../context.ts';
import { type Tx, inTransaction } from '../db/index.ts';
import { type Caller, recordIdempotentEffect } from '../http/index.ts';
import { type Merchant, findMerchant } from '../merchants/index.ts';
import { findParticipant } from '../participants/index.ts';
import {
  type BridgeOrderAnswer,
  type BridgeOrderRefusal,
  type BridgeProvider,
  type PaymentToken,
  buildHubPayload,
  issuePaymentToken,
  listTokensOfAttempt,
  payloadOrThrow,
} from '../payments/index.ts';
import { type Result, invariant, newId, newToken, ok, refuse } from '../platform/index.ts';
import { qrSvg } from '../qr/index.ts';
import type { Checkout, CheckoutLine, Flow } from './model.ts';
import { type CheckoutRefusal, canSeeCheckout, payableRefusal, readCheckout } from './service.ts';
import * as store from './store.ts';

export type Attempt = {
  id: string;
  checkoutId: string;
  walletId: string;
  flow: Flow;
  deepLink?: string;
  qrPayload?: string;
  /** Where the QR's picture is drawn, on its own request: no picture is drawn on the way to paying. */
  qrImageUrl?: string;
  shareUrl?: string;
  expiresAt: string;
  createdAt: string;
};

export type AttemptRefusal = CheckoutRefusal | 'method_not_offered' | BridgeOrderRefusal;

const shareTokenPrefix = 'sh_';
const shareTokenBytes = 18;
/** The dynamic EMVCo payload for one sale, carrying the hub's template with the token. */
export function checkoutQrPayload(ctx: HubContext, merchant: Merchant, checkout: Checkout, token: string): string {
  return payloadOrThrow(
    buildHubPayload(ctx.config.qrGuid, merchant, [], {
      amount: checkout.amount,
      currency: checkout.currency,
      reference: checkout.reference,
      token,
    }),
  );
}

export function deepLinkOf(template: string, token: string): string {
  return template.replaceAll('{token}', encodeURIComponent(token));
}

async function loadPayable(
  ctx: HubContext,
  caller: Caller,
  checkoutId: string,
): Promise<Result<{ checkout: Checkout; merchant: Merchant }, AttemptRefusal>> {
  const checkout = await readCheckout(ctx, checkoutId);
  if (!checkout || !canSeeCheckout(caller, checkout))
    return refuse('not_found', `checkout ${checkoutId} was not found`);
  const payable = payableRefusal(checkout);
  if (!payable.ok) return payable;
  const merchant = await findMerchant(ctx.db.kysely, checkout.merchantId);
  invariant(merchant !== undefined, `the merchant of checkout ${checkout.id} exists`);
  // No wallet could pay it (payments refuses every source of a suspended merchant): say so before a token is issued.
  if (merchant.status !== 'active')
    return refuse('merchant_suspended', `merchant ${merchant.id} is suspended: it takes no payments now`);
  return ok({ checkout, merchant });
}

export async function createAttempt(
  ctx: HubContext,
  caller: Caller,
  checkoutId: string,
  input: { walletId: string; flow: Flow },
  bridges: readonly BridgeProvider[] = [],
  payerIp = '',
): Promise<Result<Attempt, AttemptRefusal>> {
  const loaded = await loadPayable(ctx, caller, checkoutId);
  if (!loaded.ok) return loaded;
  const { checkout, merchant } = loaded.value;
  const method = checkout.methods.find((offered) => offered.walletId === input.walletId);
  if (!method?.flows.includes(input.flow)) {
    return refuse(
      'method_not_offered',
      `wallet ${input.walletId} with flow ${input.flow} is not offered for this checkout`,
    );
  }
  const bridge = await bridgeOf(ctx, bridges, input.walletId);
  const appTemplate = await appTemplateOf(ctx, input.flow, input.walletId);
  if (input.flow === 'app_switch' && !appTemplate && !bridge)
    return refuse('method_not_offered', `wallet ${input.walletId} has no app to switch to`);
  const at = ctx.clock.now();
  const attemptId = newId('att', at, ctx.random);
  const shareToken = input.flow === 'friend_pay' ? newToken(shareTokenPrefix, ctx.random, shareTokenBytes) : null;
  const tokens = await inTransaction(ctx.db, async (tx) => {
    await store.insertAttempt(tx, {
      id: attemptId,
      checkout_id: checkout.id,
      wallet_id: input.walletId,
      flow: input.flow,
      share_token: shareToken,
      created_at: at.toISOString(),
    });
    // A friend pays with any wallet offered for friend pay: not a bridged one, whose order the hub's QR is not.
    const walletIds =
      input.flow === 'friend_pay'
        ? checkout.methods.filter((offered) => offered.flows.includes('friend_pay')).map((offered) => offered.walletId)
        : [input.walletId];
    const issued = await Promise.all(
      walletIds.map((walletId) => issueCheckoutToken(ctx, tx, checkout, attemptId, walletId)),
    );
    invariant(issued.length === walletIds.length, `attempt ${attemptId} has one token per wallet`);
    // A bridged attempt is the request's effect only once the wallet opened its order (below).
    if (!bridge) await recordIdempotentEffect(tx, { kind: 'checkout_attempt', id: attemptId });
    return issued;
  });
  const token = tokens[0];
  invariant(token !== undefined, `attempt ${attemptId} issued at least one token`);
  const row = { id: attemptId, wallet_id: input.walletId, flow: input.flow, share_token: shareToken };
  const createdAt = at.toISOString();
  if (bridge) {
    const opened = await openBridgedOrder(ctx, bridge, { row, checkout, token: token.token, payerIp });
    if (!opened.ok) return opened;
    await inTransaction(ctx.db, (tx) => recordIdempotentEffect(tx, { kind: 'checkout_attempt', id: attemptId }));
    return ok(presentBridged(ctx, { row, checkout, createdAt }, opened.value));
  }
  return ok(await presentAttempt(ctx, { row, checkout, merchant, token: token.token, createdAt, appTemplate }));
}

/** The bridge that reaches this wallet through its own API; undefined for a wallet that calls the hub. */
async function bridgeOf(
  ctx: HubContext,
  bridges: readonly BridgeProvider[],
  walletId: string,
): Promise<BridgeProvider | undefined> {
  const kind = (await findParticipant(ctx.db.kysely, walletId))?.bridge?.kind;
  if (kind === undefined) return undefined;
  const bridge = bridges.find((provider) => provider.kind === kind);
  invariant(bridge !== undefined, `a bridge serves wallet ${walletId}'s kind ${kind}`);
  return bridge;
}

/** The wallet's own order for the attempt, opened after the attempt committed and outside any transaction. */
function openBridgedOrder(
  ctx: HubContext,
  bridge: BridgeProvider,
  parts: { row: { id: string; wallet_id: string; flow: Flow }; checkout: Checkout; token: string; payerIp: string },
): Promise<Result<BridgeOrderAnswer, BridgeOrderRefusal>> {
  const { row, checkout } = parts;
  invariant(row.flow === 'qr' || row.flow === 'app_switch', `bridged attempt ${row.id} is a QR or an app switch`);
  return bridge.openOrder(ctx, {
    attemptId: row.id,
    checkoutId: checkout.id,
    merchantId: checkout.merchantId,
    walletId: row.wallet_id,
    flow: row.flow,
    amount: checkout.amount,
    currency: checkout.currency,
    description: checkout.lines.map((line) => line.name).join(', ') || checkout.reference,
    expiresAt: checkout.expiresAt,
    paymentToken: parts.token,
    payerIp: parts.payerIp,
  });
}

/** A bridged attempt shows the wallet's own QR payload or page, not the hub's. */
function presentBridged(
  ctx: HubContext,
  parts: { row: { id: string; wallet_id: string; flow: string }; checkout: Checkout; createdAt: string },
  answer: BridgeOrderAnswer,
): Attempt {
  const { row, checkout } = parts;
  const attempt: Attempt = {
    id: row.id,
    checkoutId: checkout.id,
    walletId: row.wallet_id,
    flow: row.flow as Flow,
    expiresAt: checkout.expiresAt,
    createdAt: parts.createdAt,
  };
  if (answer.deepLink !== undefined) return { ...attempt, deepLink: answer.deepLink };
  if (answer.qrPayload === undefined) return attempt;
  const qrImageUrl = `${ctx.config.publicUrl}/v1/checkouts/${checkout.id}/attempts/${row.id}/qr.svg`;
  return { ...attempt, qrPayload: answer.qrPayload, qrImageUrl };
}

/** The wallet's app link template, read only for an app-switch attempt. */
async function appTemplateOf(ctx: HubContext, flow: string, walletId: string): Promise<string | undefined> {
  if (flow !== 'app_switch') return undefined;
  return (await findParticipant(ctx.db.kysely, walletId))?.appSwitchUrlTemplate ?? undefined;
}

/** An attempt as its creation answered it: the way to pay its flow needs. */
async function presentAttempt(
  ctx: HubContext,
  parts: {
    row: { id: string; wallet_id: string; flow: string; share_token: string | null };
    checkout: Checkout;
    merchant: Merchant;
    token: string;
    createdAt: string;
    appTemplate: string | undefined;
  },
): Promise<Attempt> {
  const { row, checkout } = parts;
  const flow = row.flow as Flow;
  const attempt: Attempt = {
    id: row.id,
    checkoutId: checkout.id,
    walletId: row.wallet_id,
    flow,
    expiresAt: checkout.expiresAt,
    createdAt: parts.createdAt,
  };
  if (flow === 'app_switch') {
    invariant(parts.appTemplate, `wallet ${row.wallet_id} of app-switch attempt ${row.id} has an app`);
    return { ...attempt, deepLink: deepLinkOf(parts.appTemplate, parts.token) };
  }
  if (flow === 'qr') {
    const qrPayload = checkoutQrPayload(ctx, parts.merchant, checkout, parts.token);
    const qrImageUrl = `${ctx.config.publicUrl}/v1/checkouts/${checkout.id}/attempts/${row.id}/qr.svg`;
    return { ...attempt, qrPayload, qrImageUrl };
  }
  return { ...attempt, shareUrl: `${ctx.config.publicUrl}/share/${row.share_token}` };
}

/** An attempt the caller made, rebuilt as its creation answered it (for an idempotent replay). */
export async function readAttempt(
  ctx: HubContext,
  caller: Caller,
  attemptId: string,
  bridges: readonly BridgeProvider[] = [],
): Promise<Attempt | undefined> {
  const row = await store.findAttempt(ctx.db.kysely, attemptId);
  if (!row) return undefined;
  const checkout = await readCheckout(ctx, row.checkout_id);
  if (!checkout || !canSeeCheckout(caller, checkout)) return undefined;
  const bridge = await bridgeOf(ctx, bridges, row.wallet_id);
  if (bridge) {
    const answer = (await bridge.findOrder(ctx, row.id)) ?? {};
    return presentBridged(ctx, { row, checkout, createdAt: row.created_at }, answer);
  }
  const merchant = await findMerchant(ctx.db.kysely, checkout.merchantId);
  invariant(merchant !== undefined, `the merchant of checkout ${checkout.id} exists`);
  const token = (await listTokensOfAttempt(ctx.db.kysely, row.id)).find((issued) => issued.walletId === row.wallet_id);
  invariant(token !== undefined, `attempt ${row.id} holds a token for its own wallet ${row.wallet_id}`);
  const appTemplate = await appTemplateOf(ctx, row.flow, row.wallet_id);
  return presentAttempt(ctx, { row, checkout, merchant, token: token.token, createdAt: row.created_at, appTemplate });
}

function issueCheckoutToken(
  ctx: HubContext,
  tx: Tx,
  checkout: Checkout,
  attemptId: string,
  walletId: string,
): Promise<PaymentToken> {
  return issuePaymentToken(ctx, tx, {
    source: 'checkout',
    objectId: checkout.id,
    attemptId,
    walletId,
    merchantId: checkout.merchantId,
    expiresAt: checkout.expiresAt,
  });
}

export type SharedCheckout = {
  merchant: { name: string; city: string };
  lines: CheckoutLine[];
  amount: number;
  currency: string;
  status: string;
  expiresAt: string;
  wallets: { walletId: string; name: string; qrPayload: string; qrSvg: string; deepLink?: string }[];
};

/** What a friend sees: the order and one way to pay per wallet, nothing about the buyer. */
export async function readShare(ctx: HubContext, shareToken: string): Promise<SharedCheckout | undefined> {
  const attempt = await store.findAttemptByShareToken(ctx.db.kysely, shareToken);
  const checkout = attempt ? await readCheckout(ctx, attempt.checkout_id) : undefined;
  const merchant = checkout ? await findMerchant(ctx.db.kysely, checkout.merchantId) : undefined;
  if (!attempt || !checkout || !merchant) return undefined;
  const tokens = await listTokensOfAttempt(ctx.db.kysely, attempt.id);
  const wallets = await Promise.all(
    tokens.map(async (token) => {
      const method = checkout.methods.find((offered) => offered.walletId === token.walletId);
      const wallet = await findParticipant(ctx.db.kysely, token.walletId ?? '');
      const qrPayload = checkoutQrPayload(ctx, merchant, checkout, token.token);
      const template = method?.flows.includes('app_switch') ? wallet?.appSwitchUrlTemplate : null;
      return {
        walletId: token.walletId ?? '',
        name: method?.name ?? wallet?.name ?? '',
        qrPayload,
        qrSvg: await qrSvg(qrPayload),
        ...(template ? { deepLink: deepLinkOf(template, token.token) } : {}),
      };
    }),
  );
  return {
    merchant: { name: merchant.name, city: merchant.city },
    lines: checkout.lines,
    amount: checkout.amount,
    currency: checkout.currency,
    status: checkout.status,
    expiresAt: checkout.expiresAt,
    wallets,
  };
}

/** The picture of a QR attempt's payload, for whoever may see its checkout; undefined for any other attempt. */
export async function attemptQrSvg(
  ctx: HubContext,
  caller: Caller,
  checkoutId: string,
  attemptId: string,
  bridges: readonly BridgeProvider[] = [],
): Promise<string | undefined> {
  const attempt = await readAttempt(ctx, caller, attemptId, bridges);
  if (attempt?.checkoutId !== checkoutId || attempt.qrPayload === undefined) return undefined;
  return qrSvg(attempt.qrPayload);
}
