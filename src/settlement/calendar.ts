/**
 * The settlement cutoff and business dates, computed with the Temporal API
 * (`@js-temporal/polyfill`: Node 20 has no `Temporal`; the zone data is
 * Node's own, as for `Intl`). Pure, no I/O.
 *
 * A cutoff is a wall-clock time in an IANA zone, and it falls once on every
 * local calendar day. On a day the zone changes its offset that wall time
 * may be skipped or repeated; the cutoff then falls where Temporal's
 * `'compatible'` disambiguation puts it, as RFC 5545 and JavaScript's `Date`
 * do:
 *
 * - in a skipped hour (spring forward), at the wall time read with the
 *   offset in force before the gap, which lands after the gap by as much as
 *   the time was inside it: `02:30 America/New_York` on 8 March 2026 falls
 *   at 07:30Z (03:30 EDT), 24 hours after the day before's 02:30 EST, and
 *   `02:00` at 07:00Z (03:00 EDT), the first instant after the gap;
 * - in a repeated hour (fall back), at its first occurrence:
 *   `01:30 America/New_York` on 1 November 2026 falls at 05:30Z (01:30 EDT),
 *   and 01:30 EST an hour later is no second cutoff.
 *
 * Consecutive days' cutoffs never go backwards in time (an offset change
 * moves one by less than a day), so a business day is the span from one
 * cutoff instant to the next, and both the close and the business date are
 * decided by instants, never by comparing wall-clock readings.
 */
import { Temporal } from '@js-temporal/polyfill';
import { invariant } from '../platform/index.ts';

/** `LINTAS_SETTLEMENT_CUTOFF`: the local time of day the open window closes, e.g. `23:00 Asia/Jakarta`. */
export type SettlementCutoff = { hour: number; minute: number; timeZone: string };

/** Without a configured cutoff, business days are UTC calendar days and only the operator closes windows. */
export const utcMidnight: SettlementCutoff = { hour: 0, minute: 0, timeZone: 'UTC' };

const cutoffPattern = /^([01][0-9]|2[0-3]):([0-5][0-9]) ([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)$/;

/** Parses `HH:MM Zone`; undefined when the text is not one, or names no zone Temporal knows. */
export function parseCutoff(text: string): SettlementCutoff | undefined {
  const match = cutoffPattern.exec(text.trim());
  if (!match) return undefined;
  try {
    // The zone's own spelling, so `asia/jakarta` and `Asia/Jakarta` are one zone.
    const timeZone = Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(match[3] as string).timeZoneId;
    return { hour: Number(match[1]), minute: Number(match[2]), timeZone };
  } catch {
    return undefined;
  }
}

export function formatCutoff(cutoff: SettlementCutoff): string {
  return `${String(cutoff.hour).padStart(2, '0')}:${String(cutoff.minute).padStart(2, '0')} ${cutoff.timeZone}`;
}

const dayMs = 86_400_000;

/** A local calendar date as days since 1970-01-01, so that stepping a day is adding one. */
type EpochDay = number;

function dateText(day: EpochDay): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

/** The cutoff of one local calendar day: the day and the instant, in epoch ms. */
type Occurrence = { day: EpochDay; atMs: number };

/**
 * Instants already worked out, per cutoff and local date: the worker asks
 * about the same two days every tick, and a Temporal conversion costs tens
 * of microseconds. Bounded; emptied when full.
 */
const instantsMemo = new Map<string, number>();
const instantsMemoEntriesMax = 4_096;

/** The instant the cutoff falls on the local calendar day `day` (skipped and repeated hours: see above). */
function cutoffOn(day: EpochDay, cutoff: SettlementCutoff): number {
  const key = `${formatCutoff(cutoff)} ${day}`;
  const known = instantsMemo.get(key);
  if (known !== undefined) return known;
  const date = new Date(day * dayMs);
  const zoned = Temporal.ZonedDateTime.from(
    {
      timeZone: cutoff.timeZone,
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: cutoff.hour,
      minute: cutoff.minute,
    },
    { disambiguation: 'compatible' },
  );
  if (instantsMemo.size >= instantsMemoEntriesMax) instantsMemo.clear();
  instantsMemo.set(key, zoned.epochMilliseconds);
  return zoned.epochMilliseconds;
}

/** The local date at `atMs`, from the zone's offset then (one Temporal lookup; reading the date fields costs three). */
function localDayOf(atMs: number, timeZone: string): EpochDay {
  const offsetMs = Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(timeZone).offsetNanoseconds / 1e6;
  return Math.floor((atMs + offsetMs) / dayMs);
}

/** A day's cutoff lies within a day of that day's local midnight, so the search ends in a few steps. */
const searchDaysMax = 4;

/**
 * The latest cutoff at or before `atMs`. Searched back from the day after
 * the local date of `atMs` (where a repeated hour around midnight can put
 * the local date behind), so when two days' cutoffs are one instant (a zone
 * that skipped a whole day) the later day's is found.
 */
function lastOccurrence(atMs: number, cutoff: SettlementCutoff): Occurrence {
  const local = localDayOf(atMs, cutoff.timeZone);
  for (let day = local + 1; day > local - searchDaysMax; day -= 1) {
    const cutoffMs = cutoffOn(day, cutoff);
    if (cutoffMs <= atMs) return { day, atMs: cutoffMs };
  }
  invariant(false, `a cutoff of ${formatCutoff(cutoff)} falls within ${searchDaysMax} days before ${atMs}`);
}

/** The latest cutoff at or before `at`: a window opened before it is due to close. */
export function lastCutoff(at: Date, cutoff: SettlementCutoff): Date {
  return new Date(lastOccurrence(at.getTime(), cutoff).atMs);
}

/** The first cutoff after `at`: a window opened at `at` is due to close then. */
export function nextCutoff(at: Date, cutoff: SettlementCutoff): Date {
  const last = lastOccurrence(at.getTime(), cutoff);
  for (let day = last.day + 1; day <= last.day + searchDaysMax; day += 1) {
    const cutoffMs = cutoffOn(day, cutoff);
    if (cutoffMs > at.getTime()) return new Date(cutoffMs);
  }
  invariant(false, `a cutoff of ${formatCutoff(cutoff)} falls within ${searchDaysMax} days after ${at.toISOString()}`);
}

/**
 * The business date of a window opened at `at`, as YYYY-MM-DD. A business
 * day runs from one cutoff to the next and is named after the calendar day
 * that holds most of it: with an evening cutoff (after 12:00) the day
 * ending at the cutoff, so with `23:00 Asia/Jakarta` a window opened at
 * 23:00 on the 25th counts to the 26th; with a morning cutoff (12:00 or
 * before) the day starting at it, so with `06:00` a window opened at 05:00
 * on the 26th counts to the 25th. With no cutoff: the UTC date.
 */
export function businessDateOf(at: Date, cutoff: SettlementCutoff = utcMidnight): string {
  const started = lastOccurrence(at.getTime(), cutoff).day;
  const morning = cutoff.hour * 60 + cutoff.minute <= 12 * 60;
  return dateText(morning ? started : started + 1);
}
