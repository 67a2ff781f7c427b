/** Payments: a wallet resolving what to pay and sending the transfer. Pure types and rules. */
import type { Tx } from '../db/index.ts';
import type { HubContext } from '../context.ts';
import type { Result } from '../platform/index.ts';
import type { Transfer } from '../transfers/index.ts';

/** What a payment token pays: a checkout, a placard (static QR) or a till QR. */
export type TokenSource = 'checkout' | 'placard' | 'till_qr';

export type PaymentToken = {
  token: string;
  source: TokenSource;
  /** The checkout, merchant (placard) or till QR the token pays. */
  objectId: string;
  attemptId: string | null;
  /** Set when only this wallet may use the token (a placard's). */
  walletId: string | null;
  merchantId: string;
  expiresAt: string;
  createdAt: string;
  /** Set when a single-use token (a placard's) has paid. */
  usedAt: string | null;
  /** The transfer the token paid, once it has: what a repeated `payer.ref` must name. */
  transferId: string | null;
};

/** What the wallet shows its user before the user approves. */
export type PaymentRequest = {
  paymentToken: string;
  merchant: { id: string; name: string; city: string; mcc: string };
  amount: number | null;
  currency: string;
  reference: string | null;
  lines: unknown[] | null;
  expiresAt: string;
};

/**
 * Why a wallet may not pay, in the order the checks run: the token, its
 * binding (to a wallet, to an active merchant), the object's status, the
 * wallet's right to pay here, then the money.
 */
export type PaymentRefusal =
  | 'payment_token_unknown'
  | 'qr_not_routable'
  | 'wallet_mismatch'
  | 'merchant_suspended'
  | 'currency_not_supported'
  | 'pos_qr_already_paid'
  | 'pos_qr_expired'
  | 'pos_qr_canceled'
  | 'checkout_canceled'
  | 'checkout_expired'
  | 'checkout_already_paid'
  | 'method_not_offered'
  | 'channel_not_approved'
  | 'amount_mismatch'
  | 'currency_mismatch'
  | 'limit_exceeded';

/** A wallet's `payer.ref` already names a transfer that paid something else (another token, amount or currency). */
export type PayerRefRefusal = 'payer_ref_reused';

export type PaymentInput = { walletId: string; amount: number; currency: string; payerRef: string };

/**
 * One kind of thing a token pays. `pay` runs inside the transfer's
 * transaction, with the token's row locked and read unspent: it checks,
 * posts the transfer and marks its object paid (or its token spent), so
 * they commit together. A refusal commits too, so nothing is marked before
 * the transfer is posted.
 */
export interface PaymentSourceHandler {
  readonly source: TokenSource;
  /**
   * A static placard carries no token: its handler issues one bound to the
   * scanning wallet. Only the placard handler has this.
   */
  resolveStatic?(
    ctx: HubContext,
    tx: Tx,
    merchantId: string,
    walletId: string,
  ): Promise<Result<PaymentRequest, PaymentRefusal>>;
  describe(
    ctx: HubContext,
    tx: Tx,
    token: PaymentToken,
    walletId: string,
  ): Promise<Result<PaymentRequest, PaymentRefusal>>;
  pay(ctx: HubContext, tx: Tx, token: PaymentToken, payment: PaymentInput): Promise<Result<Transfer, PaymentRefusal>>;
}

/** Payment tokens carry 24 random bytes: unguessable, and short enough for a QR template. */
export const paymentTokenBytes = 24;
export const paymentTokenPrefix = 'pt_';

export type PaymentView = {
  id: string;
  receiptNumber: string;
  walletId: string;
  amount: number;
  currency: string;
  source: string;
  status: 'succeeded' | 'partially_refunded' | 'refunded';
  refundedAmount: number;
  checkoutId: string | null;
  createdAt: string;
};

export function paymentStatusOf(amount: number, refundedAmount: number): PaymentView['status'] {
  if (refundedAmount === 0) return 'succeeded';
  return refundedAmount >= amount ? 'refunded' : 'partially_refunded';
}

/** The merchant's view of a payment transfer. */
export function paymentViewOf(transfer: {
  id: string;
  receiptNumber: string;
  payerParticipantId: string;
  amount: number;
  currency: string;
  source: string;
  refundedAmount: number;
  checkoutId: string | null;
  createdAt: string;
}): PaymentView {
  return {
    id: transfer.id,
    receiptNumber: transfer.receiptNumber,
    walletId: transfer.payerParticipantId,
    amount: transfer.amount,
    currency: transfer.currency,
    source: transfer.source,
    status: paymentStatusOf(transfer.amount, transfer.refundedAmount),
    refundedAmount: transfer.refundedAmount,
    checkoutId: transfer.checkoutId,
    createdAt: transfer.createdAt,
  };
}

/** A checkout attempt's order at a bridged wallet: what the wallet is asked to collect. */
export type BridgeOrderRequest = {
  attemptId: string;
  checkoutId: string;
  merchantId: string;
  walletId: string;
  flow: 'qr' | 'app_switch';
  amount: number;
  currency: string;
  description: string;
  expiresAt: string;
  /** The attempt's token for this wallet: the payment commits through it when the wallet says it is paid. */
  paymentToken: string;
  /** The buyer's address as the hub saw it: WeChat's H5 prepay requires it for its own risk checks. */
  payerIp: string;
};

/** How the buyer pays the wallet's own order: its QR payload (WeChat's `code_url`) or its page (H5 URL). */
export type BridgeOrderAnswer = { qrPayload?: string; deepLink?: string };

export type BridgeOrderRefusal =
  | 'bridge_unavailable'
  | 'bridge_answer_unverified'
  | 'bridge_wallet_error'
  | 'channel_not_approved';

/**
 * The one interface between the hub's payment paths and a wallet reached
 * through its own merchant API (a bridge, `src/bridges`), as Medusa's
 * payment providers are: the attempt path opens the wallet's order through
 * it, outside any transaction. What follows the order (the wallet's
 * notification, queries on a schedule, closing at expiry, refunds) is the
 * bridge's own routes and workers, which commit through the payment
 * sources like any wallet's transfer. Offered by a manifest's
 * `bridgeProviders`; the attempt path imports no bridge.
 */
export interface BridgeProvider {
  /** The participant's `bridge.kind` it serves. */
  readonly kind: string;
  openOrder(ctx: HubContext, order: BridgeOrderRequest): Promise<Result<BridgeOrderAnswer, BridgeOrderRefusal>>;
  /** What `openOrder` answered for an attempt (for a replay); undefined when no order was opened. */
  findOrder(ctx: HubContext, attemptId: string): Promise<BridgeOrderAnswer | undefined>;
}
