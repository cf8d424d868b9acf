/**
 * ISO 8601 timer values: a date-time (with an offset, a zone as FEEL writes it,
 * `2026-05-01T09:00:00@Asia/Shanghai`, or neither: UTC), a duration (PT1H, P2D, P1M) or a
 * repeating cycle (R3/PT10M, R/PT1H, R2/2026-01-01T09:00:00Z/P1D). Calendar arithmetic is done by
 * Temporal, in UTC. Working-day limits are a separate concern (jobs/calendar).
 */
import { Temporal } from 'temporal-polyfill';

export interface Cycle {
  /** Remaining repetitions, -1 for unbounded. */
  readonly repetitions: number;
  readonly start: number | null;
  /** The period: a duration longer than zero (at least a millisecond). */
  readonly duration: string;
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

/** FEEL's zone suffix (`…T09:00:00@Asia/Shanghai`): an IANA zone name after the date-time. */
const FEEL_ZONE = /^([^@[\]]+)@([A-Za-z][A-Za-z0-9_+\-/]*)$/;

function parseDateUncached(value: string): number | null {
  const feelZone = FEEL_ZONE.exec(value);
  if (feelZone || value.includes('[')) {
    // A zone, FEEL's `@Zone` or RFC 9557's `[Zone]`: the local time in that zone (its offset from
    // the polyfill's Intl.DateTimeFormat data). Instant.from would ignore a bracketed zone when an
    // offset is given and PlainDateTime.from when none is: 09:00 in Shanghai read as 09:00Z.
    try {
      return Temporal.ZonedDateTime.from(feelZone ? `${feelZone[1]}[${feelZone[2]}]` : value)
        .epochMilliseconds;
    } catch {
      return null;
    }
  }
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

/** Whether a value is an ISO 8601 duration (of any sign). */
export function isDuration(value: string): boolean {
  return durationSign(value) !== null;
}

/** 1, 0 or -1 for an ISO 8601 duration (`-PT1H` is negative), null for anything else. */
function durationSign(value: string): number | null {
  const fixed = fixedMs(value);
  if (fixed !== null) return Math.sign(fixed);
  if (!/^-?P/.test(value)) return null;
  try {
    return Temporal.Duration.from(value).sign;
  } catch {
    return null;
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

/** The length of a duration of fixed-length units (FIXED_DURATION) in milliseconds; null for others. */
function fixedMs(duration: string): number | null {
  const fixed = FIXED_DURATION.exec(duration);
  if (!fixed || duration === 'P' || duration.endsWith('T')) return null;
  let ms = 0;
  for (let i = 0; i < FIXED_UNIT_MS.length; i++) {
    const n = fixed[i + 1];
    if (n !== undefined) ms += Number(n) * FIXED_UNIT_MS[i]!;
  }
  // The seconds' decimals as milliseconds: ".05" is 50.
  const fraction = fixed[FIXED_UNIT_MS.length + 1];
  if (fraction !== undefined) ms += Number(fraction.padEnd(3, '0'));
  return ms;
}

/**
 * `from` plus an ISO 8601 duration, in UTC. A duration of weeks, days, hours, minutes and seconds
 * to the millisecond is plain arithmetic there (UTC has no daylight-saving shifts): parsing it
 * through Temporal on every timer scheduled was a quarter of a timer-heavy model's CPU. Everything
 * else (years, months, fractions of other units or below a millisecond, signs, anything malformed)
 * goes through Temporal, as before.
 */
export function addDuration(from: number, duration: string): number {
  const fixed = fixedMs(duration);
  if (fixed !== null) {
    const at = from + fixed;
    if (Math.abs(at) <= LAST_INSTANT_MS) return at;
  }
  return Temporal.Instant.fromEpochMilliseconds(from)
    .toZonedDateTimeISO('UTC')
    .add(Temporal.Duration.from(duration)).epochMilliseconds;
}

/** parseCycle's answers by value (frozen): a cycle is read again each time its timer is scheduled. */
const parsedCycles = new Map<string, Cycle | string>();

/** A repeating interval, or null when it is not one or its period is not longer than zero. */
export function parseCycle(value: string): Cycle | null {
  const cycle = cycleOrProblem(value);
  return typeof cycle === 'string' ? null : cycle;
}

/** Why a value is not a repeating interval a timer can run (a message), or the cycle. Memoized. */
function cycleOrProblem(value: string): Cycle | string {
  let cycle = parsedCycles.get(value);
  if (cycle === undefined) {
    cycle = parseCycleUncached(value);
    if (typeof cycle !== 'string') Object.freeze(cycle);
    if (parsedCycles.size >= MAX_PARSED_DATES) parsedCycles.clear();
    parsedCycles.set(value, cycle);
  }
  return cycle;
}

function parseCycleUncached(value: string): Cycle | string {
  const invalid = `"${value}" is not an ISO 8601 repeating interval such as R3/PT1H`;
  const parts = value.split('/');
  const rep = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!rep || parts.length < 2) return invalid;
  const repetitions = rep[1] === '' ? -1 : Number(rep[1]);
  // R0 would fire at its first occurrence and then count on from -1, unbounded.
  if (repetitions === 0) return `"${value}" repeats no times: write R1 or more, or R for unbounded`;
  const duration = parts[parts.length - 1]!;
  const sign = durationSign(duration);
  if (sign === null) return invalid;
  // A period of zero or less (R/PT0S, R/-PT1H) never moves the timer on: it would fire without end.
  if (sign <= 0) return `"${value}" repeats every ${duration}: a cycle's period must be longer than zero`;
  let periodMs: number;
  try {
    periodMs = addDuration(0, duration);
  } catch {
    return `"${value}" repeats every ${duration}, longer than the range of dates`;
  }
  if (periodMs <= 0)
    return `"${value}" repeats every ${duration}: a cycle's period must be at least a millisecond`;
  let start: number | null = null;
  if (parts.length > 2) {
    // The start may name a zone, itself with slashes: R/2026-01-05T09:00:00@Asia/Shanghai/P1D.
    start = parseDate(parts.slice(1, -1).join('/'));
    if (start === null) return invalid;
  }
  return { repetitions, start, duration };
}

/**
 * Past occurrences of a calendar period (P1M, P1Y) stepped over one by one (Temporal, ≈ 0.1 ms
 * each) to find the first one to come; beyond that (a start more than 1,000 periods ago: 83 years
 * of months) the cycle runs from now.
 */
const MAX_PAST_OCCURRENCES = 1_000;

/**
 * A cycle's first occurrence after `now` and the repetitions left from it (-1: unbounded), or
 * null when all of them are past. A cycle with a start keeps to its start's phase: its start when
 * that is still to come, else the start stepped forward by the period past `now`, each occurrence
 * already past using up a repetition (R/2026-01-05T01:00:00Z/P1D entered at 06:37 fires next day
 * at 01:00). Without a start, one period from now. Throws a RangeError past the range of dates.
 */
export function firstOccurrence(cycle: Cycle, now: number): { dueAt: number; repetitions: number } | null {
  const { start, repetitions, duration } = cycle;
  if (start === null) return { dueAt: addDuration(now, duration), repetitions };
  if (start > now) return { dueAt: start, repetitions };
  const step = fixedMs(duration);
  let used: number;
  let at: number;
  if (step !== null) {
    // The period is at least a millisecond (parseCycle), so this is arithmetic, not a loop.
    used = Math.floor((now - start) / step) + 1;
    at = start + used * step;
    if (Math.abs(at) > LAST_INSTANT_MS) throw new RangeError(`${duration} after ${now} is out of range`);
  } else {
    const limit = repetitions < 0 ? MAX_PAST_OCCURRENCES : Math.min(repetitions, MAX_PAST_OCCURRENCES);
    used = 0;
    at = start;
    while (at <= now && used < limit) {
      at = addDuration(at, duration);
      used++;
    }
    if (at <= now) {
      if (repetitions >= 0 && used >= repetitions) return null;
      return { dueAt: addDuration(now, duration), repetitions };
    }
  }
  if (repetitions < 0) return { dueAt: at, repetitions };
  return used >= repetitions ? null : { dueAt: at, repetitions: repetitions - used };
}

/**
 * After the `fired`-th firing of a cycle (counted from its first scheduled occurrence), due at
 * `at`: when it is due next, or null when it is done. A cycle with a start counts its
 * repetitions from the start, as firstOccurrence does.
 */
export function occurrenceAfter(cycle: Cycle, at: number, fired: number): number | null {
  if (cycle.start !== null) return firstOccurrence(cycle, at)?.dueAt ?? null;
  if (cycle.repetitions >= 0 && fired >= cycle.repetitions) return null;
  return addDuration(at, cycle.duration);
}

/** Why a timer duration cannot run (a message), or null. */
export function durationProblem(value: string): string | null {
  const sign = durationSign(value);
  if (sign === null) return `"${value}" is not an ISO 8601 duration`;
  return sign < 0 ? `"${value}" is a negative duration` : null;
}

/** Checks a literal timer value of the given kind; returns an error message or null. */
export function timerValueProblem(kind: 'date' | 'duration' | 'cycle', value: string): string | null {
  if (kind === 'date') return parseDate(value) === null ? `"${value}" is not an ISO 8601 date-time` : null;
  if (kind === 'duration') return durationProblem(value);
  const cycle = cycleOrProblem(value);
  return typeof cycle === 'string' ? cycle : null;
}
