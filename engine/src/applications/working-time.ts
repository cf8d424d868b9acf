/**
 * TimeLimits on the working-day calendar: a limit counts working days from its start, every
 * pause (supplement, special step) moves the deadline by the working days it lasted, and while a
 * pause is open the clock stands still.
 */
import { defaultCalendar, type WorkingCalendar } from '../jobs/calendar/index.js';
import type { TimeLimitStatus, TimeLimits } from './clock.js';
import type { Pause } from './types.js';

export interface Thresholds {
  /** Yellow when this many working days or fewer are left. */
  yellowDays: number;
}

export function workingTimeLimits(calendar: WorkingCalendar = defaultCalendar(), thresholds: Thresholds = { yellowDays: 1 }): TimeLimits {
  // Administrative-division codes map onto calendar regions only where the deployment defines them.
  const regionOf = (region?: string) => (region && calendar.hasRegion(region) ? region : undefined);
  const paused = (pauses: readonly Pause[], region?: string) =>
    pauses.reduce((sum, p) => sum + (p.to === undefined ? 0 : Math.max(0, calendar.workingDaysBetween(p.from, p.to, region))), 0);
  const remaining = (deadline: number, now: number, pauses: readonly Pause[], region?: string) => {
    const open = pauses.find((p) => p.to === undefined);
    return calendar.workingDaysBetween(open ? Math.min(open.from, now) : now, deadline, regionOf(region));
  };
  return {
    deadline(start, workingDays, pauses, region) {
      const r = regionOf(region);
      return calendar.addWorkingDays(start, workingDays + paused(pauses, r), r);
    },
    remainingWorkingDays: remaining,
    status(deadline, now, pauses, region): TimeLimitStatus {
      const open = pauses.find((p) => p.to === undefined);
      const at = open ? Math.min(open.from, now) : now;
      if (at > deadline) return 'red';
      return remaining(deadline, now, pauses, region) <= thresholds.yellowDays ? 'yellow' : 'normal';
    },
    addWorkingDays(from, n, region) {
      return calendar.addWorkingDays(from, n, regionOf(region));
    },
  };
}
