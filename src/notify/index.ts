import type { HubContext } from '../context.ts';
import type { Tx } from '../db/index.ts';
import type { HubEvent } from './model.ts';
import { emitEvent as writeEvent } from './service.ts';

export type { HubEvent } from './model.ts';
export { documentedEventTypes } from './model.ts';

/**
 * Writes the event and its deliveries in the caller's transaction. A
 * merchant-addressed event goes to that merchant's enabled webhook endpoints
 * that hear its type (or `*`); a participant-addressed one to each named
 * participant's `callbackUrl` + `/events`, signed with the hub's key. Both
 * read it in `GET /v1/events`. Throws (a programmer error) when the type is
 * not a dotted lowercase name, the data is not JSON or exceeds 64 KiB.
 */
export async function emitEvent(
  ctx: HubContext,
  tx: Tx,
  event: { type: string; data: unknown; merchantId?: string | null; participantIds?: readonly string[] },
): Promise<HubEvent> {
  return writeEvent(ctx, tx, event);
}
