/**
 * ISO 8601 timer values: a date-time, a duration (PT1H, P2D, P1M) or a repeating cycle
 * (R3/PT10M, R/PT1H, R2/2026-01-01T09:00:00Z/P1D). Calendar arithmetic is done by Temporal,
 * in UTC. Working-day limits are a separate concern (jobs/calendar).
 */
import { Temporal } from 'temporal-polyfill';

export interface Cycle {
  /** Remaining repetitions, -1 for unbounded. */
  repetitions: number;
  start: number | null;
  duration: string;
}

/** parseDate's answers by value: a timeDate catch parsed the same literal on every instance. */
const parsedDates = new Map<string, number | null>();
const MAX_PARSED_DATES = 1_000;

/**
 * Epoch milliseconds of an ISO 8601 date-time, or null. Memoized: the answer is a number, so no
 * caller can change what another gets.
 */
export function parseDate(value: string): number | null {
  let at = parsedDates.get(value);
  if (at === undefined) {
    at = parseDateUncached(value);
    if (parsedDates.size >= MAX_PARSED_DATES) parsedDates.clear();
    parsedDates.set(value, at);
  }
  return at;
}

function parseDateUncached(value: string): number | null {
  try {
    return Temporal.Instant.from(value).epochMilliseconds;
  } catch {
    try {
      // A date-time without an offset is read as UTC.
      return Temporal.PlainDateTime.from(value).toZonedDateTime('UTC').epochMilliseconds;
    } catch {
      return null;
    }
  }
}

export function isDuration(value: string): boolean {
  try {
    Temporal.Duration.from(value);
    return /^-?P/.test(value);
  } catch {
    return false;
  }
}

/**
 * Weeks, days, hours, minutes and seconds with up to three decimals (a whole number of
 * milliseconds): the units that are a fixed length in UTC. ISO 8601 allows a decimal comma.
 */
const FIXED_DURATION =
  /^P(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})(?:[.,](\d{1,3}))?S)?)?$/;
const FIXED_UNIT_MS = [604_800_000, 86_400_000, 3_600_000, 60_000, 1_000];
/** Temporal's range of instants: ±10^8 days around the epoch. */
const LAST_INSTANT_MS = 8.64e15;

/**
 * `from` plus an ISO 8601 duration, in UTC. A duration of weeks, days, hours, minutes and seconds
 * to the millisecond is plain arithmetic there (UTC has no daylight-saving shifts): parsing it
 * through Temporal on every timer scheduled was a quarter of a timer-heavy model's CPU. Everything
 * else (years, months, fractions of other units or below a millisecond, signs, anything malformed)
 * goes through Temporal, as before.
 */
export function addDuration(from: number, duration: string): number {
  const fixed = FIXED_DURATION.exec(duration);
  if (fixed && duration !== 'P' && !duration.endsWith('T')) {
    let at = from;
    for (let i = 0; i < FIXED_UNIT_MS.length; i++) {
      const n = fixed[i + 1];
      if (n !== undefined) at += Number(n) * FIXED_UNIT_MS[i]!;
    }
    // The seconds' decimals as milliseconds: ".05" is 50.
    const fraction = fixed[FIXED_UNIT_MS.length + 1];
    if (fraction !== undefined) at += Number(fraction.padEnd(3, '0'));
    if (Math.abs(at) <= LAST_INSTANT_MS) return at;
  }
  return Temporal.Instant.fromEpochMilliseconds(from)
    .toZonedDateTimeISO('UTC')
    .add(Temporal.Duration.from(duration)).epochMilliseconds;
}

export function parseCycle(value: string): Cycle | null {
  const parts = value.split('/');
  const rep = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!rep || parts.length < 2 || parts.length > 3) return null;
  const repetitions = rep[1] === '' ? -1 : Number(rep[1]);
  const duration = parts[parts.length - 1]!;
  if (!isDuration(duration)) return null;
  let start: number | null = null;
  if (parts.length === 3) {
    start = parseDate(parts[1]!);
    if (start === null) return null;
  }
  return { repetitions, start, duration };
}

/** Checks a literal timer value of the given kind; returns an error message or null. */
export function timerValueProblem(kind: 'date' | 'duration' | 'cycle', value: string): string | null {
  if (kind === 'date') return parseDate(value) === null ? `"${value}" is not an ISO 8601 date-time` : null;
  if (kind === 'duration') return isDuration(value) ? null : `"${value}" is not an ISO 8601 duration`;
  return parseCycle(value) ? null : `"${value}" is not an ISO 8601 repeating interval such as R3/PT1H`;
}
