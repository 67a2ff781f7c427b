import type { HubContext } from '../context.ts';
import type { Tx } from '../db/index.ts';
import { type Merchant, findMerchant } from '../merchants/index.ts';
import { minor } from '../money/index.ts';
import { emitEvent } from '../notify/index.ts';
import {
  type PaymentInput,
  type PaymentRefusal,
  type PaymentRequest,
  type PaymentSourceHandler,
  type PaymentToken,
  issuePaymentToken,
  markTokenUsed,
  paymentViewOf,
} from '../payments/index.ts';
import { type Result, ok, refuse, invariant } from '../platform/index.ts';
import { type Transfer, postPayment } from '../transfers/index.ts';
import { placardTokenMs } from './model.ts';
import { lockTillQr, moveTillQr, offlineRefusal } from './service.ts';

function merchantView(merchant: Merchant): PaymentRequest['merchant'] {
  return { id: merchant.id, name: merchant.name, city: merchant.city, mcc: merchant.mcc };
}

async function merchantOf(tx: Tx, id: string): Promise<Merchant> {
  const merchant = await findMerchant(tx, id);
  invariant(merchant !== undefined, `the merchant ${id} a payment token names exists`);
  return merchant;
}

/** Posts an offline payment and tells the merchant, in the caller's transaction. */
async function postOffline(
  ctx: HubContext,
  tx: Tx,
  merchant: Merchant,
  payment: PaymentInput,
  source: 'placard' | 'till_qr',
): Promise<Result<Transfer, PaymentRefusal>> {
  const posted = await postPayment(ctx, tx, {
    payerId: payment.walletId,
    payeeId: merchant.acquirerId,
    merchantId: merchant.id,
    amount: minor(payment.amount),
    currency: payment.currency,
    source,
    payerRef: payment.payerRef,
  });
  if (posted.ok)
    await emitEvent(ctx, tx, { type: 'payment.succeeded', data: paymentViewOf(posted.value), merchantId: merchant.id });
  return posted;
}

/**
 * A static placard: the scanning wallet gets a token of its own, valid ten
 * minutes and good for one payment, and asks its user for the amount.
 */
export const placardPaymentSource: PaymentSourceHandler = {
  source: 'placard',
  async resolveStatic(ctx, tx, merchantId, walletId) {
    const merchant = await findMerchant(tx, merchantId);
    if (!merchant) return refuse('qr_not_routable', `the placard names no merchant of this hub (${merchantId})`);
    const allowed = await offlineRefusal(tx, merchant, walletId, merchant.currency);
    if (!allowed.ok) return allowed;
    const expiresAt = new Date(ctx.clock.now().getTime() + placardTokenMs).toISOString();
    const token = await issuePaymentToken(ctx, tx, {
      source: 'placard',
      objectId: merchant.id,
      attemptId: null,
      walletId,
      merchantId: merchant.id,
      expiresAt,
    });
    return ok({
      paymentToken: token.token,
      merchant: merchantView(merchant),
      amount: null,
      currency: merchant.currency,
      reference: null,
      lines: null,
      expiresAt,
    });
  },
  async describe(ctx, tx, token) {
    const usable = placardTokenRefusal(ctx, token);
    if (!usable.ok) return usable;
    const merchant = await merchantOf(tx, token.merchantId);
    return ok({
      paymentToken: token.token,
      merchant: merchantView(merchant),
      amount: null,
      currency: merchant.currency,
      reference: null,
      lines: null,
      expiresAt: token.expiresAt,
    });
  },
  async pay(ctx, tx, token, payment) {
    const usable = placardTokenRefusal(ctx, token);
    if (!usable.ok) return usable;
    const merchant = await merchantOf(tx, token.merchantId);
    if (payment.currency !== merchant.currency)
      return refuse('currency_mismatch', `the merchant takes ${merchant.currency}, not ${payment.currency}`);
    const allowed = await offlineRefusal(tx, merchant, payment.walletId, payment.currency);
    if (!allowed.ok) return allowed;
    const posted = await postOffline(ctx, tx, merchant, payment, 'placard');
    if (!posted.ok) return posted;
    invariant(
      await markTokenUsed(tx, token.token, ctx.clock.now().toISOString()),
      `placard token of ${token.merchantId} was unspent under its lock until its transfer ${posted.value.id}`,
    );
    return posted;
  },
};

/** A placard token lasts ten minutes; that it serves only its wallet, payments checks as for every token. */
function placardTokenRefusal(ctx: HubContext, token: PaymentToken): Result<true, PaymentRefusal> {
  if (token.expiresAt <= ctx.clock.now().toISOString())
    return refuse('payment_token_unknown', 'this placard token has expired: scan the placard again');
  return ok(true);
}

/** A till QR: one sale, paid once, by any wallet that may pay this merchant offline. */
export const tillQrPaymentSource: PaymentSourceHandler = {
  source: 'till_qr',
  async describe(ctx, tx, token, walletId) {
    const payable = await payableTillQr(ctx, tx, token, walletId);
    if (!payable.ok) return payable;
    const { qr, merchant } = payable.value;
    return ok({
      paymentToken: token.token,
      merchant: merchantView(merchant),
      amount: qr.amount,
      currency: qr.currency,
      reference: qr.reference,
      lines: null,
      expiresAt: qr.expiresAt,
    });
  },
  async pay(ctx, tx, token, payment) {
    const payable = await payableTillQr(ctx, tx, token, payment.walletId);
    if (!payable.ok) return payable;
    const { qr, merchant } = payable.value;
    if (payment.currency !== qr.currency)
      return refuse('currency_mismatch', `the sale is in ${qr.currency}, not ${payment.currency}`);
    if (payment.amount !== qr.amount)
      return refuse('amount_mismatch', `the sale is for ${qr.amount}, not ${payment.amount}`, {
        expectedAmount: qr.amount,
      });
    const posted = await postOffline(ctx, tx, merchant, payment, 'till_qr');
    if (!posted.ok) return posted;
    const paid = await moveTillQr(ctx, tx, qr, 'pay', { transferId: posted.value.id, walletId: payment.walletId });
    await emitEvent(ctx, tx, { type: 'pos_qr.paid', data: paid, merchantId: merchant.id });
    return posted;
  },
};

async function payableTillQr(ctx: HubContext, tx: Tx, token: PaymentToken, walletId: string) {
  const qr = await lockTillQr(ctx, tx, token.objectId);
  invariant(qr !== undefined, `payment token ${token.token} names an existing till QR`);
  if (qr.status === 'paid')
    return refuse('pos_qr_already_paid', `till QR ${qr.id} is already paid`, { transferId: qr.transferId });
  if (qr.status === 'expired') return refuse('pos_qr_expired', `till QR ${qr.id} expired at ${qr.expiresAt}`);
  if (qr.status === 'canceled') return refuse('pos_qr_canceled', `till QR ${qr.id} was canceled`);
  const merchant = await merchantOf(tx, qr.merchantId);
  const allowed = await offlineRefusal(tx, merchant, walletId, qr.currency);
  if (!allowed.ok) return allowed;
  return ok({ qr, merchant });
}
