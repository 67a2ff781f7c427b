import { type Queryable, type Tx, cachedRead, noteChange } from '../db/index.ts';
import { minor } from '../money/index.ts';
import { type FeeName, type FeeRule, type FeeSchedule, emptySchedule, feeNames } from './model.ts';
import { invariant } from '../platform/index.ts';

/** The fee column names of `fee_schedules.fee`, one per fee of the API. */
const columnOf: Record<FeeName, string> = {
  interchange: 'interchange',
  issuerSwitchFee: 'issuer_switch_fee',
  acquirerSwitchFee: 'acquirer_switch_fee',
  merchantDiscount: 'merchant_discount',
};

function ruleOf(row: { bps: number; fixed_amount: number; min_amount: number }): FeeRule {
  return { bps: row.bps, fixedAmount: minor(row.fixed_amount), minAmount: minor(row.min_amount) };
}

/** The currency's schedule, or undefined when the operator never set one. */
export async function findSchedule(db: Queryable, currency: string): Promise<FeeSchedule | undefined> {
  return cachedRead(db, 'fee_schedule', currency, () => loadSchedule(db, currency));
}

async function loadSchedule(db: Queryable, currency: string): Promise<FeeSchedule | undefined> {
  const rows = await db.selectFrom('fee_schedules').selectAll().where('currency', '=', currency).execute();
  if (rows.length === 0) return undefined;
  const schedule = emptySchedule(currency);
  for (const name of feeNames) {
    const row = rows.find((candidate) => candidate.fee === columnOf[name]);
    invariant(row !== undefined, `fee schedule ${currency} has ${name}: a schedule is written whole`);
    schedule[name] = ruleOf(row);
    schedule.updatedAt = row.updated_at;
  }
  // Schedules set before disputes existed have no arbitration fee: it charges nothing.
  const arbitration = rows.find((candidate) => candidate.fee === arbitrationFeeColumn);
  if (arbitration) schedule.arbitrationFee = ruleOf(arbitration);
  return schedule;
}

export async function listScheduleCurrencies(
  db: Queryable,
  filter: { limit: number; after?: string | undefined },
): Promise<string[]> {
  let query = db
    .selectFrom('fee_schedules')
    .select('currency')
    .distinct()
    .orderBy('currency')
    .limit(filter.limit + 1);
  if (filter.after !== undefined) query = query.where('currency', '>', filter.after);
  return (await query.execute()).map((row) => row.currency);
}

const arbitrationFeeColumn = 'arbitration_fee';

/** Writes all the fees of a currency at once, replacing what was there. */
export async function upsertSchedule(tx: Tx, schedule: FeeSchedule, at: string): Promise<void> {
  for (const name of [...feeNames, 'arbitrationFee'] as const) {
    const rule = schedule[name];
    const values = { bps: rule.bps, fixed_amount: rule.fixedAmount, min_amount: rule.minAmount, updated_at: at };
    await tx
      .insertInto('fee_schedules')
      .values({
        currency: schedule.currency,
        fee: name === 'arbitrationFee' ? arbitrationFeeColumn : columnOf[name],
        ...values,
      })
      .onConflict((conflict) => conflict.columns(['currency', 'fee']).doUpdateSet(values))
      .execute();
  }
  await noteChange(tx, 'fee_schedule', schedule.currency);
}

export async function findMerchantDiscount(
  db: Queryable,
  merchantId: string,
): Promise<(FeeRule & { updatedAt: string }) | undefined> {
  // Most merchants have none: "none" is cached too, as null.
  const found = await cachedRead(db, 'merchant_fee', merchantId, async () => {
    const row = await db
      .selectFrom('merchant_fees')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    return row ? { ...ruleOf(row), updatedAt: row.updated_at } : null;
  });
  return found ?? undefined;
}

export async function upsertMerchantDiscount(tx: Tx, merchantId: string, rule: FeeRule, at: string): Promise<void> {
  const values = { bps: rule.bps, fixed_amount: rule.fixedAmount, min_amount: rule.minAmount, updated_at: at };
  await tx
    .insertInto('merchant_fees')
    .values({ merchant_id: merchantId, ...values })
    .onConflict((conflict) => conflict.column('merchant_id').doUpdateSet(values))
    .execute();
  await noteChange(tx, 'merchant_fee', merchantId);
}

export async function deleteMerchantDiscount(tx: Tx, merchantId: string): Promise<void> {
  await tx.deleteFrom('merchant_fees').where('merchant_id', '=', merchantId).execute();
  await noteChange(tx, 'merchant_fee', merchantId);
}
