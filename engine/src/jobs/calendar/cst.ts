/**
 * China Standard Time day arithmetic. A working day is a calendar date in CST (UTC+8; China has
 * had no daylight saving since 1991), so a fixed offset is exact and much cheaper than a zone
 * database. Days are handled as integers: days since 1970-01-01 in CST.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
/** UTC+8. */
export const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

/** A CST calendar date as days since 1970-01-01 (CST). */
export type Day = number;

/** The CST date an instant falls on. */
export function dayOf(instant: number): Day {
  return Math.floor((instant + CST_OFFSET_MS) / DAY_MS);
}

/** 00:00 CST of a day, as epoch milliseconds. */
export function startOfDay(day: Day): number {
  return day * DAY_MS - CST_OFFSET_MS;
}

/** ISO weekday of a day: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(day: Day): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** 'YYYY-MM-DD' of a day. */
export function formatDay(day: Day): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Parses 'YYYY-MM-DD' (a real calendar date) into a day, or null. */
export function parseDay(text: string): Day | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  // Date.UTC rolls 2025-02-30 over to March: reject anything that does not round-trip.
  return formatDay(ms / DAY_MS) === text ? ms / DAY_MS : null;
}

/** The calendar year of a day. */
export function yearOf(day: Day): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}
