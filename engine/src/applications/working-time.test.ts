/** The remembered limit states are the ones the calendar gives, whatever the order of the questions. */
import { defaultCalendar } from '../jobs/calendar/index.js';
import { DEFAULT_THRESHOLDS, timeLimitState } from '../jobs/time-limits.js';
import type { Pause } from './types.js';
import { workingTimeLimits } from './working-time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('workingTimeLimits', () => {
  it('answers as the calendar does across day boundaries, deadlines and pauses, asked in any order', () => {
    const limits = workingTimeLimits();
    const start = Date.UTC(2026, 2, 2, 1, 30); // a Monday morning in CST
    const pausesOf: Pause[][] = [
      [],
      [{ from: start + 2 * DAY, to: start + 5 * DAY, reason: 'supplement' }],
      [{ from: start + 3 * DAY, reason: 'special-step' }],
      // A pause that begins or ends after `now` for some of the questions below.
      [{ from: start + 9 * DAY + 5 * HOUR, to: start + 11 * DAY, reason: 'supplement' }],
    ];
    const nows = [0, 3, 14, 23, 25, 24 * 6 + 22, 24 * 9 + 1, 24 * 9 + 7, 24 * 30].map(
      (h) => start + h * HOUR,
    );
    for (let round = 0; round < 2; round++) {
      for (const pauses of pausesOf) {
        for (const limitDays of [0, 1, 5, 20]) {
          for (const now of round ? [...nows].reverse() : nows) {
            const want = timeLimitState(
              { start, limitDays, pauses },
              now,
              defaultCalendar(),
              DEFAULT_THRESHOLDS,
            );
            expect(limits.state({ start, limitDays, pauses }, now)).toEqual({
              deadline: want.deadline,
              remainingWorkingDays: want.remainingWorkingDays,
              status: want.status,
            });
          }
        }
      }
    }
  });

  it('a caller changing the answer does not change the next one', () => {
    const limits = workingTimeLimits();
    const clock = { start: Date.UTC(2026, 2, 2), limitDays: 5, pauses: [] };
    const first = limits.state(clock, clock.start + HOUR);
    first.status = 'red';
    expect(limits.state(clock, clock.start + 2 * HOUR).status).toBe('normal');
  });

  it('an invalid limit still throws', () => {
    expect(() => workingTimeLimits().state({ start: 0, limitDays: -1, pauses: [] }, 0)).toThrow(RangeError);
  });
});
