import { type Queryable, type Tx, cachedRead, forUpdate, noteChange, type MerchantRow } from '../db/index.ts';
import { emvNamesOf } from '../qr/index.ts';
import type { Merchant, MerchantEmvNames, MerchantStatus } from './model.ts';

function toMerchant(row: MerchantRow): Merchant {
  const names = emvNamesOf({
    name: row.name,
    city: row.city,
    country: row.country,
    nameLatin: row.name_latin,
    cityLatin: row.city_latin,
    language: row.language,
  });
  return {
    id: row.id,
    acquirerId: row.acquirer_id,
    name: row.name,
    mcc: row.mcc,
    city: row.city,
    country: row.country,
    currency: row.currency,
    status: row.status as MerchantStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    suspendedAt: row.suspended_at,
    keyRotatedAt: row.key_rotated_at,
    ...names,
  };
}

export async function insertMerchant(
  tx: Tx,
  merchant: Merchant,
  given: MerchantEmvNames,
  secretKeyHash: string,
): Promise<void> {
  await tx
    .insertInto('merchants')
    .values({
      id: merchant.id,
      acquirer_id: merchant.acquirerId,
      name: merchant.name,
      mcc: merchant.mcc,
      city: merchant.city,
      country: merchant.country,
      currency: merchant.currency,
      status: merchant.status,
      secret_key_hash: secretKeyHash,
      created_at: merchant.createdAt,
      updated_at: merchant.updatedAt,
      suspended_at: merchant.suspendedAt,
      key_rotated_at: merchant.keyRotatedAt,
      name_latin: given.nameLatin,
      city_latin: given.cityLatin,
      language: given.language,
    })
    .execute();
}

export async function findMerchant(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<Merchant | undefined> {
  const query = db.selectFrom('merchants').selectAll().where('id', '=', id);
  if (lock) {
    const row = await forUpdate(db, query).executeTakeFirst();
    return row ? toMerchant(row) : undefined;
  }
  // Cached in a served hub (db's read-cache.ts); updateMerchant notes each change.
  return cachedRead(db, 'merchant', id, async () => {
    const row = await query.executeTakeFirst();
    return row ? toMerchant(row) : undefined;
  });
}

export async function findMerchantByKeyHash(db: Queryable, secretKeyHash: string): Promise<Merchant | undefined> {
  const row = await db
    .selectFrom('merchants')
    .selectAll()
    .where('secret_key_hash', '=', secretKeyHash)
    .executeTakeFirst();
  return row ? toMerchant(row) : undefined;
}

export async function listMerchants(
  db: Queryable,
  filter: { acquirerId?: string | undefined; limit: number; after?: string | undefined },
): Promise<Merchant[]> {
  let query = db
    .selectFrom('merchants')
    .selectAll()
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.acquirerId !== undefined) query = query.where('acquirer_id', '=', filter.acquirerId);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toMerchant);
}

export async function updateMerchant(
  tx: Tx,
  id: string,
  change: Partial<Pick<Merchant, 'name' | 'city' | 'mcc' | 'status' | 'suspendedAt' | 'keyRotatedAt'>> &
    Partial<MerchantEmvNames> & {
      updatedAt: string;
      secretKeyHash?: string;
    },
): Promise<void> {
  await tx
    .updateTable('merchants')
    .set({
      updated_at: change.updatedAt,
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.city !== undefined ? { city: change.city } : {}),
      ...(change.mcc !== undefined ? { mcc: change.mcc } : {}),
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.suspendedAt !== undefined ? { suspended_at: change.suspendedAt } : {}),
      ...(change.keyRotatedAt !== undefined ? { key_rotated_at: change.keyRotatedAt } : {}),
      ...(change.secretKeyHash !== undefined ? { secret_key_hash: change.secretKeyHash } : {}),
      ...(change.nameLatin !== undefined ? { name_latin: change.nameLatin } : {}),
      ...(change.cityLatin !== undefined ? { city_latin: change.cityLatin } : {}),
      ...(change.language !== undefined ? { language: change.language } : {}),
    })
    .where('id', '=', id)
    .execute();
  await noteChange(tx, 'merchant', id);
}
