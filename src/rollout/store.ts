import type { Queryable, Tx } from '../db/index.ts';
import { forUpdate, fromJson, toJson } from '../db/index.ts';
import type { CheckoutSettingsRow } from '../db/tables/channels.ts';
import type { CheckoutSettings } from './model.ts';

function toSettings(row: CheckoutSettingsRow): CheckoutSettings {
  return {
    merchantId: row.merchant_id,
    defaultWalletId: row.default_wallet_id,
    primaryWalletIds: fromJson<string[]>(row.primary_wallet_ids),
    methodOrder: fromJson<string[]>(row.method_order),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findSettings(db: Queryable, merchantId: string, lock = false): Promise<CheckoutSettings | undefined> {
  const query = db.selectFrom('checkout_settings').selectAll().where('merchant_id', '=', merchantId);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toSettings(row) : undefined;
}

export async function upsertSettings(tx: Tx, settings: CheckoutSettings): Promise<void> {
  const values = {
    default_wallet_id: settings.defaultWalletId,
    primary_wallet_ids: toJson(settings.primaryWalletIds),
    method_order: toJson(settings.methodOrder),
    updated_at: settings.updatedAt,
  };
  await tx
    .insertInto('checkout_settings')
    .values({ merchant_id: settings.merchantId, created_at: settings.createdAt, ...values })
    .onConflict((conflict) => conflict.column('merchant_id').doUpdateSet(values))
    .execute();
}

/**
 * Which of these ids are wallets (issuers, whatever their status). A read of
 * the participants table: one query for up to a settings' worth of ids.
 */
export async function walletIdsAmong(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('participants').select(['id', 'roles']).where('id', 'in', [...ids]).execute();
  return new Set(rows.filter((row) => fromJson<string[]>(row.roles).includes('issuer')).map((row) => row.id));
}
