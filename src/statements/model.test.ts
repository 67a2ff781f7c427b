import { describe, expect, test } from 'vitest';
import { csvField, netToMerchant } from './model.ts';

describe('RFC 4180 fields', () => {
  test.each([
    ['plain', 'plain'],
    ['with,comma', '"with,comma"'],
    ['with "quote"', '"with ""quote"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    [null, ''],
    [1999, '1999'],
  ])('%j → %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('net to a merchant', () => {
  test('gross less refunds less discount', () => {
    expect(netToMerchant(10_000, 2_000, 150)).toBe(7_850);
  });
});
