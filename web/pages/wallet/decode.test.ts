import { describe, expect, test } from 'vitest';
import { minorUnitsOf } from './decode.ts';

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
