import { findChannel } from '../channels/index.ts';
import type { HubContext } from '../context.ts';
import type { Tx } from '../db/index.ts';
import { findMerchant } from '../merchants/index.ts';
import { minor } from '../money/index.ts';
import { emitEvent } from '../notify/index.ts';
import {
  type PaymentInput,
  type PaymentRefusal,
  type PaymentRequest,
  type PaymentSourceHandler,
  type PaymentToken,
  paymentViewOf,
} from '../payments/index.ts';
import { type Result, invariant, ok, refuse } from '../platform/index.ts';
import { type Transfer, postPayment } from '../transfers/index.ts';
import { type Checkout, isDue } from './model.ts';
import { moveCheckout, payableRefusal } from './service.ts';
import * as store from './store.ts';

/**
 * Loads the token's checkout locked, expires it when due, and checks that
 * this wallet may still pay it: the checkout is open, the wallet was offered
 * at creation, and its channel is still approved now.
 */
async function payableBy(
  ctx: HubContext,
  tx: Tx,
  token: PaymentToken,
  walletId: string,
): Promise<Result<Checkout, PaymentRefusal>> {
  let checkout = await store.findCheckout(tx, token.objectId, { lock: true });
  invariant(checkout !== undefined, `payment token ${token.token} names an existing checkout`);
  if (isDue(checkout, ctx.clock.now())) checkout = await moveCheckout(ctx, tx, checkout, 'expire');
  const payable = payableRefusal(checkout);
  if (!payable.ok) return payable;
  const channel = await findChannel(tx, checkout.merchantId, walletId);
  if (channel?.status !== 'approved')
    return refuse('channel_not_approved', `wallet ${walletId} has no approved channel with this merchant`);
  if (!checkout.methods.some((method) => method.walletId === walletId)) {
    return refuse('method_not_offered', `wallet ${walletId} was not offered for checkout ${checkout.id}`);
  }
  return ok(checkout);
}

async function describe(
  ctx: HubContext,
  tx: Tx,
  token: PaymentToken,
  walletId: string,
): Promise<Result<PaymentRequest, PaymentRefusal>> {
  const payable = await payableBy(ctx, tx, token, walletId);
  if (!payable.ok) return payable;
  const checkout = payable.value;
  const merchant = await findMerchant(tx, checkout.merchantId);
  invariant(merchant !== undefined, `the merchant of checkout ${checkout.id} exists`);
  return ok({
    paymentToken: token.token,
    merchant: { id: merchant.id, name: merchant.name, city: merchant.city, mcc: merchant.mcc },
    amount: checkout.amount,
    currency: checkout.currency,
    reference: checkout.reference,
    lines: checkout.lines,
    expiresAt: checkout.expiresAt,
    returnUrl: checkout.returnUrl ?? `${ctx.config.publicUrl}/checkout/${checkout.id}`,
  });
}

async function pay(
  ctx: HubContext,
  tx: Tx,
  token: PaymentToken,
  payment: PaymentInput,
): Promise<Result<Transfer, PaymentRefusal>> {
  const payable = await payableBy(ctx, tx, token, payment.walletId);
  if (!payable.ok) return payable;
  const checkout = payable.value;
  if (payment.currency !== checkout.currency)
    return refuse('currency_mismatch', `the checkout is in ${checkout.currency}, not ${payment.currency}`);
  if (payment.amount !== checkout.amount)
    return refuse('amount_mismatch', `the checkout is for ${checkout.amount}, not ${payment.amount}`, {
      expectedAmount: checkout.amount,
    });
  const posted = await postPayment(ctx, tx, {
    payerId: payment.walletId,
    payeeId: checkout.acquirerId,
    merchantId: checkout.merchantId,
    amount: minor(payment.amount),
    currency: payment.currency,
    source: 'checkout',
    checkoutId: checkout.id,
    payerRef: payment.payerRef,
  });
  if (!posted.ok) return posted;
  invariant(posted.value.amount === checkout.amount, `checkout ${checkout.id} is paid its own amount`);
  const paid = await moveCheckout(ctx, tx, checkout, 'pay', {
    transferId: posted.value.id,
    walletId: payment.walletId,
  });
  invariant(paid.paidWalletId === payment.walletId, `checkout ${checkout.id} is paid by wallet ${payment.walletId}`);
  await emitEvent(ctx, tx, {
    type: 'payment.succeeded',
    data: paymentViewOf(posted.value),
    merchantId: checkout.merchantId,
  });
  return ok(posted.value);
}

export const checkoutPaymentSource: PaymentSourceHandler = { source: 'checkout', describe, pay };
