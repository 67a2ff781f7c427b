import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyBasisPointsHalfEven, minor, mulDivHalfEven, negateMinor } from './index.ts';

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

describe('mulDivHalfEven', () => {
  it.each([
    // amount, numerator, denominator, expected — the raw quotient in the comment
    [10, 1, 4, 2], // 2.5: halfway, 2 is even
    [14, 1, 4, 4], // 3.5: halfway, 4 is even
    [11, 1, 4, 3], // 2.75 rounds up
    [9, 1, 4, 2], // 2.25 rounds down
    [-10, 1, 4, -2], // symmetric
    [37, 300, 1_000, 11], // 11.1: the interchange share a refund of 300 of 1000 returns
    [37, 1_000, 1_000, 37], // the whole
    [0, 5, 7, 0],
    [Number.MAX_SAFE_INTEGER, 3, 3, Number.MAX_SAFE_INTEGER], // the product passes 2^53, the result does not
  ])('%d × %d / %d = %d', (amount, numerator, denominator, expected) => {
    expect(mulDivHalfEven(minor(amount), numerator, denominator)).toBe(expected);
  });

  it.each([
    [1, 0],
    [1, -4],
    [1.5, 4],
  ])('throws for numerator %d over denominator %d', (numerator, denominator) => {
    expect(() => mulDivHalfEven(minor(100), numerator, denominator)).toThrow(RangeError);
  });

  it('agrees with applyBasisPointsHalfEven, which is its special case', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        expect(mulDivHalfEven(minor(amount), bps, 10_000)).toBe(applyBasisPointsHalfEven(minor(amount), bps));
      }),
      { numRuns: 2_000 },
    );
  });

  it('cumulative shares are monotone and end at the whole: each is the difference of two roundings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(fc.integer({ min: 1, max: 1e6 }), { minLength: 1, maxLength: 20 }),
        (whole, parts) => {
          const total = parts.reduce((sum, part) => sum + part, 0);
          let before = 0;
          let returned = 0;
          for (const part of parts) {
            const after = mulDivHalfEven(minor(whole), before + part, total);
            const share = after - mulDivHalfEven(minor(whole), before, total);
            expect(share).toBeGreaterThanOrEqual(0);
            returned += share;
            before += part;
          }
          expect(returned).toBe(whole);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
