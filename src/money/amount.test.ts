import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMinor,
  currencies,
  formatDecimalAmount,
  minor,
  negateMinor,
  parseDecimalAmount,
  subMinor,
  type DecimalParseResult,
} from './index.ts';

describe('minor', () => {
  it.each([0, 1, -1, 2370, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])('accepts %d', (value) => {
    expect(minor(value)).toBe(value);
  });

  it.each([0.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY])('throws for %d', (value) => {
    expect(() => minor(value)).toThrow(RangeError);
  });

  it('adds, subtracts and negates, throwing on overflow', () => {
    expect(addMinor(minor(150), minor(-50))).toBe(100);
    expect(subMinor(minor(150), minor(200))).toBe(-50);
    expect(negateMinor(minor(7))).toBe(-7);
    expect(Object.is(negateMinor(minor(0)), 0)).toBe(true);
    expect(() => addMinor(minor(Number.MAX_SAFE_INTEGER), minor(1))).toThrow(RangeError);
    expect(() => subMinor(minor(Number.MIN_SAFE_INTEGER), minor(1))).toThrow(RangeError);
  });
});

describe('parseDecimalAmount', () => {
  const ok = (amount: number): DecimalParseResult => ({ ok: true, amount: minor(amount) });
  const refused = (code: string) => ({ ok: false, code });

  it.each([
    // text, currency, expected — rows in the order the checks run
    ['1', 'ZZZ', refused('currency_unknown')],
    ['1', 'cny', refused('currency_unknown')],
    ['', 'CNY', refused('amount_format_invalid')],
    ['.', 'CNY', refused('amount_format_invalid')],
    ['-1', 'CNY', refused('amount_format_invalid')],
    ['+1', 'CNY', refused('amount_format_invalid')],
    ['1e3', 'CNY', refused('amount_format_invalid')],
    [' 1', 'CNY', refused('amount_format_invalid')],
    ['1 ', 'CNY', refused('amount_format_invalid')],
    ['1,50', 'CNY', refused('amount_format_invalid')],
    ['1.2.3', 'CNY', refused('amount_format_invalid')],
    ['.5', 'CNY', refused('amount_format_invalid')],
    ['１', 'CNY', refused('amount_format_invalid')],
    ['1.5', 'JPY', refused('amount_too_many_decimals')],
    ['1.0', 'JPY', refused('amount_too_many_decimals')],
    ['23.725', 'CNY', refused('amount_too_many_decimals')],
    ['1.2345', 'BHD', refused('amount_too_many_decimals')],
    ['9007199254740992', 'JPY', refused('amount_out_of_range')],
    ['90071992547409.92', 'CNY', refused('amount_out_of_range')],
    ['90071992547410', 'CNY', refused('amount_out_of_range')],
    ['99999999999999999999999', 'CNY', refused('amount_out_of_range')],
    ['23.72', 'CNY', ok(2372)],
    ['23.7', 'CNY', ok(2370)],
    ['0.50', 'CNY', ok(50)],
    ['0', 'CNY', ok(0)],
    ['007', 'CNY', ok(700)],
    ['5.', 'CNY', ok(500)],
    ['98.', 'JPY', ok(98)],
    ['100', 'JPY', ok(100)],
    ['4.22', 'THB', ok(422)],
    ['500000', 'IDR', ok(50000000)],
    ['1.234', 'BHD', ok(1234)],
    ['1.2', 'BHD', ok(1200)],
    ['1.2345', 'CLF', ok(12345)],
    ['9007199254740991', 'JPY', ok(Number.MAX_SAFE_INTEGER)],
    ['90071992547409.91', 'CNY', ok(Number.MAX_SAFE_INTEGER)],
  ])('%j in %s', (text, currency, expected) => {
    expect(parseDecimalAmount(text, currency)).toEqual(expected);
  });
});

describe('formatDecimalAmount', () => {
  it.each([
    [2370, 'CNY', '23.70'],
    [5, 'CNY', '0.05'],
    [0, 'CNY', '0.00'],
    [-2370, 'CNY', '-23.70'],
    [-5, 'CNY', '-0.05'],
    [100, 'JPY', '100'],
    [-100, 'JPY', '-100'],
    [1, 'BHD', '0.001'],
    [12345, 'CLF', '1.2345'],
    [Number.MAX_SAFE_INTEGER, 'CNY', '90071992547409.91'],
  ])('%d in %s is %j', (amount, currency, text) => {
    expect(formatDecimalAmount(minor(amount), currency)).toBe(text);
  });

  it('throws for a currency outside the table', () => {
    expect(() => formatDecimalAmount(minor(1), 'ZZZ')).toThrow(RangeError);
  });

  it('reads back what it writes, in every currency', () => {
    fc.assert(
      fc.property(fc.constantFrom(...currencies), fc.maxSafeNat(), (currency, amount) => {
        const text = formatDecimalAmount(minor(amount), currency.alpha);
        expect(parseDecimalAmount(text, currency.alpha)).toEqual({ ok: true, amount });
      }),
      { numRuns: 5_000 },
    );
  });
});
