import { describe, expect, test } from 'vitest';
import { formatAmount, minorUnitsOf } from './money.ts';

/** Intl separates a symbol with a no-break space; a test reads it as a plain one. */
const shown = (minorUnits: number, currency: string, locale: string) =>
  formatAmount(minorUnits, currency, 2, locale).replace(/\u00a0/g, ' ');

describe('one amount formatter, each currency as its people write it', () => {
  test.each([
    [1_500_000, 'IDR', 'id-ID', 'Rp 15.000'],
    [1_500_000, 'IDR', 'en', 'IDR 15,000'],
    [1_500_000, 'IDR', 'zh-CN', 'IDR 15,000'],
    [12_990, 'CNY', 'zh-CN', '¥129.90'],
    [12_990, 'CNY', 'en', 'CN¥129.90'],
    [12_990, 'CNY', 'id-ID', 'CN¥129,90'],
  ])('%i minor units of %s in %s: %s', (minorUnits, currency, locale, expected) => {
    expect(shown(minorUnits, currency, locale)).toBe(expected);
  });

  test('the API stays in minor units: rupiah below one are rounded on screen only', () => {
    expect(shown(1_500_049, 'IDR', 'id-ID')).toBe('Rp 15.000');
  });
});

describe('a typed amount, for a static placard', () => {
  test.each([
    ['15000', 0, 15_000],
    ['15000', 2, 1_500_000],
    ['129.9', 2, 12_990],
    ['129,90', 2, 12_990],
    [' 7 ', 2, 700],
  ])('%s with exponent %i is %i minor units', (typed, exponent, minor) => {
    expect(minorUnitsOf(typed, exponent)).toBe(minor);
  });

  test.each(['', '0', '-5', '1e3', '12.345', 'abc', '1.2.3'])('%s is no amount', (typed) => {
    expect(minorUnitsOf(typed, 2)).toBeUndefined();
  });
});
