/**
 * Fees: the operator's schedule per currency, an acquirer's own merchant
 * discount per merchant, and the fees of one payment or refund. Pure rules,
 * no I/O.
 *
 * For a payment of amount A with interchange I and switch fees Si, Sa the
 * positions move: issuer −(A − I) − Si, acquirer +(A − I) − Sa, hub
 * +Si + Sa. The merchant discount is settled between the acquirer and its
 * merchant outside the hub: computed and reported, never posted.
 */
import { type Minor, applyBasisPointsHalfEven, minor, mulDivHalfEven } from '../money/index.ts';

export const feeNames = ['interchange', 'issuerSwitchFee', 'acquirerSwitchFee', 'merchantDiscount'] as const;
export type FeeName = (typeof feeNames)[number];

/** One fee: `bps` of the amount (rounded half-even) plus `fixedAmount`, at least `minAmount`, in minor units. */
export type FeeRule = { bps: number; fixedAmount: Minor; minAmount: Minor };

/**
 * A currency's schedule: the four fees of a payment, and the arbitration fee
 * the loser of a dispute the operator rules pays the hub (on the disputed
 * amount).
 */
export type FeeSchedule = Record<FeeName, FeeRule> & {
  arbitrationFee: FeeRule;
  currency: string;
  updatedAt: string | null;
};

export type Fees = Record<FeeName, Minor>;

export const zeroRule: FeeRule = { bps: 0, fixedAmount: minor(0), minAmount: minor(0) };

/** A currency without a schedule charges nothing. */
export function emptySchedule(currency: string): FeeSchedule {
  return {
    currency,
    interchange: zeroRule,
    issuerSwitchFee: zeroRule,
    acquirerSwitchFee: zeroRule,
    merchantDiscount: zeroRule,
    arbitrationFee: zeroRule,
    updatedAt: null,
  };
}

/** 100 %: a rate above it would charge more than the amount. */
export const bpsMax = 10_000;

/**
 * One fee on an amount: `max(minAmount, round(A × bps / 10 000) + fixedAmount)`,
 * never more than `ceiling` (the amount itself unless said otherwise).
 */
export function feeOf(rule: FeeRule, amount: Minor, ceiling: Minor = amount): Minor {
  const charged = Math.max(rule.minAmount, applyBasisPointsHalfEven(amount, rule.bps) + rule.fixedAmount);
  return minor(Math.max(0, Math.min(charged, ceiling)));
}

/**
 * The fees of a payment. An on-us payment (payer and payee the same
 * participant) carries no interchange. No fee passes the amount, and the
 * acquirer's switch fee never passes what the acquirer receives (A − I),
 * so being paid never leaves an acquirer owing. The merchant's own
 * discount, when its acquirer set one, replaces the schedule's.
 */
export function paymentFees(
  payment: { amount: Minor; onUs: boolean },
  schedule: FeeSchedule,
  merchantDiscount: FeeRule | undefined,
): Fees {
  const { amount } = payment;
  const interchange = payment.onUs ? minor(0) : feeOf(schedule.interchange, amount);
  return {
    interchange,
    issuerSwitchFee: feeOf(schedule.issuerSwitchFee, amount),
    acquirerSwitchFee: feeOf(schedule.acquirerSwitchFee, amount, minor(amount - interchange)),
    merchantDiscount: feeOf(merchantDiscount ?? schedule.merchantDiscount, amount),
  };
}

/**
 * What a refund of `amount` returns of its payment's fees. Interchange
 * returns in proportion to the amount refunded, counted cumulatively: after
 * refunds totalling R the payment has returned `round(I × R / A)` in all, so
 * each refund returns the growth of that figure. The last refund (R = A)
 * therefore takes the remainder, the total returned equals the total
 * charged, and no share is ever negative. Switch fees are never returned, a
 * refund carries no switch fee of its own, and the merchant discount (the
 * acquirer's, charged outside the hub) is not returned either.
 */
export function refundFees(
  refund: { amount: Minor },
  payment: { amount: Minor; refundedAmount: Minor; fees: Fees },
  interchangeReturnedBefore: Minor,
): Fees {
  const refundedAfter = payment.refundedAmount + refund.amount;
  const returnedAfter = mulDivHalfEven(payment.fees.interchange, refundedAfter, payment.amount);
  return {
    interchange: minor(returnedAfter - interchangeReturnedBefore),
    issuerSwitchFee: minor(0),
    acquirerSwitchFee: minor(0),
    merchantDiscount: minor(0),
  };
}
