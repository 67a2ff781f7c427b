import { describe, expect, test } from 'vitest';
import { netToMerchant } from './model.ts';

describe('net to a merchant', () => {
  test('gross less refunds less chargebacks less discount', () => {
    expect(netToMerchant(10_000, 2_000, 0, 150)).toBe(7_850);
    expect(netToMerchant(10_000, 2_000, 3_000, 150)).toBe(4_850);
  });
});
