/** The remembered limit states are the ones the calendar gives, whatever the order of the questions. */
import { MemoryDocStore } from '../domain/docs.js';
import {
  BUILTIN_CALENDAR_DIR,
  defaultCalendar,
  parseCalendarFile,
  readCalendarFiles,
  WorkingCalendar,
} from '../jobs/calendar/index.js';
import { AppointmentBook, loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../network/index.js';
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
              nextChangeAt: want.nextChangeAt,
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

  it('counts a city’s (or province’s) local days off for cases of its districts, towns and villages, as the appointment book does', async () => {
    const national = readCalendarFiles([BUILTIN_CALENDAR_DIR]);
    // A local day off on Wednesday 2026-11-25, declared for the whole city (or province).
    const local = (region: string) =>
      parseCalendarFile(
        {
          region,
          inherits: 'CN',
          years: { '2026': { holidays: [{ name: 'local', from: '2026-11-25', to: '2026-11-25' }] } },
        },
        `${region}.json`,
      );
    const now = Date.UTC(2026, 10, 23, 2); // Monday 2026-11-23 10:00 CST
    const cstDay = (t: number) => new Date(t + 8 * HOUR).toISOString().slice(0, 10);
    for (const region of ['440400', '440000']) {
      const calendar = new WorkingCalendar([...national, local(region)]);
      const limits = workingTimeLimits(calendar);
      for (const caseRegion of ['440402', '440402001', '440402001001', '440400']) {
        const s = limits.state({ start: now, limitDays: 3, pauses: [], region: caseRegion }, now);
        // Tue, (Wed off), Thu, Fri: due at the end of Friday
        expect([caseRegion, cstDay(s.deadline - 1)]).toEqual([caseRegion, '2026-11-27']);
        expect(cstDay(limits.addWorkingDays(now, 2, caseRegion) - 1)).toBe('2026-11-26');
      }
      // another province's cases keep the national days
      expect(cstDay(limits.addWorkingDays(now, 2, '110101') - 1)).toBe('2026-11-25');
      const book = new AppointmentBook({
        docs: new MemoryDocStore(),
        network: loadNetworkFile(ZHUHAI_NETWORK_FILE),
        calendar,
        clock: () => now,
      });
      const query = { venue: 'xiangzhou-centre', windowType: 'comprehensive' };
      expect(await book.listSlots({ ...query, date: '2026-11-25' })).toEqual([]);
      expect((await book.listSlots({ ...query, date: '2026-11-26' })).length).toBeGreaterThan(0);
    }
  });
});
