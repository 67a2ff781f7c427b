import { sql } from 'kysely';
import {
  type Queryable,
  type Tx,
  forUpdate,
  fromJson,
  toJson,
  type CheckoutSettingsRow,
  type RolloutRuleRow,
} from '../db/index.ts';
import type { CheckoutSettings, MethodDecision, RolloutRule, StoredRolloutRule } from './model.ts';
import { invariant } from '../platform/index.ts';

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

export async function findSettings(
  db: Queryable,
  merchantId: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<CheckoutSettings | undefined> {
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
  const rows = await db
    .selectFrom('participants')
    .select(['id', 'roles'])
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.filter((row) => fromJson<string[]>(row.roles).includes('issuer')).map((row) => row.id));
}

// ---------------------------------------------------------------- rules

function toStoredRule(row: RolloutRuleRow): StoredRolloutRule {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    ...fromJson<RolloutRule>(row.rule),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A merchant's rules in the order it listed them. */
export async function listRulesOfMerchant(db: Queryable, merchantId: string): Promise<StoredRolloutRule[]> {
  const rows = await db
    .selectFrom('rollout_rules')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map(toStoredRule);
}

/** The rules merchants set for one wallet, by id (creation order), optionally of one merchant. */
export async function listRulesOfWallet(
  db: Queryable,
  filter: { walletId: string; merchantId?: string | undefined; limit: number; after?: string | undefined },
): Promise<StoredRolloutRule[]> {
  let query = db
    .selectFrom('rollout_rules')
    .selectAll()
    .where('wallet_id', '=', filter.walletId)
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.merchantId !== undefined) query = query.where('merchant_id', '=', filter.merchantId);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toStoredRule);
}

/** A merchant's own rules as a page, by id. */
export async function listRulesOfMerchantPage(
  db: Queryable,
  filter: { merchantId: string; limit: number; after?: string | undefined },
): Promise<StoredRolloutRule[]> {
  let query = db
    .selectFrom('rollout_rules')
    .selectAll()
    .where('merchant_id', '=', filter.merchantId)
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toStoredRule);
}

function ruleJson(rule: StoredRolloutRule): string {
  const { id: _id, merchantId: _merchantId, createdAt: _createdAt, updatedAt: _updatedAt, ...conditions } = rule;
  return toJson(conditions);
}

export async function insertRule(tx: Tx, rule: StoredRolloutRule, position: number): Promise<void> {
  await tx
    .insertInto('rollout_rules')
    .values({
      id: rule.id,
      merchant_id: rule.merchantId,
      wallet_id: rule.walletId,
      position,
      rule: ruleJson(rule),
      created_at: rule.createdAt,
      updated_at: rule.updatedAt,
    })
    .execute();
}

export async function updateRule(tx: Tx, rule: StoredRolloutRule, position: number): Promise<void> {
  const result = await tx
    .updateTable('rollout_rules')
    .set({ position, rule: ruleJson(rule), updated_at: rule.updatedAt })
    .where('id', '=', rule.id)
    .executeTakeFirst();
  invariant(result.numUpdatedRows === 1n, `rollout rule ${rule.id}, read under its merchant's lock, was updated`);
}

export async function deleteRule(tx: Tx, id: string): Promise<void> {
  const result = await tx.deleteFrom('rollout_rules').where('id', '=', id).executeTakeFirst();
  invariant(result.numDeletedRows === 1n, `rollout rule ${id}, read under its merchant's lock, was deleted`);
}

// ---------------------------------------------------------------- checkouts, read for explanations and the funnel

/** The decision stored with a checkout, and whose checkout it is. */
export async function findStoredDecision(
  db: Queryable,
  checkoutId: string,
): Promise<{ merchantId: string; decisions: MethodDecision[] } | undefined> {
  const row = await db
    .selectFrom('checkouts')
    .select(['merchant_id', 'decisions'])
    .where('id', '=', checkoutId)
    .executeTakeFirst();
  return row ? { merchantId: row.merchant_id, decisions: fromJson<MethodDecision[]>(row.decisions) } : undefined;
}

/** A merchant's checkouts created in [fromAt, toAt), a page at a time by id, with their stored decisions. */
export async function listDecisionsCreatedIn(
  db: Queryable,
  filter: { merchantId: string; fromAt: string; toAt: string; afterId: string; limit: number },
): Promise<{ id: string; createdAt: string; decisions: MethodDecision[] }[]> {
  const rows = await db
    .selectFrom('checkouts')
    .select(['id', 'created_at', 'decisions'])
    .where('merchant_id', '=', filter.merchantId)
    .where('created_at', '>=', filter.fromAt)
    .where('created_at', '<', filter.toAt)
    .where('id', '>', filter.afterId)
    .orderBy('id')
    .limit(filter.limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.created_at,
    decisions: fromJson<MethodDecision[]>(row.decisions),
  }));
}

export type DayCount = { date: string; walletId: string; count: number };

/** `created_at` is ISO 8601 UTC text, so its first ten characters are the UTC day on both engines. */
const dayOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 10)`;

/**
 * Per day of checkout creation and wallet: the merchant's checkouts on which at least one attempt was started with the
 * wallet.
 */
export async function countAttemptedCheckouts(
  db: Queryable,
  filter: { merchantId: string; fromAt: string; toAt: string; walletId?: string | undefined },
): Promise<DayCount[]> {
  let query = db
    .selectFrom('checkout_attempts as a')
    .innerJoin('checkouts as c', 'c.id', 'a.checkout_id')
    .select([
      dayOf('c.created_at').as('date'),
      'a.wallet_id as walletId',
      sql<number | string>`count(distinct c.id)`.as('count'),
    ])
    .where('c.merchant_id', '=', filter.merchantId)
    .where('c.created_at', '>=', filter.fromAt)
    .where('c.created_at', '<', filter.toAt)
    .groupBy([dayOf('c.created_at'), 'a.wallet_id']);
  if (filter.walletId !== undefined) query = query.where('a.wallet_id', '=', filter.walletId);
  return (await query.execute()).map((row) => ({ date: row.date, walletId: row.walletId, count: Number(row.count) }));
}

/** Per day of checkout creation and wallet: the merchant's checkouts paid with the wallet. */
export async function countPaidCheckouts(
  db: Queryable,
  filter: { merchantId: string; fromAt: string; toAt: string; walletId?: string | undefined },
): Promise<DayCount[]> {
  let query = db
    .selectFrom('checkouts')
    .select([dayOf('created_at').as('date'), 'paid_wallet_id as walletId', sql<number | string>`count(*)`.as('count')])
    .where('merchant_id', '=', filter.merchantId)
    .where('created_at', '>=', filter.fromAt)
    .where('created_at', '<', filter.toAt)
    .where('transfer_id', 'is not', null)
    .where('paid_wallet_id', 'is not', null)
    .groupBy([dayOf('created_at'), 'paid_wallet_id']);
  if (filter.walletId !== undefined) query = query.where('paid_wallet_id', '=', filter.walletId);
  return (await query.execute()).map((row) => ({
    date: row.date,
    walletId: row.walletId ?? '',
    count: Number(row.count),
  }));
}
