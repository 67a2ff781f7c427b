import {
  type Queryable,
  type Tx,
  cachedRead,
  forUpdate,
  fromJson,
  noteChange,
  toJson,
  type ChannelRow,
} from '../db/index.ts';
import type { BusinessDetails, Channel, ChannelChange, ChannelStatus, ChannelView } from './model.ts';
import { invariant } from '../platform/index.ts';

const liveStatuses: ChannelStatus[] = ['pending', 'info_requested', 'approved', 'suspended'];

function toChannel(row: ChannelRow): Channel {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    walletId: row.wallet_id,
    status: row.status as ChannelStatus,
    businessDetails: fromJson<BusinessDetails>(row.business_details),
    question: row.question,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    approvedAt: row.approved_at,
    rejectedAt: row.rejected_at,
    suspendedAt: row.suspended_at,
    reinstatedAt: row.reinstated_at,
    infoRequestedAt: row.info_requested_at,
    infoProvidedAt: row.info_provided_at,
  };
}

/** Inserts unless a live channel already exists for the pair; says whether it did. */
export async function insertChannel(tx: Tx, channel: Channel): Promise<boolean> {
  const result = await tx
    .insertInto('channels')
    .values({
      id: channel.id,
      merchant_id: channel.merchantId,
      wallet_id: channel.walletId,
      status: channel.status,
      business_details: toJson(channel.businessDetails),
      question: channel.question,
      reason: channel.reason,
      created_at: channel.createdAt,
      updated_at: channel.updatedAt,
      approved_at: channel.approvedAt,
      rejected_at: channel.rejectedAt,
      suspended_at: channel.suspendedAt,
      reinstated_at: channel.reinstatedAt,
      info_requested_at: channel.infoRequestedAt,
      info_provided_at: channel.infoProvidedAt,
    })
    // The only unique conflict possible is the live (merchant, wallet) index.
    .onConflict((conflict) => conflict.doNothing())
    .executeTakeFirst();
  await noteChange(tx, 'channel', pairKey(channel.merchantId, channel.walletId));
  return result.numInsertedOrUpdatedRows === 1n;
}

function pairKey(merchantId: string, walletId: string): string {
  return `${merchantId}/${walletId}`;
}

export async function findChannelById(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<Channel | undefined> {
  const query = db.selectFrom('channels').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toChannel(row) : undefined;
}

/** The live channel of a merchant with a wallet, or undefined. */
export async function findLiveChannel(
  db: Queryable,
  merchantId: string,
  walletId: string,
): Promise<Channel | undefined> {
  // Every checkout asks it of each wallet; "none" is cached too, as null.
  const found = await cachedRead(db, 'channel', pairKey(merchantId, walletId), async () => {
    const row = await db
      .selectFrom('channels')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('wallet_id', '=', walletId)
      .where('status', 'in', liveStatuses)
      .executeTakeFirst();
    return row ? toChannel(row) : null;
  });
  return found ?? undefined;
}

/**
 * One channel per wallet the merchant ever applied to: the live one, or
 * else the latest rejected application. Ordered by channel id.
 */
export async function listCurrentChannelsOfMerchant(db: Queryable, merchantId: string): Promise<Channel[]> {
  const rows = await db
    .selectFrom('channels')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('id')
    .execute();
  const current = new Map<string, Channel>();
  for (const channel of rows.map(toChannel)) {
    const held = current.get(channel.walletId);
    if (!held || held.status === 'rejected') current.set(channel.walletId, channel);
  }
  return [...current.values()].sort((left, right) => (left.id < right.id ? -1 : 1));
}

export async function updateChannel(tx: Tx, id: string, change: ChannelChange): Promise<void> {
  const set: Partial<ChannelRow> = { status: change.status, updated_at: change.updatedAt };
  if (change.businessDetails !== undefined) set.business_details = toJson(change.businessDetails);
  if (change.question !== undefined) set.question = change.question;
  if (change.reason !== undefined) set.reason = change.reason;
  if (change.approvedAt !== undefined) set.approved_at = change.approvedAt;
  if (change.rejectedAt !== undefined) set.rejected_at = change.rejectedAt;
  if (change.suspendedAt !== undefined) set.suspended_at = change.suspendedAt;
  if (change.reinstatedAt !== undefined) set.reinstated_at = change.reinstatedAt;
  if (change.infoRequestedAt !== undefined) set.info_requested_at = change.infoRequestedAt;
  if (change.infoProvidedAt !== undefined) set.info_provided_at = change.infoProvidedAt;
  const updated = await tx
    .updateTable('channels')
    .set(set)
    .where('id', '=', id)
    .returning(['merchant_id', 'wallet_id'])
    .execute();
  invariant(updated.length === 1, `channel ${id} was updated (${updated.length} rows)`);
  const [pair] = updated;
  if (pair) await noteChange(tx, 'channel', pairKey(pair.merchant_id, pair.wallet_id));
}

export type ChannelFilter = {
  merchantId?: string | undefined;
  walletId?: string | undefined;
  status?: ChannelStatus | undefined;
  after?: string | undefined;
  limit: number;
};

/** Channels with the merchant and wallet facts a reader needs, joined for reading only. */
function viewQuery(db: Queryable) {
  return db
    .selectFrom('channels')
    .innerJoin('merchants', 'merchants.id', 'channels.merchant_id')
    .innerJoin('participants', 'participants.id', 'channels.wallet_id')
    .selectAll('channels')
    .select([
      'merchants.name as merchant_name',
      'merchants.mcc as merchant_mcc',
      'merchants.city as merchant_city',
      'merchants.country as merchant_country',
      'merchants.currency as merchant_currency',
      'participants.name as wallet_name',
    ]);
}

type ViewRow = ChannelRow & {
  merchant_name: string;
  merchant_mcc: string;
  merchant_city: string;
  merchant_country: string;
  merchant_currency: string;
  wallet_name: string;
};

function toView(row: ViewRow): ChannelView {
  return {
    ...toChannel(row),
    merchant: {
      name: row.merchant_name,
      mcc: row.merchant_mcc,
      city: row.merchant_city,
      country: row.merchant_country,
      currency: row.merchant_currency,
    },
    wallet: { name: row.wallet_name },
  };
}

export async function findChannelView(db: Queryable, id: string): Promise<ChannelView | undefined> {
  const row = await viewQuery(db).where('channels.id', '=', id).executeTakeFirst();
  return row ? toView(row) : undefined;
}

export async function listChannelViews(db: Queryable, filter: ChannelFilter): Promise<ChannelView[]> {
  let query = viewQuery(db)
    .orderBy('channels.id')
    .limit(filter.limit + 1);
  if (filter.merchantId !== undefined) query = query.where('channels.merchant_id', '=', filter.merchantId);
  if (filter.walletId !== undefined) query = query.where('channels.wallet_id', '=', filter.walletId);
  if (filter.status !== undefined) query = query.where('channels.status', '=', filter.status);
  if (filter.after !== undefined) query = query.where('channels.id', '>', filter.after);
  return (await query.execute()).map(toView);
}

/** The merchant as channels need it, read from its table (channels may not import merchants). */
export async function findMerchantFacts(
  db: Queryable,
  merchantId: string,
): Promise<{ id: string; acquirerId: string; status: string } | undefined> {
  const row = await db
    .selectFrom('merchants')
    .select(['id', 'acquirer_id', 'status'])
    .where('id', '=', merchantId)
    .executeTakeFirst();
  return row ? { id: row.id, acquirerId: row.acquirer_id, status: row.status } : undefined;
}
