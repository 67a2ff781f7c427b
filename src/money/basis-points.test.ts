import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyBasisPointsHalfEven, minor, negateMinor } from './index.ts';

describe('applyBasisPointsHalfEven', () => {
  it.each([
    // amount, bps, expected — the raw quotient in the comment
    [10_000, 150, 150], // 150
    [1999, 150, 30], // 29.985 rounds up
    [100, 25, 0], // 0.25 rounds down
    [100, 50, 0], // 0.5: halfway, 0 is even
    [300, 50, 2], // 1.5: halfway, 2 is even
    [500, 50, 2], // 2.5: halfway, 2 is even
    [700, 50, 4], // 3.5: halfway, 4 is even
    [100, 51, 1], // 0.51 rounds up
    [-300, 50, -2], // -1.5: symmetric
    [-500, 50, -2], // -2.5: symmetric
    [-1999, 150, -30], // -29.985
    [300, -50, -2], // a negative rate is symmetric too
    [0, 150, 0],
    [12_345, 0, 0],
    [12_345, 10_000, 12_345], // 100 %
    [Number.MAX_SAFE_INTEGER, 5_000, 4_503_599_627_370_496], // 4503599627370495.5 is halfway, even is ...496
  ])('%d × %d bps = %d', (amount, bps, expected) => {
    expect(applyBasisPointsHalfEven(minor(amount), bps)).toBe(expected);
  });

  it.each([1.5, Number.NaN, 2 ** 60])('throws for %d bps', (bps) => {
    expect(() => applyBasisPointsHalfEven(minor(100), bps)).toThrow(RangeError);
  });

  it('throws when the result overflows', () => {
    expect(() => applyBasisPointsHalfEven(minor(Number.MAX_SAFE_INTEGER), 20_000)).toThrow(RangeError);
  });

  it('is symmetric and within half a minor unit of the exact value', () => {
    const amounts = fc.integer({ min: -1e12, max: 1e12 });
    const rates = fc.integer({ min: -100_000, max: 100_000 });
    fc.assert(
      fc.property(amounts, rates, (amount, bps) => {
        const fee = applyBasisPointsHalfEven(minor(amount), bps);
        expect(applyBasisPointsHalfEven(negateMinor(minor(amount)), bps)).toBe(negateMinor(fee));
        const errorTimes10000 = BigInt(fee) * 10_000n - BigInt(amount) * BigInt(bps);
        expect(errorTimes10000 <= 5_000n && errorTimes10000 >= -5_000n).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});
