import { describe, expect, it } from 'vitest';
import { minor } from '../money/index.ts';
import { buildMerchantPresentedPayload, decode, findField, type MerchantPresentedInput } from './index.ts';

const placard: MerchantPresentedInput = {
  pointOfInitiation: 'static',
  merchantAccounts: [{ id: '26', guid: 'ORG.LINTAS', fields: [{ id: '01', value: 'mer_7Hq2' }] }],
  merchantCategoryCode: '5812',
  currency: 'IDR',
  countryCode: 'ID',
  merchantName: 'Kedai Kopi',
  merchantCity: 'Jakarta',
};

function decodedFields(payload: string) {
  const result = decode(payload, { mode: 'strict' });
  if (result.kind !== 'mpm' || !result.valid) throw new Error(JSON.stringify(result));
  return result.fields;
}

describe('buildMerchantPresentedPayload', () => {
  it('writes a static placard that passes the strict verdict', () => {
    const result = buildMerchantPresentedPayload(placard);
    if (!result.ok) throw new Error(JSON.stringify(result));
    const fields = decodedFields(result.payload);
    expect(fields.map((field) => field.id)).toEqual(['00', '01', '26', '52', '53', '58', '59', '60']);
    expect(findField(fields, '01')).toMatchObject({ value: '11' });
    expect(findField(fields, '26/00')).toMatchObject({ value: 'ORG.LINTAS' });
    expect(findField(fields, '53')).toMatchObject({ value: '360' });
  });

  it('writes a till QR: amount through the currency table, sale data in 62, the alternate language in 64', () => {
    const result = buildMerchantPresentedPayload({
      ...placard,
      pointOfInitiation: 'dynamic',
      merchantAccounts: [{ id: '04', value: '5123456789012346' }, ...placard.merchantAccounts],
      amount: minor(1_500_050),
      postalCode: '10110',
      additionalData: { billNumber: 'B-1', referenceLabel: 'att_9f', terminalLabel: 'T1', consumerDataRequest: 'M' },
      language: { preference: 'ID', merchantName: 'Kedai Kopi', merchantCity: 'Jakarta' },
      unreserved: [
        {
          id: '80',
          children: [
            { id: '00', value: 'ORG.LINTAS' },
            { id: '01', value: 'chk_1' },
          ],
        },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result));
    const fields = decodedFields(result.payload);
    expect(findField(fields, '01')).toMatchObject({ value: '12' });
    expect(findField(fields, '04')).toMatchObject({ value: '5123456789012346' });
    expect(findField(fields, '54')).toMatchObject({ value: '15000.50' });
    expect(findField(fields, '62')).toMatchObject({
      children: [
        { id: '01', value: 'B-1' },
        { id: '05', value: 'att_9f' },
        { id: '07', value: 'T1' },
        { id: '09', value: 'M' },
      ],
    });
    expect(findField(fields, '64/02')).toMatchObject({ value: 'Jakarta' });
    expect(findField(fields, '80/01')).toMatchObject({ value: 'chk_1' });
  });

  it('writes amounts with the exponent of their currency', () => {
    const result = buildMerchantPresentedPayload({
      ...placard,
      currency: 'JPY',
      countryCode: 'JP',
      amount: minor(1200),
    });
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(findField(decodedFields(result.payload), '54')).toMatchObject({ value: '1200' });
  });

  it.each<[string, Partial<MerchantPresentedInput>, object]>([
    ['an unknown currency', { currency: 'XYZ' }, { code: 'currency_unknown', path: '53' }],
    [
      'an id taken twice',
      { merchantAccounts: [placard.merchantAccounts[0]!, placard.merchantAccounts[0]!] },
      { code: 'field_id_duplicate', path: '26' },
    ],
    ['a value too long to encode', { merchantName: 'M'.repeat(100) }, { code: 'field_value_too_long', path: '59' }],
    [
      'a payload that breaks EMVCo rules',
      { merchantName: 'M'.repeat(26), amount: minor(0) },
      {
        code: 'payload_not_conformant',
        findings: [
          expect.objectContaining({ rule: 'value_too_long', path: '59' }),
          expect.objectContaining({ rule: 'amount_invalid', path: '54' }),
        ],
      },
    ],
  ])('refuses %s', (_, change, refusal) => {
    expect(buildMerchantPresentedPayload({ ...placard, ...change })).toEqual({ ok: false, ...refusal });
  });
});
