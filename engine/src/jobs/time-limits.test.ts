import { BUILTIN_CALENDAR_DIR, dayOf, formatDay, loadCalendar } from './calendar/index.js';
import {
  checkTimeLimit,
  timeLimitEvent,
  timeLimitState,
  type Pause,
  type TimeLimitClock,
  type TimeLimitEvent,
  type TimeLimitThresholds,
  type TimeStatus,
} from './time-limits.js';

const cal = loadCalendar({ dirs: [BUILTIN_CALENDAR_DIR] });
const cst = (local: string) => Date.parse(`${local}+08:00`);
const HOUR = 3600_000;

describe('deadline and remaining days', () => {
  it('gives a 3-day task created the Friday before Spring Festival 2026 the Wednesday after it', () => {
    // Sat Feb 14 (调休) = 1, Feb 15–23 off, Tue Feb 24 = 2, Wed Feb 25 = 3.
    const clock = { start: cst('2026-02-13T15:00'), limitDays: 3 };
    const s = timeLimitState(clock, clock.start, cal);
    expect(s.lastDay).toBe('2026-02-25');
    expect(s.deadline).toBe(cst('2026-02-26T00:00'));
    expect(s).toMatchObject({ remainingWorkingDays: 3, status: 'normal', paused: false, provisional: false });
    expect(timeLimitState(clock, cst('2026-02-20T12:00'), cal).remainingWorkingDays).toBe(2);
    expect(timeLimitState(clock, cst('2026-02-25T17:00'), cal)).toMatchObject({
      remainingWorkingDays: 0,
      status: 'yellow',
    });
  });

  it('turns red at 24:00 of the last day, with remaining days negative only once a working day has passed', () => {
    const clock = { start: cst('2025-03-05T10:00'), limitDays: 2 }; // Wed → last day Fri Mar 7
    expect(timeLimitState(clock, cst('2025-03-07T23:59'), cal).status).toBe('yellow');
    expect(timeLimitState(clock, cst('2025-03-08T00:00'), cal)).toMatchObject({
      status: 'red',
      remainingWorkingDays: 0,
    });
    expect(timeLimitState(clock, cst('2025-03-10T09:00'), cal)).toMatchObject({
      status: 'red',
      remainingWorkingDays: -1,
    });
  });

  it('makes an instant item (0 days) yellow at once and red the next day', () => {
    const clock = { start: cst('2025-03-05T10:00'), limitDays: 0 };
    expect(timeLimitState(clock, clock.start, cal)).toMatchObject({
      status: 'yellow',
      lastDay: '2025-03-05',
    });
    expect(timeLimitState(clock, cst('2025-03-06T00:00'), cal).status).toBe('red');
  });

  it('uses configurable thresholds: a share of the limit as well as a number of days', () => {
    const clock = { start: cst('2025-03-03T09:00'), limitDays: 20 };
    const at = (local: string, t: TimeLimitThresholds = { yellowDays: 1, yellowShare: 0.2 }) =>
      timeLimitState(clock, cst(local), cal, t);
    const last = timeLimitState(clock, clock.start, cal).lastDay;
    expect(last).toBe('2025-03-31');
    expect(at('2025-03-24T09:00').status).toBe('normal'); // 5 left
    expect(at('2025-03-25T09:00').status).toBe('yellow'); // 4 left = 20%
    expect(at('2025-03-25T09:00', { yellowDays: 1 }).status).toBe('normal');
    expect(() => at('2025-03-25T09:00', { yellowDays: -1 })).toThrow(RangeError);
    expect(() => timeLimitState({ ...clock, limitDays: 2.5 }, clock.start, cal)).toThrow(RangeError);
  });

  it('marks a deadline in a year without calendar data as provisional', () => {
    expect(
      timeLimitState({ start: cst('2026-12-10T09:00'), limitDays: 20 }, cst('2026-12-10T09:00'), cal)
        .provisional,
    ).toBe(true);
    expect(
      timeLimitState({ start: cst('2026-11-10T09:00'), limitDays: 20 }, cst('2026-11-10T09:00'), cal)
        .provisional,
    ).toBe(false);
  });
});

describe('pauses', () => {
  const start = cst('2025-03-03T09:00'); // Monday; 5 days → last day Mon Mar 10
  const lastDay = (pauses: Pause[], now = cst('2025-04-30T12:00')) =>
    timeLimitState({ start, limitDays: 5, pauses }, now, cal).lastDay;

  it('gives back the working days after the pause began up to the day it ended', () => {
    expect(lastDay([])).toBe('2025-03-10');
    expect(lastDay([{ from: cst('2025-03-04T10:00'), to: cst('2025-03-06T10:00') }])).toBe('2025-03-12');
    expect(lastDay([{ from: cst('2025-03-04T10:00'), to: cst('2025-03-04T16:00') }])).toBe('2025-03-10');
    // Friday → Monday gives back only Monday: the weekend was not working time anyway.
    expect(lastDay([{ from: cst('2025-03-07T16:00'), to: cst('2025-03-10T10:00') }])).toBe('2025-03-11');
  });

  it('does not give back a day twice when a supplement falls inside a special step', () => {
    const step = { from: cst('2025-03-03T10:00'), to: cst('2025-03-07T10:00'), reason: 'specialStep' }; // Tue–Fri = 4
    const supplement = { from: cst('2025-03-05T09:00'), to: cst('2025-03-06T09:00'), reason: 'supplement' };
    expect(lastDay([step])).toBe('2025-03-14');
    expect(lastDay([supplement, step])).toBe('2025-03-14');
    const state = timeLimitState(
      { start, limitDays: 5, pauses: [step, supplement] },
      cst('2025-03-10T09:00'),
      cal,
    );
    expect(state.pausedWorkingDays).toBe(4);
    // Two pauses one after the other add up.
    expect(
      lastDay([
        { from: cst('2025-03-03T10:00'), to: cst('2025-03-04T10:00') },
        { from: cst('2025-03-05T10:00'), to: cst('2025-03-06T10:00') },
      ]),
    ).toBe('2025-03-12');
  });

  it('freezes remaining days and status while a pause goes on, even past the original deadline', () => {
    const from = cst('2025-03-05T10:00'); // 3 working days left then (Mar 6, 7, 10)
    const clock = { start, limitDays: 5, pauses: [{ from, reason: 'supplement' }] };
    const during = timeLimitState(clock, cst('2025-03-20T10:00'), cal);
    expect(during).toMatchObject({
      paused: true,
      status: 'normal',
      remainingWorkingDays: 3,
      nextChangeAt: null,
    });
    const resumed = timeLimitState(
      { ...clock, pauses: [{ from, to: cst('2025-03-20T10:00') }] },
      cst('2025-03-20T10:00'),
      cal,
    );
    // Mar 6, 7, 10–14 and 17–20 given back: 11 days; last day Tue Mar 25.
    expect(resumed).toMatchObject({
      paused: false,
      status: 'normal',
      remainingWorkingDays: 3,
      pausedWorkingDays: 11,
      lastDay: '2025-03-25',
    });
  });

  it('keeps an overdue clock overdue by the same amount across a pause', () => {
    const overdue = cst('2025-03-12T10:00'); // two working days past Mar 10
    expect(timeLimitState({ start, limitDays: 5 }, overdue, cal).remainingWorkingDays).toBe(-2);
    const later = timeLimitState(
      { start, limitDays: 5, pauses: [{ from: overdue, to: cst('2025-03-17T10:00') }] },
      cst('2025-03-17T11:00'),
      cal,
    );
    expect(later).toMatchObject({ status: 'red', remainingWorkingDays: -2 });
  });

  it('ignores pauses before the start and after now', () => {
    expect(lastDay([{ from: cst('2025-02-01T10:00'), to: cst('2025-03-03T08:00') }])).toBe('2025-03-10');
    expect(
      lastDay([{ from: cst('2025-03-05T10:00'), to: cst('2025-03-07T10:00') }], cst('2025-03-04T10:00')),
    ).toBe('2025-03-10');
  });
});

describe('yellow and red events', () => {
  it('emits yellow and red once each over a fake-clock run with a supplement pause across National Day 2025', () => {
    // 3 working days from Friday Sep 26, 16:00: Sun Sep 28 (调休), Mon 29, Tue 30. The clock stops for a supplement
    // from Sunday 10:00 to Tuesday 10:00 (gives back Mon 29 and Tue 30), so the last day moves past the holiday
    // to Fri Oct 10 (Oct 9 = 4, Oct 10 = 5); red at 24:00 that day, when Saturday Oct 11 (调休) begins.
    const start = cst('2025-09-26T16:00');
    const pauseFrom = cst('2025-09-28T10:00');
    const pauseTo = cst('2025-09-30T10:00');
    const pausesAt = (now: number): Pause[] =>
      now < pauseFrom ? [] : [{ from: pauseFrom, to: now < pauseTo ? null : pauseTo, reason: 'supplement' }];

    let stored: TimeStatus | undefined;
    const events: TimeLimitEvent[] = [];
    const statuses = new Map<string, Set<TimeStatus>>();
    let predicted: number | null = null;
    for (let now = start; now <= cst('2025-10-15T00:00'); now += HOUR / 2) {
      const clock: TimeLimitClock = { start, limitDays: 3, pauses: pausesAt(now) };
      const { state, event } = checkTimeLimit(clock, stored, now, cal);
      if (event) {
        events.push(event);
        expect(now).toBe(predicted); // nextChangeAt said when to look again
      }
      // Re-running the same check after saving its status emits nothing.
      expect(checkTimeLimit(clock, state.status, now, cal).event).toBeNull();
      stored = state.status;
      if (!state.paused) predicted = state.nextChangeAt;
      const day = formatDay(dayOf(now));
      statuses.set(day, (statuses.get(day) ?? new Set()).add(state.status));
    }
    expect(events.map((e) => [e.type, new Date(e.at).toISOString()])).toEqual([
      ['timeLimit.yellow', new Date(cst('2025-10-09T00:00')).toISOString()],
      ['timeLimit.red', new Date(cst('2025-10-11T00:00')).toISOString()],
    ]);
    // Saturday Oct 11 is a working day (调休), so red starts one working day over.
    expect(events[1]).toMatchObject({ deadline: cst('2025-10-11T00:00'), remainingWorkingDays: -1 });
    expect([...statuses.get('2025-09-29')!]).toEqual(['normal']); // paused on what would have been a yellow day
    expect([...statuses.get('2025-10-01')!]).toEqual(['normal']); // and past the original deadline
  });

  it('without the pause the same task is yellow on Monday and red when National Day begins', () => {
    const start = cst('2025-09-26T16:00');
    const s = timeLimitState({ start, limitDays: 3 }, start, cal);
    expect(s.nextChangeAt).toBe(cst('2025-09-29T00:00'));
    expect(s.deadline).toBe(cst('2025-10-01T00:00'));
  });

  it('emits only red when a check comes after the whole yellow period, and nothing when it gets better', () => {
    const clock = { start: cst('2025-03-03T09:00'), limitDays: 2 };
    const late = timeLimitState(clock, cst('2025-03-10T09:00'), cal);
    expect(timeLimitEvent('normal', late, 0)?.type).toBe('timeLimit.red');
    expect(timeLimitEvent(undefined, late, 0)?.type).toBe('timeLimit.red');
    expect(timeLimitEvent('red', late, 0)).toBeNull();
    // The limit is extended (e.g. +10 days with approval): back to normal silently, and a new crossing emits again.
    const extended = { ...clock, limitDays: 12 };
    expect(timeLimitEvent('red', timeLimitState(extended, cst('2025-03-10T09:00'), cal), 0)).toBeNull();
    const yellowAgain = timeLimitState(extended, cst('2025-03-18T09:00'), cal);
    expect(yellowAgain.status).toBe('yellow');
    expect(timeLimitEvent('normal', yellowAgain, 0)?.type).toBe('timeLimit.yellow');
  });

  it('says when to look next: yellow start, then the deadline, then never', () => {
    const clock = { start: cst('2025-03-03T09:00'), limitDays: 5 };
    expect(timeLimitState(clock, clock.start, cal).nextChangeAt).toBe(cst('2025-03-07T00:00'));
    expect(timeLimitState(clock, cst('2025-03-07T01:00'), cal).nextChangeAt).toBe(cst('2025-03-11T00:00'));
    expect(timeLimitState(clock, cst('2025-03-11T01:00'), cal).nextChangeAt).toBeNull();
  });
});
