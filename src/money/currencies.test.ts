import { describe, expect, it } from 'vitest';
import { currencies, currencyByAlpha, currencyByNumeric, isCurrencyAlpha } from './index.ts';

describe('the ISO 4217 table', () => {
  it.each([
    // alpha, numeric, exponent: the schemes' currencies, the G20, and the odd exponents
    ['CNY', '156', 2],
    ['IDR', '360', 2],
    ['THB', '764', 2],
    ['BRL', '986', 2],
    ['SGD', '702', 2],
    ['VND', '704', 0],
    ['INR', '356', 2],
    ['HKD', '344', 2],
    ['MYR', '458', 2],
    ['PHP', '608', 2],
    ['KHR', '116', 2],
    ['LAK', '418', 2],
    ['MMK', '104', 2],
    ['TWD', '901', 2],
    ['ARS', '032', 2],
    ['AUD', '036', 2],
    ['CAD', '124', 2],
    ['EUR', '978', 2],
    ['GBP', '826', 2],
    ['JPY', '392', 0],
    ['KRW', '410', 0],
    ['MXN', '484', 2],
    ['RUB', '643', 2],
    ['SAR', '682', 2],
    ['ZAR', '710', 2],
    ['TRY', '949', 2],
    ['USD', '840', 2],
    ['BHD', '048', 3],
    ['KWD', '414', 3],
    ['OMR', '512', 3],
    ['JOD', '400', 3],
    ['TND', '788', 3],
    ['IQD', '368', 3],
    ['LYD', '434', 3],
    ['CLF', '990', 4],
    ['UYW', '927', 4],
    ['CLP', '152', 0],
    ['XAF', '950', 0],
    ['XOF', '952', 0],
    ['ISK', '352', 0],
  ] as const)('%s is %s with exponent %i', (alpha, numeric, exponent) => {
    expect(currencyByAlpha(alpha)).toMatchObject({ alpha, numeric, exponent });
    expect(currencyByNumeric(numeric)?.alpha).toBe(alpha);
    expect(isCurrencyAlpha(alpha)).toBe(true);
  });

  it.each(['cny', 'XXX', 'XAU', 'HRK', '', 'CN'])('does not know %j', (alpha) => {
    expect(currencyByAlpha(alpha)).toBeUndefined();
    expect(isCurrencyAlpha(alpha)).toBe(false);
  });

  it.each(['999', '000', '36', '0036', '15a', '-56', ' 156', '1.5', ''])(
    'does not know the numeric code %j',
    (numeric) => {
      expect(currencyByNumeric(numeric)).toBeUndefined();
    },
  );

  it('has unique codes, three-digit numerics and exponents 0 to 4', () => {
    expect(currencies.length).toBeGreaterThan(150);
    expect(new Set(currencies.map((c) => c.alpha)).size).toBe(currencies.length);
    expect(new Set(currencies.map((c) => c.numeric)).size).toBe(currencies.length);
    for (const c of currencies) {
      expect(c.alpha).toMatch(/^[A-Z]{3}$/);
      expect(c.numeric).toMatch(/^\d{3}$/);
      expect([0, 2, 3, 4]).toContain(c.exponent);
    }
  });
});
