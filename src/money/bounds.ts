import { invariant } from '../platform/index.ts';
import { currencyByAlpha } from './currencies.ts';

/**
 * The most one payment (a checkout, a till QR, a payment-code charge, a
 * transfer, a refund) may be, per currency: what EMVCo's transaction amount
 * (tag 54, at most 13 characters, the decimal mark included) can carry, so
 * that every amount the hub takes can be shown in a QR code. With decimals
 * that is 12 digits (9,999,999,999.99 CNY, 999,999,999.999 BHD), without
 * them 13 (9,999,999,999,999 JPY); both are far below 2^53-1 minor units,
 * the most a JSON number holds exactly.
 */
export const emvAmountCharsMax = 13;

/** The largest bound of any currency (a currency with no decimals): what a schema can check before it knows the currency. */
export const amountMaxAnyCurrency = 10 ** emvAmountCharsMax - 1;
invariant(amountMaxAnyCurrency <= Number.MAX_SAFE_INTEGER, 'the largest payment amount is a safe integer');

/** The most one payment in `currencyAlpha` may be, in minor units. Throws for a currency outside the table. */
export function amountMaxOf(currencyAlpha: string): number {
  const currency = currencyByAlpha(currencyAlpha);
  invariant(currency !== undefined, `${currencyAlpha} is an ISO 4217 currency`);
  const digits = currency.exponent === 0 ? emvAmountCharsMax : emvAmountCharsMax - 1;
  return 10 ** digits - 1;
}

/** Why `amount` is not a payment amount in `currencyAlpha`, or undefined when it is one. */
export function amountOutOfBounds(amount: number, currencyAlpha: string): string | undefined {
  if (!Number.isSafeInteger(amount) || amount < 1) return 'is not a positive whole number of minor units';
  const max = amountMaxOf(currencyAlpha);
  if (amount > max) return `is more than the most a ${currencyAlpha} payment may be (${max} minor units)`;
  return undefined;
}

/**
 * The exact sum of `quantity × unitAmount` over lines, in BigInt, so that no
 * rounding of a double near 2^53 can make lines seem to add up.
 */
export function exactLineTotal(quantity: number, unitAmount: number): bigint {
  return BigInt(quantity) * BigInt(unitAmount);
}

/**
 * The most a net debit cap or a prefunding may be, in minor units (a
 * thousand of the largest payments): cap, prefunding and a position then
 * always add up to a safe integer.
 */
export const limitAmountMax = 10 ** 15;
invariant(3 * limitAmountMax <= Number.MAX_SAFE_INTEGER, 'a cap, a prefunding and a position as large add up safely');
