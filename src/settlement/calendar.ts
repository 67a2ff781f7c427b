/**
 * The settlement cutoff and business dates: wall-clock time in an IANA zone,
 * read through `Intl` (Node ships the zone data). Pure, no I/O.
 */

/** `LINTAS_SETTLEMENT_CUTOFF`: the local time of day the open window closes, e.g. `23:00 Asia/Jakarta`. */
export type SettlementCutoff = { hour: number; minute: number; timeZone: string };

/** Without a configured cutoff, business days are UTC calendar days and only the operator closes windows. */
export const utcMidnight: SettlementCutoff = { hour: 0, minute: 0, timeZone: 'UTC' };

const cutoffPattern = /^([01][0-9]|2[0-3]):([0-5][0-9]) ([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)$/;

/** Parses `HH:MM Zone`; undefined when the text is not one, or names no zone Intl knows. */
export function parseCutoff(text: string): SettlementCutoff | undefined {
  const match = cutoffPattern.exec(text.trim());
  if (!match) return undefined;
  const timeZone = match[3] as string;
  try {
    // Canonical name, so `asia/jakarta` and `Asia/Jakarta` are one zone.
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    return { hour: Number(match[1]), minute: Number(match[2]), timeZone: canonical };
  } catch {
    return undefined;
  }
}

export function formatCutoff(cutoff: SettlementCutoff): string {
  return `${String(cutoff.hour).padStart(2, '0')}:${String(cutoff.minute).padStart(2, '0')} ${cutoff.timeZone}`;
}

type LocalParts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at `at`. */
export function localParts(at: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;

/** The zone's offset from UTC at `at`, in ms (Asia/Jakarta: +7 h). */
function offsetMs(at: Date, timeZone: string): number {
  const local = localParts(at, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant the cutoff falls on the local calendar day `date` (a UTC
 * midnight standing for that local date). A cutoff inside a daylight-saving
 * gap lands just after the gap.
 */
function cutoffOn(date: number, cutoff: SettlementCutoff): Date {
  const wall = date + (cutoff.hour * 60 + cutoff.minute) * minuteMs;
  let guess = wall - offsetMs(new Date(wall), cutoff.timeZone);
  guess = wall - offsetMs(new Date(guess), cutoff.timeZone);
  return new Date(guess);
}

function localDate(at: Date, timeZone: string): number {
  const local = localParts(at, timeZone);
  return Date.UTC(local.year, local.month - 1, local.day);
}

/** The latest cutoff at or before `at`: a window opened before it is due to close. */
export function lastCutoff(at: Date, cutoff: SettlementCutoff): Date {
  const today = localDate(at, cutoff.timeZone);
  const candidate = cutoffOn(today, cutoff);
  return candidate.getTime() <= at.getTime() ? candidate : cutoffOn(today - dayMs, cutoff);
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
  const local = localParts(at, cutoff.timeZone);
  const sinceMidnight = local.hour * 60 + local.minute;
  const cutoffMinutes = cutoff.hour * 60 + cutoff.minute;
  const noon = 12 * 60;
  let shift = 0;
  if (cutoffMinutes > noon && sinceMidnight >= cutoffMinutes) shift = 1;
  if (cutoffMinutes <= noon && sinceMidnight < cutoffMinutes) shift = -1;
  return new Date(Date.UTC(local.year, local.month - 1, local.day) + shift * dayMs).toISOString().slice(0, 10);
}
