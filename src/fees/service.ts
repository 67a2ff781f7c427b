import type { HubContext } from '../context.ts';
import { type Queryable, type Tx, inTransaction } from '../db/index.ts';
import { actorOf, type Caller } from '../http/index.ts';
import { findMerchant } from '../merchants/index.ts';
import { type Minor, isCurrencyAlpha, minor } from '../money/index.ts';
import { type Result, ok, refuse } from '../platform/index.ts';
import { type FeeRule, type FeeSchedule, type Fees, emptySchedule, paymentFees, zeroRule } from './model.ts';
import * as store from './store.ts';

export type RuleInput = { bps: number; fixedAmount?: number | undefined; minAmount?: number | undefined };
export type ScheduleInput = {
  interchange: RuleInput;
  issuerSwitchFee: RuleInput;
  acquirerSwitchFee: RuleInput;
  merchantDiscount: RuleInput;
  arbitrationFee?: RuleInput | undefined;
};

function ruleFrom(input: RuleInput): FeeRule {
  return { bps: input.bps, fixedAmount: minor(input.fixedAmount ?? 0), minAmount: minor(input.minAmount ?? 0) };
}

/** The currency's schedule; a currency the operator never priced charges nothing. */
export async function scheduleOf(db: Queryable, currency: string): Promise<FeeSchedule> {
  return (await store.findSchedule(db, currency)) ?? emptySchedule(currency);
}

export type SetScheduleRefusal = 'currency_not_supported';

/**
 * The operator prices a currency: all its fees at once (no arbitration fee
 * when left out), audited. Transfers already made keep the fees they were made
 * with.
 */
export async function setSchedule(
  ctx: HubContext,
  caller: Caller,
  currency: string,
  input: ScheduleInput,
): Promise<Result<FeeSchedule, SetScheduleRefusal>> {
  if (!isCurrencyAlpha(currency)) {
    return refuse('currency_not_supported', `${currency} is not an ISO 4217 currency`, {
      errors: [{ pointer: '/path/currency', detail: 'is not an ISO 4217 currency' }],
    });
  }
  return inTransaction(ctx.db, async (tx) => {
    const before = await store.findSchedule(tx, currency);
    const at = ctx.clock.now().toISOString();
    const schedule: FeeSchedule = {
      currency,
      interchange: ruleFrom(input.interchange),
      issuerSwitchFee: ruleFrom(input.issuerSwitchFee),
      acquirerSwitchFee: ruleFrom(input.acquirerSwitchFee),
      merchantDiscount: ruleFrom(input.merchantDiscount),
      arbitrationFee: input.arbitrationFee ? ruleFrom(input.arbitrationFee) : zeroRule,
      updatedAt: at,
    };
    await store.upsertSchedule(tx, schedule, at);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'fee_schedule.set',
      objectType: 'fee_schedule',
      objectId: currency,
      before: before ?? null,
      after: schedule,
    });
    return ok(schedule);
  });
}

export type MerchantFees = {
  merchantId: string;
  currency: string;
  merchantDiscount: FeeRule | null;
  updatedAt: string | null;
};
export type MerchantFeesRefusal = 'not_found';

/** Only the merchant's acquirer sets or reads its merchant discount; to anyone else the merchant does not exist. */
async function ownMerchant(db: Queryable, caller: Caller, merchantId: string) {
  const merchant = await findMerchant(db, merchantId);
  const visible =
    merchant && (caller.type === 'operator' || (caller.type === 'participant' && caller.id === merchant.acquirerId));
  return visible ? merchant : undefined;
}

export async function merchantFeesOf(
  db: Queryable,
  caller: Caller,
  merchantId: string,
): Promise<Result<MerchantFees, MerchantFeesRefusal>> {
  const merchant = await ownMerchant(db, caller, merchantId);
  if (!merchant) return refuse('not_found', `merchant ${merchantId} was not found`);
  const rule = await store.findMerchantDiscount(db, merchantId);
  return ok({
    merchantId,
    currency: merchant.currency,
    merchantDiscount: rule ? ruleFrom(rule) : null,
    updatedAt: rule?.updatedAt ?? null,
  });
}

/**
 * The acquirer sets its own merchant discount for one of its merchants
 * (null goes back to the schedule's), audited. It is charged outside the
 * hub: it shows on every transfer and in the window's report, never in a
 * position.
 */
export async function setMerchantFees(
  ctx: HubContext,
  caller: Caller,
  merchantId: string,
  input: { merchantDiscount: RuleInput | null },
): Promise<Result<MerchantFees, MerchantFeesRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const before = await merchantFeesOf(tx, caller, merchantId);
    if (!before.ok) return before;
    const at = ctx.clock.now().toISOString();
    if (input.merchantDiscount === null) await store.deleteMerchantDiscount(tx, merchantId);
    else await store.upsertMerchantDiscount(tx, merchantId, ruleFrom(input.merchantDiscount), at);
    const after: MerchantFees = {
      ...before.value,
      merchantDiscount: input.merchantDiscount && ruleFrom(input.merchantDiscount),
      updatedAt: input.merchantDiscount ? at : null,
    };
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'merchant.fees_set',
      objectType: 'merchant',
      objectId: merchantId,
      before: before.value,
      after,
    });
    return ok(after);
  });
}

/** The fees of a new payment, from the schedule and merchant discount as they are in the paying transaction. */
export async function feesForPayment(
  tx: Tx,
  payment: { amount: Minor; currency: string; merchantId: string; onUs: boolean },
): Promise<Fees> {
  const schedule = await scheduleOf(tx, payment.currency);
  const own = await store.findMerchantDiscount(tx, payment.merchantId);
  return paymentFees(payment, schedule, own && ruleFrom(own));
}

export { listScheduleCurrencies } from './store.ts';
