import { describe, expect, it } from 'vitest';
import { crc16ccitt, decode, payloadCharsMax, type MpmDecoded, type QrDecodeResult } from './index.ts';
import { conformingPayload, signed, template, tlv } from './test-payloads.test-support.ts';

function mpm(result: QrDecodeResult): MpmDecoded {
  if (result.kind !== 'mpm') throw new Error(`expected a merchant-presented payload, got ${JSON.stringify(result)}`);
  return result;
}

const body = tlv('00', '01') + tlv('01', '11') + template('26', tlv('00', 'COM.EXAMPLE'));

describe('decode: codec failures', () => {
  it.each([
    // code, character position, path of the template, payload — rows in the order the checks run
    ['payload_empty', 0, '', ''],
    ['payload_too_long', payloadCharsMax, '', '0'.repeat(payloadCharsMax + 1)],
    ['payload_kind_unknown', 0, '', 'https://pay.example/qr'],
    ['tlv_truncated', 0, '', '000'],
    ['tlv_id_invalid', 6, '', '000201A1021'],
    ['tlv_length_invalid', 8, '', '00020101A111'],
    ['tlv_value_overflow', 8, '', '00020101031'],
    ['tlv_id_duplicate', body.length, '', signed(body + tlv('01', '12'))],
    ['tlv_id_duplicate', body.length + 4 + 5, '62', signed(body + template('62', tlv('05', 'a'), tlv('05', 'b')))],
    ['tlv_value_overflow', 6 + 4 + 2, '26', signed(tlv('00', '01') + tlv('26', '0011COM'))],
    ['tlv_truncated', 6 + 4, '64', signed(tlv('00', '01') + tlv('64', '00'))],
    ['format_indicator_missing', 0, '', signed(tlv('01', '11') + tlv('00', '01'))],
    ['format_indicator_invalid', 4, '', signed(tlv('00', '02') + tlv('01', '11'))],
    ['crc_missing', body.length, '', body],
    ['crc_not_last', body.length, '', `${body}63041234${tlv('58', 'ID')}`],
    ['crc_length_invalid', body.length + 2, '', `${body}6303ABC`],
    ['crc_not_hex', body.length + 4, '', `${body}6304XYZW`],
    ['crc_mismatch', body.length + 4, '', `${body}6304${crc16ccitt(`${body}6304`) === '0000' ? '0001' : '0000'}`],
  ])('%s at %i in %j', (code, position, path, payload) => {
    expect(decode(payload)).toMatchObject({ kind: 'error', valid: false, code, position, path });
    expect(decode(payload, { mode: 'strict' })).toMatchObject({ kind: 'error', code, position });
  });

  it('counts positions in characters, a character beyond the BMP counting one', () => {
    const emoji = tlv('00', '01') + tlv('59', '😀😀');
    const result = decode(`${emoji}XX`);
    expect(result).toMatchObject({ code: 'tlv_truncated', position: [...emoji].length });
  });
});

describe('decode: the tree', () => {
  it('names every data object and descends into templates', () => {
    const result = mpm(decode(conformingPayload()));
    expect(result.fields.slice(0, 3)).toEqual([
      { id: '00', name: 'Payload Format Indicator', value: '01' },
      { id: '01', name: 'Point of Initiation Method', value: '12' },
      {
        id: '26',
        name: 'Merchant Account Information',
        children: [
          { id: '00', name: 'Globally Unique Identifier', value: 'ID.CO.EXAMPLE.WWW' },
          { id: '01', name: 'Payment Network Specific', value: '936000000000000001' },
        ],
      },
    ]);
    expect(result.fields.at(-1)).toEqual({
      id: '62',
      name: 'Additional Data Field Template',
      children: [
        { id: '05', name: 'Reference Label', value: 'INV-001' },
        { id: '07', name: 'Terminal Label', value: 'T1' },
      ],
    });
    expect(result.fields.map((field) => field.id)).not.toContain('63');
    expect(result.crc).toBe(conformingPayload().slice(-4));
  });

  it.each([
    ['02', tlv('02', '4111111111111111'), 'Merchant Account Information (Visa)'],
    ['15', tlv('15', '1234'), 'Merchant Account Information (UnionPay)'],
    ['61', tlv('61', '10110'), 'Postal Code'],
    ['65', tlv('65', 'x'), 'RFU for EMVCo'],
    ['80', template('80', tlv('00', 'COM.EXAMPLE'), tlv('01', 'x')), 'Unreserved Template'],
  ])('names %s', (id, field, name) => {
    const result = mpm(decode(conformingPayload({ [id]: field })));
    expect(result.fields.find((f) => f.id === id)?.name).toBe(name);
  });

  it('keeps an unreserved template that does not parse as a plain value', () => {
    const result = mpm(decode(conformingPayload({ '81': tlv('81', '0048006500') })));
    expect(result.valid).toBe(true);
    expect(result.fields.find((field) => field.id === '81')).toEqual({
      id: '81',
      name: 'Unreserved Template',
      value: '0048006500',
    });
  });

  it('keeps a payment-system template of 62 that does not parse as a plain value, and parses one that does', () => {
    const result = mpm(
      decode(conformingPayload({ '62': template('62', tlv('50', 'ijkl'), tlv('99', tlv('00', 'GUID'))) })),
    );
    expect(result.fields.at(-1)).toEqual({
      id: '62',
      name: 'Additional Data Field Template',
      children: [
        { id: '50', name: 'Payment System Specific Template', value: 'ijkl' },
        {
          id: '99',
          name: 'Payment System Specific Template',
          children: [{ id: '00', name: 'Globally Unique Identifier', value: 'GUID' }],
        },
      ],
    });
  });

  it('counts lengths in characters and the CRC over UTF-8 bytes', () => {
    const result = mpm(
      decode(
        conformingPayload({ '59': tlv('59', 'Café 😀'), '64': template('64', tlv('00', 'ZH'), tlv('01', '最佳运输')) }),
      ),
    );
    expect(result.fields.find((field) => field.id === '59')).toMatchObject({ value: 'Café 😀' });
    expect(result.fields.find((field) => field.id === '64')).toMatchObject({
      children: [{ value: 'ZH' }, { value: '最佳运输' }],
    });
  });

  it('accepts a lower-case CRC with a warning', () => {
    const payload = conformingPayload({ '54': tlv('54', '1.10') });
    const lower = payload.slice(0, -4) + payload.slice(-4).toLowerCase();
    if (lower === payload) throw new Error('pick a payload whose CRC has a letter');
    const result = mpm(decode(lower, { mode: 'strict' }));
    expect(result.valid).toBe(true);
    expect(result.findings).toEqual([
      expect.objectContaining({ rule: 'crc_lowercase', severity: 'warning', path: '63' }),
    ]);
  });

  it('skips the rules on request, leaving verdict and tree as they are', () => {
    const payload = conformingPayload({ '52': null });
    const full = mpm(decode(payload));
    const bare = mpm(decode(payload, { findings: false }));
    expect(full.findings).toHaveLength(1);
    expect(bare).toEqual({ ...full, findings: [] });
  });
});

describe('decode: verdicts', () => {
  it('passes a payload that bends EMVCo rules in lenient mode, with warnings, and fails it in strict mode', () => {
    const payload = conformingPayload({ '52': null, '59': null });
    const lenient = mpm(decode(payload));
    const strict = mpm(decode(payload, { mode: 'strict' }));
    expect(lenient).toMatchObject({ mode: 'lenient', valid: true });
    expect(lenient.findings.map((f) => [f.rule, f.path, f.severity])).toEqual([
      ['mandatory_field_missing', '52', 'warning'],
      ['mandatory_field_missing', '59', 'warning'],
    ]);
    expect(strict).toMatchObject({ mode: 'strict', valid: false });
    expect(strict.findings.map((f) => f.severity)).toEqual(['error', 'error']);
  });

  it('passes a conforming payload in both modes without findings', () => {
    expect(decode(conformingPayload())).toMatchObject({ valid: true, findings: [] });
    expect(decode(conformingPayload(), { mode: 'strict' })).toMatchObject({ valid: true, findings: [] });
  });
});
