import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readSettings } from '../config.ts';
import { nextCutoff } from './calendar.ts';
import { type SettlementCutoff, businessDateOf, formatCutoff, lastCutoff, parseCutoff } from './index.ts';

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

/**
 * Daylight-saving changes, both ways, in zones that differ in how: the
 * expected instants are worked by hand from each zone's offsets. A cutoff in
 * a skipped hour falls where its wall time read with the offset before the
 * gap puts it (02:30 EST on a spring-forward day is 07:30Z, 03:30 EDT); a
 * cutoff in a repeated hour falls at its first occurrence. The business day
 * starts at the cutoff instant, so a transfer in the second pass of a
 * repeated hour after the cutoff belongs to the new business day.
 */
describe('daylight-saving changes: the cutoff instant and the business date', () => {
  test.each([
    // cutoff, instant (UTC), last cutoff at or before it (UTC), business date — why
    ['02:00 America/New_York', '2026-03-08T06:59:59Z', '2026-03-07T07:00:00Z', '2026-03-07'], // 01:59:59 EST
    ['02:00 America/New_York', '2026-03-08T07:00:00Z', '2026-03-08T07:00:00Z', '2026-03-08'], // skipped: 03:00 EDT
    ['02:30 America/New_York', '2026-03-08T07:15:00Z', '2026-03-07T07:30:00Z', '2026-03-07'], // 03:15 EDT: not yet
    ['02:30 America/New_York', '2026-03-08T07:30:00Z', '2026-03-08T07:30:00Z', '2026-03-08'], // skipped: 03:30 EDT
    ['01:30 America/New_York', '2026-11-01T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-01'], // 01:30 EDT, first
    ['01:30 America/New_York', '2026-11-01T06:10:00Z', '2026-11-01T05:30:00Z', '2026-11-01'], // 01:10 EST, again
    ['01:30 America/New_York', '2026-11-01T06:30:00Z', '2026-11-01T05:30:00Z', '2026-11-01'], // 01:30 EST: no 2nd
    ['01:30 America/New_York', '2026-11-02T06:30:00Z', '2026-11-02T06:30:00Z', '2026-11-02'], // 01:30 EST next day
    ['01:30 Europe/London', '2026-03-29T01:29:00Z', '2026-03-28T01:30:00Z', '2026-03-28'], // 02:29 BST
    ['01:30 Europe/London', '2026-03-29T01:30:00Z', '2026-03-29T01:30:00Z', '2026-03-29'], // skipped: 02:30 BST
    ['01:30 Europe/London', '2026-10-25T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-25'], // 01:30 BST, first
    ['01:30 Europe/London', '2026-10-25T01:15:00Z', '2026-10-25T00:30:00Z', '2026-10-25'], // 01:15 GMT, again
    ['23:00 Europe/London', '2026-03-29T21:59:59Z', '2026-03-28T23:00:00Z', '2026-03-29'], // 22:59:59 BST
    ['23:00 Europe/London', '2026-03-29T22:00:00Z', '2026-03-29T22:00:00Z', '2026-03-30'], // 23:00 BST
    ['02:30 Australia/Sydney', '2026-04-04T15:29:59Z', '2026-04-03T15:30:00Z', '2026-04-04'], // 02:29:59 AEDT
    ['02:30 Australia/Sydney', '2026-04-04T15:30:00Z', '2026-04-04T15:30:00Z', '2026-04-05'], // 02:30 AEDT, first
    ['02:30 Australia/Sydney', '2026-04-04T16:45:00Z', '2026-04-04T15:30:00Z', '2026-04-05'], // 02:45 AEST, again
    ['02:30 Australia/Sydney', '2026-10-03T16:29:59Z', '2026-10-02T16:30:00Z', '2026-10-03'], // 03:29:59 AEDT
    ['02:30 Australia/Sydney', '2026-10-03T16:30:00Z', '2026-10-03T16:30:00Z', '2026-10-04'], // skipped: 03:30 AEDT
    ['23:00 Australia/Sydney', '2026-04-05T12:59:59Z', '2026-04-04T12:00:00Z', '2026-04-05'], // 22:59:59 AEST
    ['23:00 Australia/Sydney', '2026-04-05T13:00:00Z', '2026-04-05T13:00:00Z', '2026-04-06'], // 23:00 AEST
    ['02:00 Asia/Jakarta', '2026-03-07T18:59:59Z', '2026-03-06T19:00:00Z', '2026-03-07'], // no DST: 01:59:59 WIB
    ['02:00 Asia/Jakarta', '2026-03-07T19:00:00Z', '2026-03-07T19:00:00Z', '2026-03-08'], // 02:00 WIB
    ['02:30 America/St_Johns', '2026-03-08T05:59:59Z', '2026-03-07T06:00:00Z', '2026-03-07'], // 03:29:59 NDT
    ['02:30 America/St_Johns', '2026-03-08T06:00:00Z', '2026-03-08T06:00:00Z', '2026-03-08'], // skipped: 03:30 NDT
    ['01:30 America/St_Johns', '2026-11-01T04:00:00Z', '2026-11-01T04:00:00Z', '2026-11-01'], // 01:30 NDT, first
    ['01:30 America/St_Johns', '2026-11-01T04:45:00Z', '2026-11-01T04:00:00Z', '2026-11-01'], // 01:15 NST, again
    ['03:00 Pacific/Chatham', '2026-04-04T13:14:59Z', '2026-04-03T13:15:00Z', '2026-04-04'], // 02:59:59 +13:45
    ['03:00 Pacific/Chatham', '2026-04-04T13:15:00Z', '2026-04-04T13:15:00Z', '2026-04-05'], // 03:00 +13:45, first
    ['03:00 Pacific/Chatham', '2026-04-04T14:05:00Z', '2026-04-04T13:15:00Z', '2026-04-05'], // 02:50 +12:45, again
    ['03:00 Pacific/Chatham', '2026-09-26T14:14:59Z', '2026-09-25T14:15:00Z', '2026-09-26'], // 03:59:59 +13:45
    ['03:00 Pacific/Chatham', '2026-09-26T14:15:00Z', '2026-09-26T14:15:00Z', '2026-09-27'], // skipped: 04:00 +13:45
    ['01:45 Australia/Lord_Howe', '2026-04-04T14:45:00Z', '2026-04-04T14:45:00Z', '2026-04-05'], // 01:45 +11, first
    ['01:45 Australia/Lord_Howe', '2026-04-04T15:05:00Z', '2026-04-04T14:45:00Z', '2026-04-05'], // 01:35 +10:30
    ['02:15 Australia/Lord_Howe', '2026-10-03T15:44:59Z', '2026-10-02T15:45:00Z', '2026-10-03'], // 02:44:59 +11
    ['02:15 Australia/Lord_Howe', '2026-10-03T15:45:00Z', '2026-10-03T15:45:00Z', '2026-10-04'], // skipped: 02:45 +11
    ['23:30 America/Santiago', '2026-04-05T02:29:59Z', '2026-04-04T02:30:00Z', '2026-04-04'], // 23:29:59 -03
    ['23:30 America/Santiago', '2026-04-05T02:30:00Z', '2026-04-05T02:30:00Z', '2026-04-05'], // 23:30 -03, first
    ['23:30 America/Santiago', '2026-04-05T03:10:00Z', '2026-04-05T02:30:00Z', '2026-04-05'], // 23:10 -04, again
    ['00:30 America/Santiago', '2026-09-06T04:29:59Z', '2026-09-05T04:30:00Z', '2026-09-05'], // 01:29:59 -03
    ['00:30 America/Santiago', '2026-09-06T04:30:00Z', '2026-09-06T04:30:00Z', '2026-09-06'], // skipped: 01:30 -03
  ])('%s at %s: last cutoff %s, business date %s', (text, at, last, date) => {
    const cutoff = parseCutoff(text);
    expect(cutoff, text).toBeDefined();
    expect(lastCutoff(new Date(at), cutoff!).toISOString()).toBe(new Date(last).toISOString());
    expect(nextCutoff(new Date(Date.parse(last) - 1), cutoff!).toISOString()).toBe(new Date(last).toISOString());
    expect(businessDateOf(new Date(at), cutoff)).toBe(date);
  });
});

/**
 * The reference: every cutoff instant of the days around `at`, each made
 * the plain way (a local date and time of day to an instant, which Temporal
 * resolves with 'compatible'), and the latest at or before `at`. The
 * business day it starts is named by the rule: the cutoff's own date for a
 * morning cutoff (12:00 or before), the next for an evening one.
 */
function cutoffsAround(atMs: number, cutoff: SettlementCutoff, days = 3) {
  const today = Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(cutoff.timeZone).toPlainDate();
  const plainTime = new Temporal.PlainTime(cutoff.hour, cutoff.minute);
  const morning = cutoff.hour * 60 + cutoff.minute <= 12 * 60;
  return Array.from({ length: 2 * days + 1 }, (_, index) => {
    const date = today.add({ days: index - days });
    return {
      ms: date.toZonedDateTime({ timeZone: cutoff.timeZone, plainTime }).epochMilliseconds,
      businessDate: (morning ? date : date.add({ days: 1 })).toString(),
    };
  });
}

function expected(atMs: number, cutoffs: ReturnType<typeof cutoffsAround>) {
  const last = cutoffs
    .filter((each) => each.ms <= atMs)
    .reduce((latest, each) => (each.ms >= latest.ms ? each : latest));
  const next = cutoffs.filter((each) => each.ms > atMs).reduce((first, each) => (each.ms < first.ms ? each : first));
  return { lastMs: last.ms, nextMs: next.ms, date: last.businessDate };
}

function actual(atMs: number, cutoff: SettlementCutoff) {
  const at = new Date(atMs);
  return {
    lastMs: lastCutoff(at, cutoff).getTime(),
    nextMs: nextCutoff(at, cutoff).getTime(),
    date: businessDateOf(at, cutoff),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

const zones = [
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Jakarta',
  'America/St_Johns',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Havana',
  'Europe/Dublin',
  'Antarctica/Troll',
  'Africa/Casablanca',
  'America/Sao_Paulo',
  'Asia/Tehran',
  'Pacific/Apia',
  'Asia/Kolkata',
  'UTC',
];

describe('the calendar agrees with Temporal', () => {
  const hourMs = 3_600_000;
  const instants = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });
  const cutoffs = fc.record({
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    timeZone: fc.constantFrom(...zones),
  });
  /** Instants within two days of one of the zone's offset changes, where a calendar goes wrong. */
  const nearAChange = (cutoff: SettlementCutoff) =>
    fc.tuple(instants, fc.integer({ min: -48 * hourMs, max: 48 * hourMs })).map(([from, shift]) => {
      const zoned = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(cutoff.timeZone);
      return (zoned.getTimeZoneTransition('next')?.epochMilliseconds ?? from) + shift;
    });
  const cases = cutoffs.chain((cutoff) => fc.tuple(fc.constant(cutoff), fc.oneof(instants, nearAChange(cutoff))));

  test('lastCutoff and businessDateOf match the reference over random instants, cutoffs and zones', () => {
    fc.assert(
      fc.property(cases, ([cutoff, atMs]) => {
        const want = expected(atMs, cutoffsAround(atMs, cutoff));
        const got = actual(atMs, cutoff);
        expect(iso(got.lastMs), `last cutoff before ${iso(atMs)} with ${formatCutoff(cutoff)}`).toBe(iso(want.lastMs));
        expect(iso(got.nextMs), `next cutoff after ${iso(atMs)} with ${formatCutoff(cutoff)}`).toBe(iso(want.nextMs));
        expect(got.date, `business date of ${iso(atMs)} with ${formatCutoff(cutoff)}`).toBe(want.date);
      }),
      { numRuns: 2_000 },
    );
  });

  /** Every offset change of 2026 in the zone, or one ordinary day for a zone without any. */
  function changesOf(timeZone: string): number[] {
    const changes: number[] = [];
    let change = Temporal.Instant.from('2026-01-01T00:00:00Z')
      .toZonedDateTimeISO(timeZone)
      .getTimeZoneTransition('next');
    while (change !== null && change.year === 2026) {
      changes.push(change.epochMilliseconds);
      change = change.getTimeZoneTransition('next');
    }
    return changes.length > 0 ? changes : [Date.UTC(2026, 2, 8, 7)];
  }

  test('and around every offset change of 2026 in those zones: each half hour of ±27 h, each half-hour cutoff', () => {
    let cases = 0;
    const mismatches: string[] = [];
    for (const timeZone of zones)
      for (const change of changesOf(timeZone))
        for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
          const cutoff = { hour: Math.floor(minutes / 60), minute: minutes % 60, timeZone };
          const reference = cutoffsAround(change, cutoff, 4);
          for (let step = -54; step <= 54; step += 1) {
            const atMs = change + (step * hourMs) / 2;
            const want = expected(atMs, reference);
            const got = actual(atMs, cutoff);
            cases += 1;
            if (got.lastMs !== want.lastMs || got.date !== want.date)
              mismatches.push(
                `${formatCutoff(cutoff)} at ${iso(atMs)}: ${iso(got.lastMs)} ${got.date}, not ${iso(want.lastMs)} ${want.date}`,
              );
            if (got.nextMs !== want.nextMs)
              mismatches.push(
                `${formatCutoff(cutoff)} after ${iso(atMs)}: ${iso(got.nextMs)}, not ${iso(want.nextMs)}`,
              );
          }
        }
    expect(mismatches.slice(0, 5), `${mismatches.length} of ${cases} cases differ`).toEqual([]);
    expect(cases).toBeGreaterThan(100_000);
  });
});
