import { describe, expect, test } from 'vitest';
import { readSettings } from '../config.ts';
import { businessDateOf, formatCutoff, lastCutoff, parseCutoff } from './index.ts';

describe('parseCutoff: LINTAS_SETTLEMENT_CUTOFF is HH:MM and an IANA zone', () => {
  test.each([
    ['23:00 Asia/Jakarta', { hour: 23, minute: 0, timeZone: 'Asia/Jakarta' }],
    ['06:30 America/New_York', { hour: 6, minute: 30, timeZone: 'America/New_York' }],
    ['00:00 UTC', { hour: 0, minute: 0, timeZone: 'UTC' }],
    ['  18:15 asia/jakarta ', { hour: 18, minute: 15, timeZone: 'Asia/Jakarta' }],
  ])('%j is %j', (text, cutoff) => {
    expect(parseCutoff(text)).toEqual(cutoff);
  });

  test.each([
    '24:00 Asia/Jakarta',
    '23:60 Asia/Jakarta',
    '7:00 Asia/Jakarta',
    '23:00',
    '23:00 Asia/Nowhere',
    '23:00+07:00',
    '',
  ])('refuses %j', (text) => {
    expect(parseCutoff(text)).toBeUndefined();
  });

  test('the configuration reports a bad cutoff with the others and keeps a good one', () => {
    expect(readSettings({}, { LINTAS_SETTLEMENT_CUTOFF: '23:00 Asia/Jakarta' }).settlementCutoff).toEqual({
      hour: 23,
      minute: 0,
      timeZone: 'Asia/Jakarta',
    });
    expect(readSettings({}, {}).settlementCutoff).toBeUndefined();
    expect(() => readSettings({}, { LINTAS_SETTLEMENT_CUTOFF: '11pm Jakarta' })).toThrow(
      /LINTAS_SETTLEMENT_CUTOFF "11pm Jakarta" must be HH:MM and an IANA time zone/,
    );
    expect(formatCutoff({ hour: 6, minute: 5, timeZone: 'UTC' })).toBe('06:05 UTC');
  });
});

describe(
  'businessDateOf: the business day runs cutoff to cutoff and is named after the calendar day holding most ' + 'of it',
  () => {
    const jakarta = parseCutoff('23:00 Asia/Jakarta');
    const morning = parseCutoff('06:00 Asia/Jakarta');
    const newYork = parseCutoff('23:00 America/New_York');
    test.each([
      // instant (UTC), cutoff, business date — Jakarta is UTC+7 all year
      ['2026-03-10T09:00:00Z', jakarta, '2026-03-10'], // 16:00 WIB
      ['2026-03-10T15:59:59Z', jakarta, '2026-03-10'], // 22:59:59 WIB
      ['2026-03-10T16:00:00Z', jakarta, '2026-03-11'], // 23:00 WIB: the next day's window
      ['2026-03-10T17:30:00Z', jakarta, '2026-03-11'], // 00:30 WIB on the 11th
      ['2026-03-10T22:00:00Z', morning, '2026-03-10'], // 05:00 WIB on the 11th: still the 10th's day
      ['2026-03-10T23:00:00Z', morning, '2026-03-11'], // 06:00 WIB on the 11th
      ['2026-03-08T03:30:00Z', newYork, '2026-03-07'], // 22:30 EST on the 7th
      ['2026-03-09T03:30:00Z', newYork, '2026-03-09'], // 23:30 EDT on the 8th, after the DST change
      ['2026-03-10T23:59:59Z', undefined, '2026-03-10'], // no cutoff: the UTC date
    ])('%s with %j is %s', (at, cutoff, date) => {
      expect(businessDateOf(new Date(at), cutoff)).toBe(date);
    });
  },
);

describe('lastCutoff: the latest cutoff at or before an instant', () => {
  const jakarta = parseCutoff('23:00 Asia/Jakarta');
  const newYork = parseCutoff('23:00 America/New_York');
  test.each([
    ['2026-03-10T16:00:00Z', jakarta, '2026-03-10T16:00:00.000Z'], // exactly at it
    ['2026-03-10T15:59:59Z', jakarta, '2026-03-09T16:00:00.000Z'],
    ['2026-03-10T18:00:00Z', jakarta, '2026-03-10T16:00:00.000Z'], // 01:00 WIB on the 11th
    ['2026-03-08T05:00:00Z', newYork, '2026-03-08T04:00:00.000Z'], // 23:00 EST on the 7th
    ['2026-03-09T05:00:00Z', newYork, '2026-03-09T03:00:00.000Z'], // 23:00 EDT on the 8th
  ])('before %s with %j: %s', (at, cutoff, expected) => {
    expect(lastCutoff(new Date(at), cutoff as NonNullable<typeof cutoff>).toISOString()).toBe(expected);
  });
});
