/**
 * Working days per region. Regions form chains (a city inherits its province, the province the
 * nation); a date listed in a more specific file wins over the same date inherited, and a date
 * listed nowhere is a working day unless it falls on the weekend.
 *
 * Counting convention (Civil Code art. 201, applied to working days): the day a period starts
 * does not count; counting begins with the next day and the period ends at 24:00 CST of its
 * last day. So N working days from any time of day T end at the end of the N-th working day
 * after T's date — a task created Friday 15:00 with 1 working day is due by Monday 24:00.
 */
import { dayOf, isoWeekday, parseDay, startOfDay, type Day } from './cst.js';
import { CalendarDataError, type CalendarFile } from './data.js';

/** An instant (epoch ms or Date) or a CST date 'YYYY-MM-DD'. */
export type DateInput = number | Date | string;

interface Region {
  weekend: ReadonlySet<number>;
  /** Dates listed in the chain: true = working (调休), false = day off. */
  listed: ReadonlyMap<Day, boolean>;
  /** Years some file in the chain publishes; other years fall back to weekends only. */
  years: ReadonlySet<number>;
}

export class WorkingCalendar {
  private readonly regions = new Map<string, Region>();

  constructor(
    files: readonly CalendarFile[],
    readonly defaultRegion = 'CN',
  ) {
    const byId = new Map(files.map((f) => [f.region, f]));
    const problems: string[] = [];
    for (const file of files) this.resolve(file, byId, [], problems);
    if (!this.regions.has(defaultRegion))
      problems.push(`no calendar file for the default region "${defaultRegion}"`);
    if (problems.length > 0) throw new CalendarDataError([...new Set(problems)]);
  }

  regionIds(): string[] {
    return [...this.regions.keys()].sort();
  }

  hasRegion(region: string): boolean {
    return this.regions.has(region);
  }

  /** Whether the calendar has published data for a year (else only weekends are known). */
  covers(year: number, region?: string): boolean {
    return this.region(region).years.has(year);
  }

  // ---- day level (CST dates as day numbers), used by the time-limit clock ----

  isWorking(day: Day, region?: string): boolean {
    const r = this.region(region);
    return r.listed.get(day) ?? !r.weekend.has(isoWeekday(day));
  }

  /** The n-th working day after `day` (n ≥ 0; n = 0 is `day` itself). */
  nthWorkingDayAfter(day: Day, n: number, region?: string): Day {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
    let d = day;
    for (let left = n; left > 0;) if (this.isWorking(++d, region)) left--;
    return d;
  }

  /** Working days in (from, to]: after `from`, up to and including `to`; negative when to < from. */
  countWorkingDays(from: Day, to: Day, region?: string): number {
    // 0 - n rather than -n, so an empty span is 0 and never -0.
    if (to < from) return 0 - this.countWorkingDays(to, from, region);
    let n = 0;
    for (let d = from + 1; d <= to; d++) if (this.isWorking(d, region)) n++;
    return n;
  }

  // ---- instant level: the public API ----

  isWorkingDay(date: DateInput, region?: string): boolean {
    return this.isWorking(toDay(date), region);
  }

  /**
   * The deadline `n` working days after `instant`: 24:00 CST (exclusive) of the n-th working day
   * after the instant's date. n = 0 (instant items, 即办件) ends with the start day itself.
   */
  addWorkingDays(instant: DateInput, n: number, region?: string): number {
    return startOfDay(this.nthWorkingDayAfter(toDay(instant), n, region) + 1);
  }

  /**
   * Working days after a's date up to and including b's date (negative when b is earlier).
   * For any start s: workingDaysBetween(s, addWorkingDays(s, n) - 1) === n.
   */
  workingDaysBetween(a: DateInput, b: DateInput, region?: string): number {
    return this.countWorkingDays(toDay(a), toDay(b), region);
  }

  private region(id: string | undefined): Region {
    const r = this.regions.get(id ?? this.defaultRegion);
    if (!r)
      throw new RangeError(
        `no working-day calendar for region "${id}" (known: ${this.regionIds().join(', ')})`,
      );
    return r;
  }

  private resolve(
    file: CalendarFile,
    byId: Map<string, CalendarFile>,
    seen: string[],
    problems: string[],
  ): Region | undefined {
    const done = this.regions.get(file.region);
    if (done) return done;
    if (seen.includes(file.region)) {
      problems.push(`region inheritance cycle: ${[...seen, file.region].join(' → ')}`);
      return undefined;
    }
    let parent: Region | undefined;
    if (file.inherits !== undefined) {
      const parentFile = byId.get(file.inherits);
      if (!parentFile) {
        problems.push(`${file.region}: inherits unknown region "${file.inherits}"`);
        return undefined;
      }
      parent = this.resolve(parentFile, byId, [...seen, file.region], problems);
      if (!parent) return undefined;
    }
    const weekend = file.weekend ? new Set(file.weekend) : (parent?.weekend ?? new Set([6, 7]));
    const listed = new Map(parent?.listed);
    const years = new Set(parent?.years);
    const own = new Map<Day, boolean>();
    for (const [year, arrangement] of Object.entries(file.years)) {
      years.add(Number(year));
      for (const h of arrangement.holidays ?? []) {
        for (let d = parseDay(h.from)!; d <= parseDay(h.to)!; d++) own.set(d, false);
      }
      for (const w of arrangement.workdays ?? []) {
        const d = parseDay(w.date)!;
        if (own.get(d) === false)
          problems.push(`${file.region}: ${w.date} is listed both as a holiday and as a workday`);
        // An adjusted workday on a weekday changes nothing, so it is almost certainly a typo.
        if (!weekend.has(isoWeekday(d)))
          problems.push(`${file.region}: workday ${w.date} is not a weekend day`);
        own.set(d, true);
      }
    }
    for (const [d, working] of own) listed.set(d, working);
    const region: Region = { weekend, listed, years };
    this.regions.set(file.region, region);
    return region;
  }
}

/** The CST day of an instant, a Date or a 'YYYY-MM-DD' string. */
export function toDay(date: DateInput): Day {
  if (typeof date === 'string') {
    const d = parseDay(date);
    if (d === null) throw new RangeError(`"${date}" is not a date YYYY-MM-DD`);
    return d;
  }
  const ms = typeof date === 'number' ? date : date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${String(date)}`);
  return dayOf(ms);
}
