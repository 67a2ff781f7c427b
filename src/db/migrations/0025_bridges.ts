import type { Kysely } from 'kysely';

/**
 * Bridged wallets: a participant the hub reaches through the wallet's own
 * merchant API (`participants.bridge_*`: its kind, base URL and the platform
 * keys its answers are signed with, JSON). A merchant's credentials at that
 * wallet, sealed under the master key, one set per channel. The wallet's
 * order behind each checkout attempt, with its state and what the hub last
 * learnt of it; the notifications already taken (by the wallet's id, so a
 * retry is answered and not applied twice); and refunds sent to the wallet.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('participants').addColumn('bridge_kind', 'text').execute();
  await db.schema.alterTable('participants').addColumn('bridge_base_url', 'text').execute();
  await db.schema.alterTable('participants').addColumn('bridge_platform_keys', 'text').execute();
  await db.schema
    .createTable('bridge_credentials')
    .addColumn('channel_id', 'text', (c) => c.primaryKey().references('channels.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('bridge_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('attempt_id', 'text', (c) => c.notNull().unique())
    .addColumn('checkout_id', 'text', (c) => c.notNull().references('checkouts.id'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('wallet_id', 'text', (c) => c.notNull().references('participants.id'))
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_token', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('wallet_url', 'text')
    .addColumn('transaction_id', 'text')
    .addColumn('transfer_id', 'text')
    .addColumn('queries', 'integer', (c) => c.notNull())
    .addColumn('next_query_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bridge_orders_due').on('bridge_orders').columns(['state', 'next_query_at']).execute();
  await db.schema
    .createTable('bridge_notifications')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bridge_notifications_pk', ['channel_id', 'notification_id'])
    .execute();
  await db.schema
    .createTable('bridge_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('bridge_orders.id'))
    .addColumn('refund_id', 'text', (c) => c.notNull().unique())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('wallet_refund_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
