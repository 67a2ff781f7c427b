import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16ccitt } from './index.ts';

/** Bit by bit, straight from the definition: the reference the table-driven code must match. */
function referenceCrc(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

describe('crc16ccitt', () => {
  it.each([
    // text, CRC — the catalogue check value, then EMVCo payloads up to and including "6304"
    ['123456789', '29B1'],
    ['', 'FFFF'],
    ['A', 'B915'],
    [
      '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST ' +
        'TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A6008667' +
        '0902ME91320016A0112233449988770708123456786304',
      'A13A',
    ],
    [
      '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de ' +
        'Tal6008BRASILIA62090505000076304',
      '0055',
    ],
  ])('of %j is %s', (text, crc) => {
    expect(crc16ccitt(text)).toBe(crc);
  });

  it('takes UTF-8 bytes: a character beyond the BMP counts four, a lone surrogate as U+FFFD', () => {
    for (const text of ['€', '北京', '😀', 'a😀b', '\uD800', 'x\uDC00y', '\uFFFD'])
      expect(crc16ccitt(text)).toBe(referenceCrc(text));
  });

  it('handles a text longer than its reused buffer', () => {
    const long = '0123456789北京'.repeat(1_000);
    expect(crc16ccitt(long)).toBe(referenceCrc(long));
  });

  it('agrees with the bit-by-bit definition on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(crc16ccitt(text)).toBe(referenceCrc(text));
      }),
      { numRuns: 2_000 },
    );
  });
});
