import { describe, expect, test } from 'vitest';
import { locateColumns, readLine } from './model.ts';

const header = ['transferId', 'receiptNumber', 'amount', 'currency', 'direction'];
const at = (() => {
  const located = locateColumns(header);
  if (!located.ok) throw new Error('header');
  return located.at;
})();

describe('upload lines', () => {
  test('a header without a required column names what is missing', () => {
    expect(locateColumns(['transferId', 'amount'])).toEqual({ ok: false, missing: ['currency', 'direction'] });
  });

  test.each<[string, string[], string | null]>([
    ['a good line', ['trf_1', '123456789012', '1999', 'CNY', 'debit'], null],
    ['no transfer id', ['', 'x', '1999', 'CNY', 'debit'], 'transferId is missing or too long'],
    ['a decimal amount', ['trf_1', 'x', '19.99', 'CNY', 'debit'], 'amount "19.99" is not an integer in minor units'],
    ['a word for an amount', ['trf_1', 'x', 'lots', 'CNY', 'debit'], 'amount "lots" is not an integer in minor units'],
    ['an unknown currency', ['trf_1', 'x', '1999', 'XXY', 'debit'], 'currency "XXY" is not an ISO 4217 code'],
    ['a bad direction', ['trf_1', 'x', '1999', 'CNY', 'out'], 'direction "out" is neither debit nor credit'],
    ['a short line', ['trf_1'], 'amount "" is not an integer in minor units'],
  ])('%s', (_name, fields, error) => {
    const read = readLine(2, fields, at);
    expect(read.ok ? null : read.error).toBe(error);
  });
});
