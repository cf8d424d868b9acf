/**
 * Working-day calendar: weekends, public holidays and adjusted working days (调休) per year and
 * region, in China Standard Time. Pass a WorkingCalendar around where you can; the functions
 * below use one loaded on first use from the shipped data and ONETHING_CALENDAR_DIR.
 */
import { WorkingCalendar, type DateInput } from './calendar.js';
import { loadCalendar } from './load.js';

export { WorkingCalendar, toDay, type DateInput } from './calendar.js';
export { CalendarDataError, parseCalendarFile, type CalendarFile, type YearArrangement } from './data.js';
export {
  BUILTIN_CALENDAR_DIR,
  CALENDAR_DIR_ENV,
  calendarDirs,
  loadCalendar,
  readCalendarFiles,
} from './load.js';
export {
  CST_OFFSET_MS,
  DAY_MS,
  dayOf,
  formatDay,
  isoWeekday,
  parseDay,
  startOfDay,
  yearOf,
  type Day,
} from './cst.js';

let shared: WorkingCalendar | undefined;

/** The process-wide calendar, loaded once (start-up fails loudly if the data is invalid). */
export function defaultCalendar(): WorkingCalendar {
  return (shared ??= loadCalendar());
}

export function isWorkingDay(date: DateInput, region?: string): boolean {
  return defaultCalendar().isWorkingDay(date, region);
}

export function addWorkingDays(instant: DateInput, n: number, region?: string): number {
  return defaultCalendar().addWorkingDays(instant, n, region);
}

export function workingDaysBetween(a: DateInput, b: DateInput, region?: string): number {
  return defaultCalendar().workingDaysBetween(a, b, region);
}
