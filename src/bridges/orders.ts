import { findChannel } from '../channels/index.ts';
import { checkoutPaymentSource, findCheckout } from '../checkout/index.ts';
import type { HubContext } from '../context.ts';
import { type BridgeOrderRow, inTransaction } from '../db/index.ts';
import {
  type BridgeOrderAnswer,
  type BridgeOrderRefusal,
  type BridgeOrderRequest,
  type BridgeProvider,
  createPaymentService,
} from '../payments/index.ts';
import { type Result, invariant, ok, refuse } from '../platform/index.ts';
import { type WechatAccess, accessOf } from './credentials.ts';
import * as store from './store.ts';
import {
  type WechatAnswer,
  type WechatFailure,
  callWechat,
  closePath,
  h5Path,
  nativePath,
  queryPath,
  walletErrorOf,
  wechatMapping,
} from './wechatpay/index.ts';

export const wechatKind = 'wechatpay_v3';

/**
 * A bridged wallet's payment commits as that wallet's transfer would: through
 * the checkout's payment source, with the attempt's token, so fees, the
 * window, the ledger, the checkout's status and its events are the same.
 */
const payments = createPaymentService([checkoutPaymentSource]);

/** When the hub first asks for an order it heard nothing of, then how much later each time. */
export const queryDelaysS = [5, 10, 20, 30, 60];

export function nextQueryAt(at: Date, queries: number): string {
  const delayS = queryDelaysS[Math.min(queries, queryDelaysS.length - 1)] as number;
  return new Date(at.getTime() + delayS * 1000).toISOString();
}

export function notifyUrlOf(ctx: HubContext, channelId: string): string {
  return `${ctx.config.publicUrl}/bridges/${wechatKind}/${channelId}/notify`;
}

function answerOf(row: BridgeOrderRow): BridgeOrderAnswer | undefined {
  if (row.wallet_url === null) return undefined;
  return row.flow === 'qr' ? { qrPayload: row.wallet_url } : { deepLink: row.wallet_url };
}

/** Records the order before asking the wallet, so that a lost answer is still queried. */
async function recordOrder(ctx: HubContext, order: BridgeOrderRequest, channelId: string): Promise<BridgeOrderRow> {
  const at = ctx.clock.now();
  const row: BridgeOrderRow = {
    id: wechatMapping.outTradeNoOf(order.attemptId),
    attempt_id: order.attemptId,
    checkout_id: order.checkoutId,
    channel_id: channelId,
    wallet_id: order.walletId,
    flow: order.flow,
    amount: order.amount,
    currency: order.currency,
    payment_token: order.paymentToken,
    state: 'open',
    wallet_url: null,
    transaction_id: null,
    transfer_id: null,
    queries: 0,
    next_query_at: nextQueryAt(at, 0),
    expires_at: order.expiresAt,
    closed_at: null,
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
  };
  await inTransaction(ctx.db, (tx) => store.insertOrder(tx, row));
  return row;
}

/** Native prepay (`code_url`, the QR to scan in WeChat) or H5 prepay (`h5_url`, the page that opens WeChat). */
async function openOrder(
  ctx: HubContext,
  order: BridgeOrderRequest,
): Promise<Result<BridgeOrderAnswer, BridgeOrderRefusal>> {
  const channel = await findChannel(ctx.db.kysely, order.merchantId, order.walletId);
  const access =
    channel?.status === 'approved' ? await accessOf(ctx, ctx.db.kysely, channel.id, order.walletId) : undefined;
  if (!channel || !access)
    return refuse('channel_not_approved', `wallet ${order.walletId} has no approved channel with credentials here`);
  invariant(order.currency === wechatMapping.wechatCurrency, `a WeChat Pay order is in CNY (not ${order.currency})`);
  const row = await recordOrder(ctx, order, channel.id);
  const input = {
    appid: access.credentials.appid,
    mchid: access.credentials.mchid,
    description: order.description,
    outTradeNo: row.id,
    expiresAt: new Date(order.expiresAt),
    notifyUrl: notifyUrlOf(ctx, channel.id),
    amount: order.amount,
  };
  const answer = await callWechat(ctx, access.endpoint, access.credentials, {
    method: 'POST',
    path: order.flow === 'qr' ? nativePath : h5Path,
    body:
      order.flow === 'qr' ? wechatMapping.nativePrepayBody(input) : wechatMapping.h5PrepayBody(input, order.payerIp),
  });
  if (!answer.ok) {
    // The wallet refused: it has no order to query. Without an answer it may have one: the schedule asks.
    if (answer.code === 'bridge_wallet_error') await markOrder(ctx, row.id, { state: 'failed' });
    return answer;
  }
  const body = answer.value.body as { code_url?: unknown; h5_url?: unknown } | null;
  const url = order.flow === 'qr' ? body?.code_url : body?.h5_url;
  if (typeof url !== 'string')
    return refuse('bridge_answer_unverified', 'WeChat Pay answered the prepay without its URL');
  await markOrder(ctx, row.id, { wallet_url: url });
  return ok(order.flow === 'qr' ? { qrPayload: url } : { deepLink: url });
}

async function markOrder(ctx: HubContext, id: string, change: Partial<BridgeOrderRow>): Promise<void> {
  await inTransaction(ctx.db, (tx) =>
    store.updateOrder(tx, id, { ...change, updated_at: ctx.clock.now().toISOString() }),
  );
}

export const wechatpayProvider: BridgeProvider = {
  kind: wechatKind,
  openOrder,
  findOrder: async (ctx, attemptId) => {
    const row = await store.findOrderOfAttempt(ctx.db.kysely, attemptId);
    return row ? answerOf(row) : undefined;
  },
};

export type PaidRefusal = 'bridge_wallet_error' | 'bridge_payment_refused';

/**
 * The wallet says the order is paid: the payment commits as the bridged
 * wallet's transfer, its `payer.ref` the wallet's transaction id, so a
 * second notice (a retried notification, a query) finds the same transfer.
 */
export async function commitPaid(
  ctx: HubContext,
  order: BridgeOrderRow,
  transaction: wechatMapping.WechatTransaction,
): Promise<Result<string, PaidRefusal>> {
  invariant(transaction.out_trade_no === order.id, `the transaction names order ${order.id}`);
  const total = transaction.amount?.total;
  if (total !== order.amount)
    return refuse(
      'bridge_wallet_error',
      `WeChat Pay says ${String(total)} was paid for order ${order.id} of ${order.amount}`,
    );
  const transactionId = transaction.transaction_id;
  invariant(transactionId !== undefined, `a paid transaction of order ${order.id} has its transaction_id`);
  const sent = await payments.transfer(
    ctx,
    { type: 'participant', id: order.wallet_id, keyId: `bridge:${wechatKind}` },
    {
      paymentToken: order.payment_token,
      amount: order.amount,
      currency: order.currency,
      payerRef: `wxpay:${transactionId}`,
    },
  );
  if (!sent.ok) {
    ctx.logger.warn({ orderId: order.id, code: sent.code }, 'a bridged payment was refused by the hub');
    await markOrder(ctx, order.id, { state: 'failed', transaction_id: transactionId });
    return refuse('bridge_payment_refused', sent.detail, { code: sent.code });
  }
  invariant(sent.value.transfer.amount === order.amount, `the transfer of order ${order.id} is its amount`);
  await markOrder(ctx, order.id, { state: 'paid', transaction_id: transactionId, transfer_id: sent.value.transfer.id });
  return ok(sent.value.transfer.id);
}

/** One order the hub heard nothing of: closed at the wallet when its checkout is over, else asked about. */
export async function followOrder(ctx: HubContext, order: BridgeOrderRow): Promise<void> {
  const access = await accessOf(ctx, ctx.db.kysely, order.channel_id, order.wallet_id);
  invariant(access !== undefined, `order ${order.id}'s channel has its credentials`);
  const checkout = await findCheckout(ctx.db.kysely, order.checkout_id);
  invariant(checkout !== undefined, `order ${order.id}'s checkout exists`);
  const over = checkout.status !== 'open' || ctx.clock.now().toISOString() >= order.expires_at;
  const queried = await queryOrder(ctx, access, order);
  if (queried.ok) {
    const state = wechatMapping.orderStateOf(queried.value.trade_state);
    if (state === 'paid') return void (await commitPaid(ctx, order, queried.value));
    if (state === 'closed' || state === 'failed') return markOrder(ctx, order.id, { state });
  }
  if (over) return closeOrder(ctx, access, order);
  await markOrder(ctx, order.id, {
    queries: order.queries + 1,
    next_query_at: nextQueryAt(ctx.clock.now(), order.queries + 1),
  });
}

async function queryOrder(
  ctx: HubContext,
  access: WechatAccess,
  order: BridgeOrderRow,
): Promise<Result<wechatMapping.WechatTransaction, WechatFailure | 'bridge_answer_unverified'>> {
  const answer = await callWechat(ctx, access.endpoint, access.credentials, {
    method: 'GET',
    path: queryPath(order.id, access.credentials.mchid),
  });
  if (!answer.ok) return answer;
  const transaction = wechatMapping.transactionOf(answer.value.body);
  if (transaction?.out_trade_no !== order.id)
    return refuse('bridge_answer_unverified', 'the query answered another order');
  return ok(transaction);
}

/** Closes the wallet's order of a checkout that is over; a wallet that says it was paid meanwhile is asked again. */
async function closeOrder(ctx: HubContext, access: WechatAccess, order: BridgeOrderRow): Promise<void> {
  const answer: Result<WechatAnswer, WechatFailure> = await callWechat(ctx, access.endpoint, access.credentials, {
    method: 'POST',
    path: closePath(order.id),
    body: { mchid: access.credentials.mchid },
  });
  const at = ctx.clock.now();
  const error = answer.ok ? undefined : answer.code === 'bridge_wallet_error' ? walletErrorOf(answer).error : undefined;
  if (answer.ok || wechatMapping.isOrderNotFound(404, error ?? { code: '', message: '' }))
    return markOrder(ctx, order.id, { state: 'closed', closed_at: at.toISOString() });
  await markOrder(ctx, order.id, { queries: order.queries + 1, next_query_at: nextQueryAt(at, order.queries + 1) });
}

const dueOrdersPerTick = 50;
/** Longer than one follow takes (two calls of at most 10 s): another process skips the order meanwhile. */
const followLeaseMs = 60_000;

/** The `bridge-orders` tick: every open order whose next query is due, each on its own. */
export async function followDueOrders(ctx: HubContext): Promise<number> {
  const at = ctx.clock.now();
  const due = await store.listOrdersDue(ctx.db.kysely, at.toISOString(), dueOrdersPerTick);
  let followed = 0;
  for (const order of due) {
    const leaseUntil = new Date(at.getTime() + followLeaseMs).toISOString();
    const claimed = await inTransaction(ctx.db, (tx) => store.claimOrder(tx, order, leaseUntil, at.toISOString()));
    if (!claimed) continue;
    await followOrder(ctx, order);
    followed += 1;
  }
  return followed;
}
