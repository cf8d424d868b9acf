/** TimeLimits on the working-day calendar and the time-limit clock of jobs/. */
import { defaultCalendar, type WorkingCalendar } from '../jobs/calendar/index.js';
import { DEFAULT_THRESHOLDS, timeLimitState, type TimeLimitThresholds } from '../jobs/time-limits.js';
import type { TimeLimits } from './clock.js';

export function workingTimeLimits(
  calendar: WorkingCalendar = defaultCalendar(),
  thresholds: TimeLimitThresholds = DEFAULT_THRESHOLDS,
): TimeLimits {
  // Administrative-division codes map onto calendar regions only where the deployment defines them.
  const regionOf = (region?: string) => (region && calendar.hasRegion(region) ? region : undefined);
  return {
    state(clock, now) {
      const region = regionOf(clock.region);
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
      return { deadline: s.deadline, remainingWorkingDays: s.remainingWorkingDays, status: s.status };
    },
    addWorkingDays(from, n, region) {
      return calendar.addWorkingDays(from, n, regionOf(region));
    },
  };
}
