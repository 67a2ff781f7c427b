import { describe, expect, test } from 'vitest';
import type { Method } from '../../shared/api.ts';
import { arrangeMethods, countdown, recognisedWallet, secretOf } from './model.ts';

const methods: Method[] = [
  { walletId: 'par_home', name: 'Home Pay', placement: 'default', flows: ['app_switch', 'qr'] },
  { walletId: 'par_beta', name: 'Beta', placement: 'other', flows: ['qr'] },
  { walletId: 'par_gamma', name: 'Gamma', placement: 'other', flows: ['qr'] },
];
const ids = (list: Method[]) => list.map((method) => method.walletId);

describe('the checkout page offers the wallet it is opened in first', () => {
  test('by the parameter its in-app browser adds, or by its user agent', () => {
    expect(recognisedWallet('?wallet=par_beta', 'Mozilla/5.0', methods)).toBe('par_beta');
    expect(recognisedWallet('', 'Mozilla/5.0 LintasWallet/par_gamma', methods)).toBe('par_gamma');
  });

  test('a wallet the checkout does not offer is no wallet at all', () => {
    expect(recognisedWallet('?wallet=par_elsewhere', 'LintasWallet/par_nowhere', methods)).toBeUndefined();
  });

  test('recognised: that wallet alone on top, the default folded with the others', () => {
    expect(arrangeMethods(methods, 'par_beta')).toEqual({
      top: [methods[1]],
      other: [methods[0], methods[2]],
    });
  });

  test('not recognised: the default on top, the other placements folded', () => {
    const arranged = arrangeMethods(methods, undefined);
    expect(ids(arranged.top)).toEqual(['par_home']);
    expect(ids(arranged.other)).toEqual(['par_beta', 'par_gamma']);
  });
});

describe('the countdown and the secret', () => {
  test.each([
    [0, '0:00'],
    [-5_000, '0:00'],
    [59_001, '1:00'],
    [605_000, '10:05'],
    [3_723_000, '1:02:03'],
  ])('%i ms left reads %s', (left, shown) => {
    expect(countdown(left)).toBe(shown);
  });

  test('the secret from the fragment is kept for the tab; the plain address finds it again', () => {
    const kept = new Map<string, string>();
    const storage = {
      getItem: (key: string) => kept.get(key) ?? null,
      setItem: (key: string, v: string) => kept.set(key, v),
    };
    expect(secretOf('chk_1', '#cs=cs_abc', storage)).toBe('cs_abc');
    expect(secretOf('chk_1', '', storage)).toBe('cs_abc');
    expect(secretOf('chk_2', '', storage)).toBeUndefined();
  });
});
