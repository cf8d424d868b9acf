/**
 * The calendar file format (one JSON file per region, see data/README.md) and its validation.
 * A bad file must stop start-up with every problem listed: a silently wrong calendar would put
 * wrong deadlines on every case.
 */
import { parseDay } from './cst.js';

export interface HolidayRange {
  name?: string;
  /** First day off, 'YYYY-MM-DD' (CST). */
  from: string;
  /** Last day off, inclusive. */
  to: string;
}

export interface AdjustedWorkday {
  /** A weekend day that is a working day (调休), 'YYYY-MM-DD'. */
  date: string;
  name?: string;
}

export interface YearArrangement {
  /** Where the dates come from (notice title, reference, date); kept for people, not read. */
  source?: unknown;
  note?: string;
  holidays?: HolidayRange[];
  workdays?: AdjustedWorkday[];
}

export interface CalendarFile {
  /** Region id; must equal the file name without `.json`. */
  region: string;
  /** Region whose days this one starts from (e.g. "CN"); local entries win over inherited ones. */
  inherits?: string;
  name?: string;
  /** ISO weekdays that are days off unless listed as workdays (1 = Monday … 7 = Sunday). Inherited when absent. */
  weekend?: number[];
  /** Arrangements per year, keyed by the year of the notice ("2026"). */
  years: Record<string, YearArrangement>;
}

export class CalendarDataError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid working-day calendar data:\n  ${problems.join('\n  ')}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape of one parsed file; returns the problems, each prefixed with `origin`. */
export function calendarFileProblems(json: unknown, origin: string): string[] {
  const problems: string[] = [];
  const bad = (where: string, msg: string) => problems.push(`${origin}${where}: ${msg}`);
  if (!isObject(json)) return [`${origin}: not a JSON object`];
  if (typeof json.region !== 'string' || json.region === '') bad('', '"region" must be a non-empty string');
  if (json.inherits !== undefined && typeof json.inherits !== 'string')
    bad('', '"inherits" must be a region id');
  const weekend = json.weekend;
  if (weekend !== undefined) {
    const ok = Array.isArray(weekend) && weekend.every((d) => Number.isInteger(d) && d >= 1 && d <= 7);
    if (!ok) bad('.weekend', 'must be a list of ISO weekdays 1 (Monday) … 7 (Sunday)');
    // Counting forward must always reach a working day.
    else if (new Set(weekend).size >= 7) bad('.weekend', 'leaves no working weekday');
  }
  if (!isObject(json.years)) {
    bad('', '"years" must be an object keyed by year');
    return problems;
  }
  for (const [year, arrangement] of Object.entries(json.years)) {
    const at = `.years.${year}`;
    if (!/^\d{4}$/.test(year)) bad(at, 'year keys are four digits');
    if (!isObject(arrangement)) {
      bad(at, 'must be an object');
      continue;
    }
    const holidays = arrangement.holidays ?? [];
    const workdays = arrangement.workdays ?? [];
    if (!Array.isArray(holidays)) bad(`${at}.holidays`, 'must be a list');
    else
      holidays.forEach((h: unknown, i) => {
        const from = isObject(h) && typeof h.from === 'string' ? parseDay(h.from) : null;
        const to = isObject(h) && typeof h.to === 'string' ? parseDay(h.to) : null;
        if (from === null || to === null)
          bad(`${at}.holidays[${i}]`, '"from" and "to" must be dates YYYY-MM-DD');
        else if (to < from)
          bad(`${at}.holidays[${i}]`, `"to" ${String(h && (h as HolidayRange).to)} is before "from"`);
        else if (to - from > 31)
          bad(`${at}.holidays[${i}]`, 'a holiday longer than a month is surely a typo');
      });
    if (!Array.isArray(workdays)) bad(`${at}.workdays`, 'must be a list');
    else
      workdays.forEach((w: unknown, i) => {
        if (!isObject(w) || typeof w.date !== 'string' || parseDay(w.date) === null)
          bad(`${at}.workdays[${i}]`, '"date" must be a date YYYY-MM-DD');
      });
  }
  return problems;
}

/** Validates and returns a parsed file, or throws CalendarDataError listing every problem. */
export function parseCalendarFile(json: unknown, origin: string): CalendarFile {
  const problems = calendarFileProblems(json, origin);
  if (problems.length > 0) throw new CalendarDataError(problems);
  return json as CalendarFile;
}
