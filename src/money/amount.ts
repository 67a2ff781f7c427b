import { currencyByAlpha } from './currencies.ts';

/**
 * An amount in minor units (cents, fen, sen; yen for JPY): always a safe
 * integer. The brand keeps a plain number (a count, a price in major units)
 * from being passed where an amount is expected.
 */
export type Minor = number & { readonly __brand: 'Minor' };

export type Money = { readonly amount: Minor; readonly currency: string };

/** Throws when `value` is not a safe integer: a fraction or an overflow here is a bug, not an input. */
export function minor(value: number): Minor {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer amount in minor units: ${value}`);
  return value as Minor;
}

export function addMinor(a: Minor, b: Minor): Minor {
  return minor(a + b);
}

export function subMinor(a: Minor, b: Minor): Minor {
  return minor(a - b);
}

export function negateMinor(a: Minor): Minor {
  // 0 - a rather than -a so that negating 0 gives 0, never -0.
  return minor(0 - a);
}

/** Why a decimal text is not an amount, in the order the checks run. */
export type DecimalParseError =
  /** The currency code is not in the ISO 4217 table. */
  | 'currency_unknown'
  /** Not digits with at most one '.' that has a digit before it. */
  | 'amount_format_invalid'
  /** More digits after the '.' than the currency's exponent. */
  | 'amount_too_many_decimals'
  /** More minor units than a safe integer holds. */
  | 'amount_out_of_range';

export type DecimalParseResult = { ok: true; amount: Minor } | { ok: false; code: DecimalParseError };

const digit0 = 0x30;
const digit9 = 0x39;
const decimalMark = 0x2e;

/**
 * Reads a non-negative decimal amount such as EMV tag 54 carries: "23.72" in
 * CNY is 2372, "23.7" is 2370, "100" in JPY is 100. Fewer decimals than the
 * exponent are fine; more are refused, even when they are zeros ("1.0" in JPY),
 * because the text then claims a precision the currency does not have.
 *
 * A trailing '.' is accepted ("98." is 98 units): EMVCo's amount rule says the
 * mark "may be present even if there are no decimals" and gives "98." as an
 * example. Refused as a format: a sign, an exponent, spaces, an empty text,
 * and a '.' with no digit before it (".5"), which EMVCo does not allow either.
 */
export function parseDecimalAmount(text: string, currencyAlpha: string): DecimalParseResult {
  const currency = currencyByAlpha(currencyAlpha);
  if (currency === undefined) return { ok: false, code: 'currency_unknown' };
  const markAt = decimalMarkPosition(text);
  if (markAt === invalidFormat) return { ok: false, code: 'amount_format_invalid' };
  const decimals = markAt === noDecimalMark ? 0 : text.length - markAt - 1;
  if (decimals > currency.exponent) return { ok: false, code: 'amount_too_many_decimals' };
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    if (i === markAt) continue;
    value = value * 10 + (text.charCodeAt(i) - digit0);
    if (value > Number.MAX_SAFE_INTEGER) return { ok: false, code: 'amount_out_of_range' };
  }
  for (let missing = currency.exponent - decimals; missing > 0; missing--) {
    value *= 10;
    if (value > Number.MAX_SAFE_INTEGER) return { ok: false, code: 'amount_out_of_range' };
  }
  return { ok: true, amount: value as Minor };
}

const invalidFormat = -2;
const noDecimalMark = -1;

/** Position of the single '.', `noDecimalMark`, or `invalidFormat` when the text is not /^\d+(\.\d*)?$/. */
function decimalMarkPosition(text: string): number {
  let markAt = noDecimalMark;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= digit0 && code <= digit9) continue;
    if (code !== decimalMark || markAt !== noDecimalMark) return invalidFormat;
    markAt = i;
  }
  if (text.length === 0 || markAt === 0) return invalidFormat;
  return markAt;
}

/**
 * Writes an amount with exactly the currency's exponent in decimals: 2370 CNY
 * is "23.70", 100 JPY is "100". This is the form of EMV tag 54 and of every
 * amount Lintas prints; a negative amount (a position) gets a leading '-'.
 * Throws for a currency outside the table: callers hold validated codes.
 */
export function formatDecimalAmount(amount: Minor, currencyAlpha: string): string {
  const currency = currencyByAlpha(currencyAlpha);
  if (currency === undefined) throw new RangeError(`unknown currency: ${currencyAlpha}`);
  const sign = amount < 0 ? '-' : '';
  const digits = String(Math.abs(amount));
  if (currency.exponent === 0) return sign + digits;
  const padded = digits.padStart(currency.exponent + 1, '0');
  const split = padded.length - currency.exponent;
  return `${sign}${padded.slice(0, split)}.${padded.slice(split)}`;
}
