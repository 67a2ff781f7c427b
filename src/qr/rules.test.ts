import { describe, expect, it } from 'vitest';
import { decode, type MpmDecoded, type QrRule } from './index.ts';
import { conformingPayload, template, tlv } from './test-payloads.test-support.ts';

const guid = tlv('00', 'COM.EXAMPLE');

function findingsOf(payload: string, mode: 'lenient' | 'strict'): [QrRule, string][] {
  const result = decode(payload, { mode });
  if (result.kind !== 'mpm') throw new Error(`expected a readable payload, got ${JSON.stringify(result)}`);
  return (result as MpmDecoded).findings.map((finding) => [finding.rule, finding.path]);
}

describe('the EMVCo MPM rules', () => {
  it.each<[QrRule, string, Record<string, string | null>]>([
    // rule, path, changes to a conforming payload — rows in the order of QrRule
    ['value_empty', '61', { '61': '6100' }],
    ['value_empty', '26/01', { '26': template('26', guid, '0100') }],
    ['value_empty', '62/05', { '62': template('62', '0500') }],
    ['unreserved_template_not_tlv', '81', { '81': tlv('81', '0048006500') }],
    ['field_rfu', '65', { '65': tlv('65', 'x') }],
    ['field_rfu', '79', { '79': tlv('79', 'x') }],
    ['field_rfu', '62/00', { '62': template('62', tlv('00', 'x')) }],
    ['field_rfu', '62/10', { '62': template('62', tlv('10', 'abcd')) }],
    ['field_rfu', '62/49', { '62': template('62', tlv('49', 'abcd')) }],
    ['field_rfu', '64/03', { '64': template('64', tlv('00', 'ZH'), tlv('01', '北京'), tlv('03', 'x')) }],
    ['point_of_initiation_invalid', '01', { '01': tlv('01', '13') }],
    ['point_of_initiation_invalid', '01', { '01': tlv('01', '1') }],
    ['merchant_category_code_invalid', '52', { '52': tlv('52', '581') }],
    ['merchant_category_code_invalid', '52', { '52': tlv('52', '58A2') }],
    ['currency_invalid', '53', { '53': tlv('53', '999'), '54': null }],
    ['currency_invalid', '53', { '53': tlv('53', 'IDR'), '54': null }],
    ['tip_indicator_invalid', '55', { '55': tlv('55', '04') }],
    ['convenience_fee_percentage_invalid', '57', { '55': tlv('55', '03'), '57': tlv('57', '100') }],
    ['convenience_fee_percentage_invalid', '57', { '55': tlv('55', '03'), '57': tlv('57', '0.00') }],
    ['convenience_fee_percentage_invalid', '57', { '55': tlv('55', '03'), '57': tlv('57', '1.234') }],
    ['country_code_invalid', '58', { '58': tlv('58', 'id') }],
    ['country_code_invalid', '58', { '58': tlv('58', 'IDN') }],
    ['value_too_long', '59', { '59': tlv('59', 'M'.repeat(26)) }],
    ['value_too_long', '60', { '60': tlv('60', 'C'.repeat(16)) }],
    ['value_too_long', '61', { '61': tlv('61', '1'.repeat(11)) }],
    ['value_too_long', '62/01', { '62': template('62', tlv('01', 'B'.repeat(26))) }],
    ['value_too_long', '64/01', { '64': template('64', tlv('00', 'ZH'), tlv('01', '最'.repeat(26))) }],
    ['value_too_long', '64/02', { '64': template('64', tlv('00', 'ZH'), tlv('01', '最'), tlv('02', '京'.repeat(16))) }],
    ['characters_invalid', '59', { '59': tlv('59', 'Café') }],
    ['characters_invalid', '02', { '02': tlv('02', 'tab\there') }],
    ['characters_invalid', '62/05', { '62': template('62', tlv('05', 'référence')) }],
    ['guid_too_long', '26/00', { '26': template('26', tlv('00', 'G'.repeat(33))) }],
    ['guid_too_long', '80/00', { '80': template('80', tlv('00', 'G'.repeat(33))) }],
    ['mandatory_field_missing', '26/00', { '26': template('26', tlv('01', 'x')) }],
    ['mandatory_field_missing', '80/00', { '80': template('80', tlv('01', 'x')) }],
    ['mandatory_field_missing', '64/00', { '64': template('64', tlv('01', '北京')) }],
    ['mandatory_field_missing', '64/01', { '64': template('64', tlv('00', 'ZH')) }],
    ['consumer_data_request_invalid', '62/09', { '62': template('62', tlv('09', 'tuv')) }],
    ['consumer_data_request_invalid', '62/09', { '62': template('62', tlv('09', 'AA')) }],
    ['consumer_data_request_invalid', '62/09', { '62': template('62', tlv('09', 'AMEA')) }],
    ['language_preference_invalid', '64/00', { '64': template('64', tlv('00', 'Z1'), tlv('01', '北京')) }],
    ['merchant_account_missing', '', { '26': null }],
    ['mandatory_field_missing', '52', { '52': null }],
    ['mandatory_field_missing', '53', { '53': null, '54': null }],
    ['mandatory_field_missing', '58', { '58': null }],
    ['mandatory_field_missing', '59', { '59': null }],
    ['mandatory_field_missing', '60', { '60': null }],
    ['amount_invalid', '54', { '54': tlv('54', '0') }],
    ['amount_invalid', '54', { '54': tlv('54', '-1') }],
    ['amount_invalid', '54', { '54': tlv('54', '1,000') }],
    ['amount_invalid', '54', { '54': tlv('54', '12345678901234') }],
    ['amount_too_many_decimals', '54', { '54': tlv('54', '1.005') }],
    ['amount_too_many_decimals', '54', { '53': tlv('53', '392'), '54': tlv('54', '100.0') }],
    ['convenience_fee_fixed_missing', '56', { '55': tlv('55', '02') }],
    ['convenience_fee_percentage_missing', '57', { '55': tlv('55', '03') }],
    ['convenience_fee_fixed_unexpected', '56', { '56': tlv('56', '500') }],
    ['convenience_fee_fixed_unexpected', '56', { '55': tlv('55', '01'), '56': tlv('56', '500') }],
    ['convenience_fee_fixed_invalid', '56', { '55': tlv('55', '02'), '56': tlv('56', '5.5.5') }],
    ['amount_too_many_decimals', '56', { '55': tlv('55', '02'), '56': tlv('56', '5.555') }],
    [
      'convenience_fee_percentage_unexpected',
      '57',
      { '55': tlv('55', '02'), '56': tlv('56', '500'), '57': tlv('57', '1') },
    ],
    [
      'payload_too_long',
      '',
      {
        '80': template('80', guid, tlv('01', 'x'.repeat(75))),
        '81': template('81', guid, tlv('01', 'x'.repeat(75))),
        '82': template('82', guid, tlv('01', 'x'.repeat(75))),
        '83': template('83', guid, tlv('01', 'x'.repeat(75))),
        '84': template('84', guid, tlv('01', 'x'.repeat(75))),
      },
    ],
  ])('%s at %j', (rule, path, changes) => {
    const payload = conformingPayload(changes);
    expect(findingsOf(payload, 'strict')).toEqual([[rule, path]]);
    const lenient = decode(payload);
    expect(lenient).toMatchObject({ valid: true, findings: [{ rule, path, severity: 'warning' }] });
    expect(decode(payload, { mode: 'strict' })).toMatchObject({
      valid: false,
      findings: [{ rule, path, severity: 'error' }],
    });
  });

  it.each<[string, Record<string, string | null>]>([
    ['a static code with tip prompt', { '01': tlv('01', '11'), '54': null, '55': tlv('55', '01') }],
    ['a fixed convenience fee', { '55': tlv('55', '02'), '56': tlv('56', '2500') }],
    ['a percentage fee', { '55': tlv('55', '03'), '57': tlv('57', '0.75') }],
    ['an amount with a trailing decimal mark', { '54': tlv('54', '15000.') }],
    [
      'an amount in a currency without decimals',
      { '53': tlv('53', '392'), '54': tlv('54', '1200'), '58': tlv('58', 'JP') },
    ],
    ['a primitive card-network account beside the template', { '04': tlv('04', '5123456789012346') }],
    [
      'the alternate-language template',
      { '64': template('64', tlv('00', 'zh'), tlv('01', '最佳运输'), tlv('02', '北京')) },
    ],
    [
      'payment-system templates of their own in 62',
      { '62': template('62', tlv('01', '***'), tlv('50', 'ijkl'), tlv('99', tlv('00', '00'))) },
    ],
    ['a consumer data request for all three', { '62': template('62', tlv('09', 'EMA')) }],
    ['no point of initiation', { '01': null }],
  ])('finds nothing wrong with %s', (_, changes) => {
    expect(findingsOf(conformingPayload(changes), 'strict')).toEqual([]);
  });

  it('reports every broken rule, not only the first', () => {
    const payload = conformingPayload({
      '52': null,
      '58': tlv('58', 'id'),
      '59': tlv('59', 'M'.repeat(26)),
      '65': tlv('65', 'x'),
    });
    expect(findingsOf(payload, 'strict')).toEqual([
      ['country_code_invalid', '58'],
      ['value_too_long', '59'],
      ['field_rfu', '65'],
      ['mandatory_field_missing', '52'],
    ]);
  });
});
