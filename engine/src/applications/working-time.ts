/** TimeLimits on the working-day calendar and the time-limit clock of jobs/. */
import { defaultCalendar, type WorkingCalendar } from '../jobs/calendar/index.js';
import { dayOf } from '../jobs/calendar/cst.js';
import { DEFAULT_THRESHOLDS, timeLimitState, type TimeLimitThresholds } from '../jobs/time-limits.js';
import { calendarRegionOf } from '../network/calendar-region.js';
import type { LimitClock, LimitState, TimeLimits } from './clock.js';

/** Limit states remembered (see workingTimeLimits); cleared when full. */
const REMEMBERED_STATES = 10_000;

export function workingTimeLimits(
  calendar: WorkingCalendar = defaultCalendar(),
  thresholds: TimeLimitThresholds = DEFAULT_THRESHOLDS,
): TimeLimits {
  // A case's region (a district, town…) counts the days of the nearest enclosing region the
  // deployment has a calendar for (a city's local days off), as the appointment book does.
  const regionOf = (region?: string) => calendarRegionOf(calendar, region);
  const compute = (clock: LimitClock, region: string | undefined, now: number): LimitState => {
    const s = timeLimitState(
      {
        start: clock.start,
        limitDays: clock.limitDays,
        pauses: clock.pauses,
        ...(region ? { region } : {}),
      },
      now,
      calendar,
      thresholds,
    );
    return {
      deadline: s.deadline,
      remainingWorkingDays: s.remainingWorkingDays,
      status: s.status,
      nextChangeAt: s.nextChangeAt,
    };
  };
  /**
   * A state walks the working-day calendar (~27 us), and a decision asks for one per item several
   * times. When every pause began and ended by `now` (or is open), the state depends on `now` only
   * through its CST day (the deadline is a day's start, days remaining count whole days), so it
   * is remembered by clock and day.
   */
  const remembered = new Map<string, LimitState>();
  return {
    state(clock, now) {
      const region = regionOf(clock.region);
      const at = Math.max(now, clock.start);
      if (!clock.pauses.every((p) => p.from <= at && (p.to == null || p.to <= at)))
        return compute(clock, region, now);
      const pauses = clock.pauses.map((p) => `${p.from}-${p.to ?? ''}`).join(',');
      const key = `${clock.start}|${clock.limitDays}|${region ?? ''}|${dayOf(at)}|${pauses}`;
      let state = remembered.get(key);
      if (!state) {
        if (remembered.size >= REMEMBERED_STATES) remembered.clear();
        remembered.set(key, (state = compute(clock, region, now)));
      }
      return { ...state };
    },
    addWorkingDays(from, n, region) {
      return calendar.addWorkingDays(from, n, regionOf(region));
    },
  };
}
