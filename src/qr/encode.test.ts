import { describe, expect, it } from 'vitest';
import { crc16ccitt, decode, encode, fieldName, findField, firstFreeTemplateId, type QrFieldInput } from './index.ts';
import { signed, template, tlv } from './test-payloads.test-support.ts';

const formatIndicator = { id: '00', value: '01' };

describe('encode', () => {
  it('writes ascending ids at every level, lengths in characters, then 63 with an upper-case CRC', () => {
    const result = encode([
      { id: '59', value: 'Kedai Kopi' },
      {
        id: '62',
        children: [
          { id: '07', value: 'T1' },
          { id: '05', value: 'INV-001' },
        ],
      },
      {
        id: '64',
        children: [
          { id: '01', value: '最佳运输' },
          { id: '00', value: 'ZH' },
        ],
      },
      formatIndicator,
      { id: '01', value: '11' },
    ]);
    const body =
      tlv('00', '01') +
      tlv('01', '11') +
      tlv('59', 'Kedai Kopi') +
      template('62', tlv('05', 'INV-001'), tlv('07', 'T1')) +
      template('64', tlv('00', 'ZH'), tlv('01', '最佳运输'));
    expect(result).toEqual({ ok: true, payload: signed(body) });
    if (!result.ok) return;
    expect(result.payload.slice(-4)).toBe(crc16ccitt(`${body}6304`));
    expect(result.payload.slice(-4)).toMatch(/^[0-9A-F]{4}$/);
  });

  it('ignores names, so a decoded tree encodes as it is', () => {
    const payload = signed(tlv('00', '01') + template('26', tlv('00', 'COM.EXAMPLE')) + tlv('59', 'A'));
    const decoded = decode(payload);
    if (decoded.kind !== 'mpm') throw new Error('expected a payload');
    expect(encode(decoded.fields)).toEqual({ ok: true, payload });
  });

  it.each<[string, string, readonly unknown[]]>([
    // code, path, tree — rows in the order the checks run
    ['field_id_invalid', '7', [formatIndicator, { id: '7', value: 'x' }]],
    ['field_id_invalid', 'undefined', [formatIndicator, { value: 'x' }]],
    ['field_id_invalid', '26/0A', [formatIndicator, { id: '26', children: [{ id: '0A', value: 'x' }] }]],
    ['field_id_invalid', 'undefined', [formatIndicator, null]],
    ['field_id_duplicate', '59', [formatIndicator, { id: '59', value: 'a' }, { id: '59', value: 'b' }]],
    ['field_shape_invalid', '59', [formatIndicator, { id: '59' }]],
    ['field_shape_invalid', '59', [formatIndicator, { id: '59', value: 'a', children: [] }]],
    ['field_shape_invalid', '59', [formatIndicator, { id: '59', value: 5 }]],
    ['field_crc_reserved', '63', [formatIndicator, { id: '63', value: 'ABCD' }]],
    ['field_template_expected', '26', [formatIndicator, { id: '26', value: '0011COM.EXAMPLE' }]],
    ['field_template_expected', '62', [formatIndicator, { id: '62', value: '0503abc' }]],
    ['field_primitive_expected', '59', [formatIndicator, { id: '59', children: [{ id: '00', value: 'x' }] }]],
    ['field_primitive_expected', '26/01', [formatIndicator, { id: '26', children: [{ id: '01', children: [] }] }]],
    ['field_value_empty', '59', [formatIndicator, { id: '59', value: '' }]],
    ['field_value_empty', '62', [formatIndicator, { id: '62', children: [] }]],
    ['field_value_too_long', '59', [formatIndicator, { id: '59', value: 'x'.repeat(100) }]],
    [
      'field_value_too_long',
      '62',
      [
        formatIndicator,
        {
          id: '62',
          children: [
            { id: '01', value: 'x'.repeat(62) },
            { id: '02', value: 'y'.repeat(30) },
          ],
        },
      ],
    ],
    ['format_indicator_invalid', '00', [{ id: '01', value: '11' }]],
    ['format_indicator_invalid', '00', [{ id: '00', value: '02' }]],
  ])('refuses with %s at %j', (code, path, tree) => {
    expect(encode(tree as QrFieldInput[])).toEqual({ ok: false, code, path });
  });

  it('counts a character beyond the BMP as one toward the 99', () => {
    expect(encode([formatIndicator, { id: '59', value: '😀'.repeat(99) }]).ok).toBe(true);
    expect(encode([formatIndicator, { id: '59', value: '😀'.repeat(100) }])).toMatchObject({
      code: 'field_value_too_long',
    });
  });

  it('lets unreserved and payment-system templates hold a plain value', () => {
    const result = encode([
      formatIndicator,
      { id: '81', value: 'not a template' },
      { id: '62', children: [{ id: '50', value: 'ijkl' }] },
    ]);
    expect(result.ok).toBe(true);
  });

  it('refuses a payload longer than a QR code holds', () => {
    // Every id that may hold a plain value, each with 99 characters: 69 × 103 characters.
    const plainIds = Array.from({ length: 100 }, (_, id) => id).filter(
      (id) => (id >= 2 && id <= 25) || (id >= 52 && id <= 61) || id >= 65,
    );
    const fields = plainIds.map((id) => ({ id: String(id).padStart(2, '0'), value: 'x'.repeat(99) }));
    expect(encode([formatIndicator, ...fields])).toEqual({ ok: false, code: 'payload_too_long', path: '' });
  });
});

describe('findField', () => {
  const decoded = decode(
    signed(tlv('00', '01') + template('26', tlv('00', 'COM.EXAMPLE')) + template('62', tlv('05', 'REF'))),
  );
  const fields = decoded.kind === 'mpm' ? decoded.fields : [];

  it.each([
    ['00', '01'],
    ['62/05', 'REF'],
    ['26/00', 'COM.EXAMPLE'],
  ])('finds %s', (path, value) => {
    expect(findField(fields, path)).toMatchObject({ value });
  });

  it.each(['59', '62/07', '00/01', '62/05/01', ''])('finds nothing at %j', (path) => {
    expect(findField(fields, path)).toBeUndefined();
  });
});

describe('firstFreeTemplateId', () => {
  it.each<[string | undefined, string[]]>([
    ['26', ['00', '01', '52']],
    ['27', ['00', '26', '29']],
    ['28', ['26', '27', '29', '51']],
    [undefined, Array.from({ length: 26 }, (_, i) => String(26 + i))],
  ])('is %s beside %j', (free, ids) => {
    expect(firstFreeTemplateId(ids.map((id) => ({ id })))).toBe(free);
  });
});

describe('fieldName', () => {
  it.each<[string[], string | undefined]>([
    [['00'], 'Payload Format Indicator'],
    [['29'], 'Merchant Account Information'],
    [['29', '00'], 'Globally Unique Identifier'],
    [['29', '05'], 'Payment Network Specific'],
    [['62', '05'], 'Reference Label'],
    [['62', '50', '00'], 'Globally Unique Identifier'],
    [['64', '01'], 'Merchant Name—Alternate Language'],
    [['91', '07'], 'Context Specific Data'],
    [['70'], 'RFU for EMVCo'],
    [['59', '01'], undefined],
    [['5'], undefined],
    [[], undefined],
  ])('of %j is %j', (path, name) => {
    expect(fieldName(path)).toBe(name);
  });
});
