import type { HubContext } from '../context.ts';
import type { Tx } from '../db/index.ts';
import type { Channel, ChannelEventType } from './model.ts';

/** The event a merchant is told of for each transition; the others are not announced. */
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

/**
 * Tells the merchant of a decision in the transaction that made it. The
 * notify capability is not in the tree yet: until it is, nothing is sent.
 */
export async function emitChannelEvent(_ctx: HubContext, _tx: Tx, event: ChannelEventType, _channel: Channel): Promise<void> {
  notifiedTypeOf(event);
}
