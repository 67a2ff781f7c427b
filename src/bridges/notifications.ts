import { findVisibleChannel } from '../channels/index.ts';
import type { HubContext } from '../context.ts';
import { inTransaction } from '../db/index.ts';
import { operatorCaller } from '../http/index.ts';
import { type Result, ok, refuse } from '../platform/index.ts';
import { accessOf } from './credentials.ts';
import { commitPaid } from './orders.ts';
import * as store from './store.ts';
import { decryptResource, verifyAnswer, wechatMapping } from './wechatpay/index.ts';

export type NotificationRefusal =
  | 'not_found'
  | 'invalid_request'
  | 'signature_missing'
  | 'signature_invalid'
  | 'bridge_key_unknown'
  | 'bridge_clock_skew'
  | 'bridge_resource_invalid'
  | 'bridge_wallet_error';

/**
 * A WeChat Pay notification for one channel: verified with the wallet's
 * platform key over the exact bytes received, decrypted with the channel's
 * APIv3 key, then applied. Applying twice is harmless (the payment's
 * `payer.ref` is the wallet's transaction id), so a retried notification is
 * acknowledged again; each is recorded once by its id. Any refusal makes the
 * wallet send it again later, on its own schedule.
 */
export async function takeWechatNotification(
  ctx: HubContext,
  channelId: string,
  headers: Record<string, string | undefined>,
  rawBody: string,
): Promise<Result<'applied' | 'ignored', NotificationRefusal>> {
  const channel = await findVisibleChannel(ctx.db.kysely, operatorCaller, channelId);
  const access = channel ? await accessOf(ctx, ctx.db.kysely, channel.id, channel.walletId) : undefined;
  if (!channel || !access) return refuse('not_found', `no bridged channel ${channelId}`);
  const nowSeconds = Math.floor(ctx.clock.now().getTime() / 1000);
  const verified = verifyAnswer(headers, rawBody, access.endpoint.platformKeys, nowSeconds);
  if (!verified.ok) return verified;
  const envelope = wechatMapping.notificationOf(parseJson(rawBody));
  if (!envelope) return refuse('invalid_request', 'the notification is not a WeChat Pay notification envelope');
  if (envelope.event_type !== 'TRANSACTION.SUCCESS') return ok('ignored');
  const opened = decryptResource(envelope.resource, access.credentials.apiV3Key.reveal());
  if (!opened.ok) return opened;
  const transaction = wechatMapping.transactionOf(parseJson(opened.value));
  if (!transaction || transaction.mchid !== access.credentials.mchid)
    return refuse('invalid_request', 'the notification resource is not a transaction of this merchant');
  const order = await store.findOrder(ctx.db.kysely, transaction.out_trade_no);
  if (order?.channel_id !== channelId)
    return refuse('not_found', `no order ${transaction.out_trade_no} on this channel`);
  if (wechatMapping.orderStateOf(transaction.trade_state) !== 'paid') return ok('ignored');
  const paid = await commitPaid(ctx, order, transaction);
  // Refused by the hub (the checkout ended meanwhile), the order is marked failed and logged: asking again changes nothing.
  if (!paid.ok && paid.code === 'bridge_wallet_error') return refuse(paid.code, paid.detail);
  await inTransaction(ctx.db, (tx) =>
    store.takeNotification(tx, {
      channelId,
      notificationId: envelope.id,
      orderId: order.id,
      at: ctx.clock.now().toISOString(),
    }),
  );
  return ok('applied');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
