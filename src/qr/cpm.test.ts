import { describe, expect, it } from 'vitest';
import { cpmNestingDepthMax } from './cpm.ts';
import { decode } from './index.ts';

/** Base64 of BER-TLV written as hex, to craft payloads byte by byte. */
function cpm(hex: string): string {
  return Buffer.from(hex.replace(/\s/g, ''), 'hex').toString('base64');
}

const formatIndicator = '85 05 4350563031'; // "CPV01"
const application = '61 09 4F 07 A0000000555555';

describe('decode: consumer-presented payloads', () => {
  it('reads the EMVCo example: format indicator, then an application template with AID and track 2', () => {
    expect(decode('hQVDUFYwMWEaTwegAAAAVVVVVw8SNFZ4kBI0WNGRIgESNF8=')).toEqual({
      kind: 'cpm',
      valid: true,
      fields: [
        { tag: '85', name: 'Payload Format Indicator', hex: '4350563031', text: 'CPV01' },
        {
          tag: '61',
          name: 'Application Template',
          children: [
            { tag: '4F', name: 'Application Definition File (ADF) Name', hex: 'A0000000555555' },
            { tag: '57', name: 'Track 2 Equivalent Data', hex: '1234567890123458D191220112345F' },
          ],
        },
      ],
    });
  });

  it('reads two-byte tags and nested templates, and ignores the merchant-presented mode', () => {
    const payload =
      'hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIv' +
      'RU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==';
    const result = decode(payload, { mode: 'strict' });
    if (result.kind !== 'cpm') throw new Error(JSON.stringify(result));
    expect(result.fields.map((field) => field.tag)).toEqual(['85', '61', '61', '62']);
    const common = result.fields[3]!;
    expect('children' in common && common.children.map((child) => child.tag)).toEqual(['5A', '5F20', '5F2D', '64']);
    expect(JSON.stringify(common)).toContain('"text":"CARDHOLDER/EMV"');
    expect(JSON.stringify(common)).toContain('"tag":"9F26","name":"Application Cryptogram","hex":"584FD385FA234BCC"');
  });

  it('accepts base64 without padding and long-form lengths', () => {
    const longForm = `${formatIndicator} 61 81 09 4F 07 A0000000555555`;
    expect(decode(cpm(longForm).replace(/=+$/, ''))).toMatchObject({ kind: 'cpm', valid: true });
  });

  it.each([
    // code, character position, payload — rows in the order the checks run
    ['cpm_base64_invalid', 4, 'hQVD*FYwMQ=='],
    ['cpm_base64_invalid', 8, 'hQVDUFYwM'],
    ['cpm_base64_invalid', 4, 'hQVDU='],
    ['cpm_tlv_invalid', 0, 'hQ=='],
    ['cpm_tlv_invalid', 0, cpm('85 09 4350563031')],
    ['cpm_tlv_invalid', 8, cpm(`${formatIndicator} 61 83 000001`)],
    ['cpm_tlv_invalid', 8, cpm(`${formatIndicator} 9F`)],
    ['cpm_nesting_too_deep', 20, cpm(`${formatIndicator} 61 06 62 04 63 02 64 00`)],
    ['cpm_format_indicator_invalid', 0, cpm(`85 05 4350563032 ${application}`)],
    ['cpm_format_indicator_invalid', 0, cpm(`85 03 435056 ${application}`)],
    ['cpm_application_missing', 0, cpm(formatIndicator)],
  ])('%s at %i in %j', (code, position, payload) => {
    expect(decode(payload)).toMatchObject({ kind: 'error', valid: false, code, position });
  });

  it('reads cpmNestingDepthMax levels of data objects', () => {
    expect(cpmNestingDepthMax).toBe(4);
    expect(decode(cpm(`${formatIndicator} 61 04 62 02 63 00`))).toMatchObject({ kind: 'cpm' });
  });
});
