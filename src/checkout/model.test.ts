import { describe, expect, test } from 'vitest';
import { type CheckoutEvent, type CheckoutLine, type CheckoutStatus, checkLines, nextCheckoutStatus } from './model.ts';

describe('checkout transitions', () => {
  test.each<[CheckoutStatus, CheckoutEvent, CheckoutStatus | undefined]>([
    ['open', 'pay', 'paid'],
    ['open', 'expire', 'expired'],
    ['open', 'cancel', 'canceled'],
    ['open', 'refund_part', undefined],
    ['paid', 'pay', undefined],
    ['paid', 'cancel', undefined],
    ['paid', 'refund_part', 'partially_refunded'],
    ['paid', 'refund_rest', 'refunded'],
    ['partially_refunded', 'refund_part', 'partially_refunded'],
    ['partially_refunded', 'refund_rest', 'refunded'],
    ['expired', 'pay', undefined],
    ['canceled', 'pay', undefined],
    ['refunded', 'refund_part', undefined],
  ])('%s + %s → %s', (from, event, to) => {
    expect(nextCheckoutStatus(from, event)).toBe(to);
  });
});

describe('checkout lines', () => {
  const shirt: CheckoutLine = { kind: 'product', name: 'Shirt', quantity: 2, unitAmount: 1000 };
  test.each<[string, CheckoutLine[], number, string[]]>([
    [
      'lines that add up',
      [
        shirt,
        { kind: 'shipping', name: 'Post', quantity: 1, unitAmount: 500 },
        { kind: 'discount', name: 'Promo', quantity: 1, unitAmount: -300 },
      ],
      2200,
      [],
    ],
    ['lines that do not add up', [shirt], 1999, ['/lines']],
    [
      'a positive discount',
      [shirt, { kind: 'discount', name: 'Promo', quantity: 1, unitAmount: 300 }],
      2300,
      ['/lines/1/unitAmount'],
    ],
    ['a negative product', [{ ...shirt, unitAmount: -1000 }], -2000, ['/lines/0/unitAmount']],
    ['an overflowing line', [{ ...shirt, quantity: 1_000_000, unitAmount: 9_007_199_254_740 }], 1, ['/lines/0']],
    [
      'a line past the bound of the currency',
      [{ ...shirt, quantity: 1, unitAmount: 1_000_000_000_000 }],
      1,
      ['/lines/0'],
    ],
    ['a line at the bound', [{ ...shirt, quantity: 1, unitAmount: 999_999_999_999 }], 999_999_999_999, []],
    [
      'lines at the bound that do not add up',
      [
        { ...shirt, quantity: 1, unitAmount: 999_999_999_999 },
        { ...shirt, quantity: 1, unitAmount: 999_999_999_999 },
        { kind: 'discount', name: 'Back', quantity: 1, unitAmount: -999_999_999_998 },
      ],
      1_000_000_000_001,
      ['/lines'],
    ],
  ])('%s', (_name, lines, amount, pointers) => {
    expect(checkLines(lines, amount, 'CNY').map((error) => error.pointer)).toEqual(pointers);
  });
});
