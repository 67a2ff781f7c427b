import { describe, expect, test } from 'vitest';
import { netToMerchant } from './model.ts';

describe('net to a merchant', () => {
  test('gross less refunds less discount', () => {
    expect(netToMerchant(10_000, 2_000, 150)).toBe(7_850);
  });
});
