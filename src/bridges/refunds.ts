import type { HubContext } from '../context.ts';
import { type BridgeRefundRow, inTransaction } from '../db/index.ts';
import { type Result, invariant, ok, refuse } from '../platform/index.ts';
import { type WechatAccess, accessOf } from './credentials.ts';
import { notifyUrlOf } from './orders.ts';
import * as store from './store.ts';
import {
  type WechatAnswer,
  type WechatFailure,
  callWechat,
  refundQueryPath,
  refundsPath,
  wechatMapping,
} from './wechatpay/index.ts';

export type BridgeRefundRefusal = 'not_found' | 'bridge_refund_pending' | WechatFailure;

/**
 * The hub's `refund.created` callback to a bridged wallet lands here: the
 * bridge carries the refund out at the wallet. Only the refund's id is read
 * from the callback; its amount, payment and wallet come from the hub's own
 * records, so a forged callback can only repeat a refund the hub made. The
 * first call sends `POST /v3/refund/domestic/refunds`; each retry of the
 * callback (notify's backoff, for 24 h) asks its status. The callback is
 * acknowledged, and so the refund succeeds, once the wallet says SUCCESS.
 */
export async function carryOutRefund(
  ctx: HubContext,
  walletId: string,
  refundId: string,
): Promise<Result<'succeeded' | 'done_before', BridgeRefundRefusal>> {
  const refund = await store.findHubRefund(ctx.db.kysely, refundId);
  if (refund?.issuerId !== walletId) return refuse('not_found', `no refund ${refundId} for wallet ${walletId}`);
  if (refund.status !== 'pending') return ok('done_before');
  const order = await store.findPaidOrderOfTransfer(ctx.db.kysely, refund.paymentTransferId);
  if (!order?.transaction_id) return refuse('not_found', `payment ${refund.paymentTransferId} was not bridged`);
  const access = await accessOf(ctx, ctx.db.kysely, order.channel_id, order.wallet_id);
  invariant(access !== undefined, `order ${order.id}'s channel has its credentials`);
  invariant(refund.amount <= order.amount, `refund ${refund.id} is at most its payment's ${order.amount}`);
  const known = await store.findRefundOfHubRefund(ctx.db.kysely, refund.id);
  const answer = known
    ? await callWechat(ctx, access.endpoint, access.credentials, { method: 'GET', path: refundQueryPath(known.id) })
    : await sendRefund(ctx, access, { refund, order });
  if (!answer.ok) return answer;
  const state = await recordAnswer(
    ctx,
    { refundId: refund.id, orderId: order.id, amount: refund.amount },
    answer.value,
  );
  if (state === 'succeeded') return ok('succeeded');
  if (state === 'failed') return refuse('bridge_wallet_error', `WeChat Pay could not refund ${refund.id}`);
  return refuse('bridge_refund_pending', `WeChat Pay is still processing refund ${refund.id}`);
}

function outRefundNoOf(refundId: string): string {
  return wechatMapping.outTradeNoOf(refundId);
}

function sendRefund(
  ctx: HubContext,
  access: WechatAccess,
  parts: {
    refund: { id: string; amount: number; reason: string };
    order: { id: string; amount: number; channel_id: string };
  },
): Promise<Result<WechatAnswer, WechatFailure>> {
  const body = wechatMapping.refundBody({
    outTradeNo: parts.order.id,
    outRefundNo: outRefundNoOf(parts.refund.id),
    refund: parts.refund.amount,
    total: parts.order.amount,
    notifyUrl: notifyUrlOf(ctx, parts.order.channel_id),
    reason: parts.refund.reason,
  });
  return callWechat(ctx, access.endpoint, access.credentials, { method: 'POST', path: refundsPath, body });
}

/** Keeps what the wallet said of the refund; answers its state in the hub's words. */
async function recordAnswer(
  ctx: HubContext,
  refund: { refundId: string; orderId: string; amount: number },
  answer: WechatAnswer,
): Promise<BridgeRefundRow['state']> {
  const body = answer.body as { status?: unknown; refund_id?: unknown } | null;
  const state = wechatMapping.refundStateOf(typeof body?.status === 'string' ? body.status : '') ?? 'pending';
  const walletRefundId = typeof body?.refund_id === 'string' ? body.refund_id : null;
  const at = ctx.clock.now().toISOString();
  await inTransaction(ctx.db, async (tx) => {
    const id = outRefundNoOf(refund.refundId);
    const known = await store.findRefundOfHubRefund(tx, refund.refundId);
    if (known) return store.updateRefund(tx, id, { state, wallet_refund_id: walletRefundId, updated_at: at });
    return store.insertRefund(tx, {
      id,
      order_id: refund.orderId,
      refund_id: refund.refundId,
      amount: refund.amount,
      state,
      wallet_refund_id: walletRefundId,
      created_at: at,
      updated_at: at,
    });
  });
  return state;
}
