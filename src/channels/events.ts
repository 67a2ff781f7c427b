import type { HubContext } from '../context.ts';
import type { Tx } from '../db/index.ts';
import { emitEvent } from '../notify/index.ts';
import type { ChannelEventType, ChannelView } from './model.ts';

/** The event a merchant is told of for each transition; its own answer is not announced back to it. */
export function notifiedTypeOf(event: ChannelEventType): string | undefined {
  switch (event) {
    case 'approve':
      return 'channel_application.approved';
    case 'reject':
      return 'channel_application.rejected';
    case 'request_info':
      return 'channel_application.info_requested';
    case 'suspend':
      return 'channel.suspended';
    case 'reinstate':
      return 'channel.reinstated';
    case 'provide_info':
      return undefined;
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown channel event ${String(unknownEvent)}`);
    }
  }
}

/** Tells the merchant of a wallet's decision in the transaction that made it; the data is the channel as it now is. */
export async function emitChannelEvent(
  ctx: HubContext,
  tx: Tx,
  event: ChannelEventType,
  channel: ChannelView,
): Promise<void> {
  const type = notifiedTypeOf(event);
  if (type === undefined) return;
  await emitEvent(ctx, tx, { type, data: channel, merchantId: channel.merchantId });
}
