import { type BridgeOrderRow, type BridgeRefundRow, type Queryable, type Tx, forUpdate } from '../db/index.ts';

export async function upsertCredentials(
  tx: Tx,
  row: { channelId: string; kind: string; sealed: string; at: string },
): Promise<void> {
  await tx
    .insertInto('bridge_credentials')
    .values({ channel_id: row.channelId, kind: row.kind, sealed: row.sealed, created_at: row.at, updated_at: row.at })
    .onConflict((conflict) => conflict.column('channel_id').doUpdateSet({ sealed: row.sealed, updated_at: row.at }))
    .execute();
}

export async function findSealedCredentials(db: Queryable, channelId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('bridge_credentials')
    .select('sealed')
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return row?.sealed;
}

export async function insertOrder(tx: Tx, row: BridgeOrderRow): Promise<void> {
  await tx.insertInto('bridge_orders').values(row).execute();
}

export async function findOrder(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<BridgeOrderRow | undefined> {
  const query = db.selectFrom('bridge_orders').selectAll().where('id', '=', id);
  return (lock ? forUpdate(db, query) : query).executeTakeFirst();
}

export async function findOrderOfAttempt(db: Queryable, attemptId: string): Promise<BridgeOrderRow | undefined> {
  return db.selectFrom('bridge_orders').selectAll().where('attempt_id', '=', attemptId).executeTakeFirst();
}

export async function findPaidOrderOfTransfer(db: Queryable, transferId: string): Promise<BridgeOrderRow | undefined> {
  return db.selectFrom('bridge_orders').selectAll().where('transfer_id', '=', transferId).executeTakeFirst();
}

export async function updateOrder(
  tx: Tx,
  id: string,
  change: Partial<Omit<BridgeOrderRow, 'id' | 'attempt_id'>> & { updated_at: string },
): Promise<void> {
  await tx.updateTable('bridge_orders').set(change).where('id', '=', id).execute();
}

/** Open orders whose next query is due: the wallet's notification did not come (yet). */
export async function listOrdersDue(db: Queryable, at: string, limit: number): Promise<BridgeOrderRow[]> {
  return db
    .selectFrom('bridge_orders')
    .selectAll()
    .where('state', '=', 'open')
    .where('next_query_at', '<=', at)
    .orderBy('next_query_at')
    .limit(limit)
    .execute();
}

/**
 * Moves an open order's next query forward only if no other process did
 * since it was listed: the one that moves it follows the order this time.
 */
export async function claimOrder(
  tx: Tx,
  order: { id: string; next_query_at: string },
  leaseUntil: string,
  at: string,
): Promise<boolean> {
  const result = await tx
    .updateTable('bridge_orders')
    .set({ next_query_at: leaseUntil, updated_at: at })
    .where('id', '=', order.id)
    .where('state', '=', 'open')
    .where('next_query_at', '=', order.next_query_at)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Whether the notification was already taken; records it when not, in the transaction that applies it. */
export async function takeNotification(
  tx: Tx,
  row: { channelId: string; notificationId: string; orderId: string; at: string },
): Promise<boolean> {
  const result = await tx
    .insertInto('bridge_notifications')
    .values({
      channel_id: row.channelId,
      notification_id: row.notificationId,
      order_id: row.orderId,
      received_at: row.at,
    })
    .onConflict((conflict) => conflict.columns(['channel_id', 'notification_id']).doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function insertRefund(tx: Tx, row: BridgeRefundRow): Promise<void> {
  await tx.insertInto('bridge_refunds').values(row).execute();
}

export async function updateRefund(
  tx: Tx,
  id: string,
  change: Partial<Omit<BridgeRefundRow, 'id'>> & { updated_at: string },
): Promise<void> {
  await tx.updateTable('bridge_refunds').set(change).where('id', '=', id).execute();
}

/** The hub's own refund a bridge is asked to carry out at the wallet (read, never written, here). */
export async function findHubRefund(
  db: Queryable,
  id: string,
): Promise<
  | { id: string; status: string; amount: number; paymentTransferId: string; issuerId: string; reason: string }
  | undefined
> {
  const row = await db
    .selectFrom('refunds')
    .select(['id', 'status', 'amount', 'payment_transfer_id', 'issuer_id', 'reason'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        status: row.status,
        amount: Number(row.amount),
        paymentTransferId: row.payment_transfer_id,
        issuerId: row.issuer_id,
        reason: row.reason,
      }
    : undefined;
}

export async function findRefundOfHubRefund(db: Queryable, refundId: string): Promise<BridgeRefundRow | undefined> {
  return db.selectFrom('bridge_refunds').selectAll().where('refund_id', '=', refundId).executeTakeFirst();
}
