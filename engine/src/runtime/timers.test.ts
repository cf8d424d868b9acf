/**
 * addDuration's arithmetic for fixed-length units must give exactly what Temporal gives in UTC,
 * and everything it does not handle itself must still go to Temporal (same result, same errors).
 * parseDate is memoized: each value is parsed once, within a bound, and reads a zone FEEL's way.
 * A cycle's period is longer than zero, and a cycle keeps to its start's phase.
 */
import { jest } from '@jest/globals';
import { Temporal } from 'temporal-polyfill';
import {
  addDuration,
  firstOccurrence,
  occurrenceAfter,
  parseCycle,
  parseDate,
  timerValueProblem,
} from './timers.js';

const temporal = (from: number, duration: string) =>
  Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO('UTC').add(Temporal.Duration.from(duration))
    .epochMilliseconds;

/** A small deterministic generator, so a failure names the same case on every run. */
function lcg(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s % n;
  };
}

describe('addDuration', () => {
  it('matches Temporal in UTC for weeks, days, hours, minutes and seconds (to the millisecond) in any combination', () => {
    const next = lcg(7);
    const units = ['W', 'D', 'H', 'M', 'S'];
    let checked = 0;
    let withDecimals = 0;
    for (let i = 0; i < 3000; i++) {
      const parts = units.map((u) => {
        if (next(3) === 0) return '';
        const whole = next(5) === 0 ? next(100_000) : next(40);
        // Seconds, half the time with one to three decimals after a point or a comma (PT0.05S, PT2,5S).
        const digits = 1 + next(3);
        const decimals =
          u === 'S' && next(2) === 0
            ? `${next(4) === 0 ? ',' : '.'}${String(next(10 ** digits)).padStart(digits, '0')}`
            : '';
        return `${whole}${decimals}${u}`;
      });
      const date = parts[0]! + parts[1]!;
      const time = parts[2]! + parts[3]! + parts[4]!;
      if (!date && !time) continue;
      const duration = `P${date}${time ? `T${time}` : ''}`;
      // Around the epoch, around today, and across daylight-saving dates in zones that have them.
      const from = [0, 1_796_563_532_146, Date.UTC(2026, 2, 29, 0, 30), -86_400_000 * next(40_000)][i % 4]!;
      expect([duration, addDuration(from, duration)]).toEqual([duration, temporal(from, duration)]);
      checked++;
      if (/[.,]/.test(duration)) withDecimals++;
    }
    expect(checked).toBeGreaterThan(2500);
    expect(withDecimals).toBeGreaterThan(800);
  });

  it('adds seconds to the millisecond itself, and leaves finer fractions to Temporal', () => {
    const durationFrom = jest.spyOn(Temporal.Duration, 'from');
    try {
      expect(addDuration(1000, 'PT0.05S')).toBe(1050);
      expect(addDuration(0, 'PT2,5S')).toBe(2500);
      expect(addDuration(-1000, 'P1DT0.001S')).toBe(86_399_001);
      expect(durationFrom).not.toHaveBeenCalled();
      expect(addDuration(-1000, 'PT0.0005S')).toBe(-1000);
      expect(durationFrom).toHaveBeenCalledTimes(1);
    } finally {
      durationFrom.mockRestore();
    }
  });

  it('hands years, months, fractions, signs and lowercase to Temporal, with its results', () => {
    const from = Date.UTC(2026, 0, 31, 12);
    for (const duration of [
      'P1M',
      'P1Y2M3DT4H',
      'PT1.5H',
      'PT0.25S',
      'PT0.0005S',
      'PT1.123456789S',
      '-P1D',
      'p1d',
      'P1DT12H30M5.5S',
    ]) {
      expect([duration, addDuration(from, duration)]).toEqual([duration, temporal(from, duration)]);
    }
  });

  it('refuses what Temporal refuses: empty parts, a trailing T, garbage, and instants out of range', () => {
    for (const duration of [
      'P',
      'PT',
      'P1DT',
      '1D',
      'P1H',
      'PT1D',
      'P1D ',
      'P99999999W',
      'PT.5S',
      'PT1.S',
      'PT1.5M2S',
    ]) {
      expect(() => addDuration(0, duration)).toThrow(RangeError);
    }
    expect(() => addDuration(8.64e15 - 1000, 'PT2S')).toThrow(RangeError);
    expect(addDuration(8.64e15 - 2000, 'PT2S')).toBe(8.64e15);
  });
});

describe('parseDate', () => {
  it('parses each value once (a bounded memo), with the same answers', () => {
    const instantFrom = jest.spyOn(Temporal.Instant, 'from');
    try {
      const values = ['2026-03-01T09:00:00Z', '2026-03-01T09:00:00', '2026-03-01T17:00:00+08:00', 'tomorrow'];
      const expected = [Date.UTC(2026, 2, 1, 9), Date.UTC(2026, 2, 1, 9), Date.UTC(2026, 2, 1, 9), null];
      expect(values.map(parseDate)).toEqual(expected);
      expect(values.map(parseDate)).toEqual(expected);
      expect(instantFrom).toHaveBeenCalledTimes(values.length);
      // Past the bound the memo starts again rather than growing.
      for (let day = 0; day < 1_100; day++) parseDate(new Date(Date.UTC(2000, 0, 1 + day)).toISOString());
      instantFrom.mockClear();
      expect(values.map(parseDate)).toEqual(expected);
      expect(instantFrom).toHaveBeenCalledTimes(values.length);
    } finally {
      instantFrom.mockRestore();
    }
  });
});

describe('parseDate with a zone', () => {
  it("reads FEEL's @zone and a bracketed zone as the local time there", () => {
    expect(parseDate('2026-05-01T09:00:00@Asia/Shanghai')).toBe(Date.UTC(2026, 4, 1, 1));
    expect(parseDate('2026-05-01T09:00:00.5@Asia/Shanghai')).toBe(Date.UTC(2026, 4, 1, 1, 0, 0, 500));
    expect(parseDate('2026-05-01T09:00:00[Asia/Shanghai]')).toBe(Date.UTC(2026, 4, 1, 1));
    expect(parseDate('2026-05-01T09:00:00+08:00[Asia/Shanghai]')).toBe(Date.UTC(2026, 4, 1, 1));
    // Daylight saving time: Paris is UTC+2 in July, UTC+1 in January.
    expect(parseDate('2026-07-01T09:00:00@Europe/Paris')).toBe(Date.UTC(2026, 6, 1, 7));
    expect(parseDate('2026-01-05T09:00:00@Europe/Paris')).toBe(Date.UTC(2026, 0, 5, 8));
  });

  it('refuses an unknown zone and an offset the zone does not have', () => {
    expect(parseDate('2026-05-01T09:00:00@Mars/Olympus')).toBeNull();
    expect(parseDate('2026-05-01T09:00:00+09:00[Asia/Shanghai]')).toBeNull();
    expect(timerValueProblem('date', '2026-05-01T09:00:00@Asia/Shanghai')).toBeNull();
    expect(parseCycle('R2/2026-05-01T09:00:00@Asia/Shanghai/P1D')).toEqual({
      repetitions: 2,
      start: Date.UTC(2026, 4, 1, 1),
      duration: 'P1D',
    });
    expect(parseCycle('R2/2026-05-01T09:00:00Z/extra/P1D')).toBeNull();
  });
});

describe('cycles and durations', () => {
  it('refuses a cycle whose period is zero, negative or below a millisecond, and R0', () => {
    for (const cycle of [
      'R/-PT1H',
      'R3/-P1D',
      'R/PT0S',
      'R/P0D',
      'R/PT0.0001S',
      'R2/2026-01-05T01:00:00Z/-PT1H',
      'R0/PT1H',
    ]) {
      expect([cycle, parseCycle(cycle)]).toEqual([cycle, null]);
      expect(timerValueProblem('cycle', cycle)).toMatch(
        /longer than zero|at least a millisecond|repeats no times/,
      );
    }
    expect(timerValueProblem('cycle', 'R/PT1H')).toBeNull();
    expect(timerValueProblem('cycle', 'R/P1M')).toBeNull();
    expect(timerValueProblem('cycle', 'R/PT0.001S')).toBeNull();
  });

  it('refuses a negative duration; zero is due at once', () => {
    expect(timerValueProblem('duration', '-PT1H')).toMatch(/negative/);
    expect(timerValueProblem('duration', '-P1M')).toMatch(/negative/);
    expect(timerValueProblem('duration', 'PT0S')).toBeNull();
    expect(timerValueProblem('duration', 'P1M')).toBeNull();
    expect(timerValueProblem('duration', 'soon')).toMatch(/not an ISO 8601 duration/);
  });
});

describe('firstOccurrence', () => {
  const now = Date.UTC(2026, 2, 2, 6, 37);
  const cycle = (value: string) => parseCycle(value)!;

  it('keeps to the phase of a start in the past: the next occurrence after now', () => {
    expect(firstOccurrence(cycle('R/2026-01-05T01:00:00Z/P1D'), now)).toEqual({
      dueAt: Date.UTC(2026, 2, 3, 1),
      repetitions: -1,
    });
    // A calendar period steps as the timer does after each firing (month by month).
    expect(firstOccurrence(cycle('R/2026-01-05T01:00:00Z/P1M'), now)).toEqual({
      dueAt: Date.UTC(2026, 2, 5, 1),
      repetitions: -1,
    });
  });

  it('counts the repetitions the past occurrences used up; none left is null', () => {
    // 5, 6 and 7 January are past: two of five are left, from the 8th.
    const fiveDaily = cycle('R5/2026-01-05T01:00:00Z/P1D');
    expect(firstOccurrence(fiveDaily, Date.UTC(2026, 0, 7, 12))).toEqual({
      dueAt: Date.UTC(2026, 0, 8, 1),
      repetitions: 2,
    });
    expect(firstOccurrence(cycle('R2/2026-01-05T01:00:00Z/P1D'), now)).toBeNull();
    expect(firstOccurrence(cycle('R2/2026-01-05T01:00:00Z/P1M'), now)).toBeNull();
    expect(firstOccurrence(cycle('R3/2026-01-05T01:00:00Z/P1M'), now)).toEqual({
      dueAt: Date.UTC(2026, 2, 5, 1),
      repetitions: 1,
    });
  });

  it('is the start when that is to come, one period from now without a start', () => {
    expect(firstOccurrence(cycle('R2/2026-04-01T00:00:00Z/P1D'), now)).toEqual({
      dueAt: Date.UTC(2026, 3, 1),
      repetitions: 2,
    });
    expect(firstOccurrence(cycle('R/PT1H'), now)).toEqual({ dueAt: now + 3_600_000, repetitions: -1 });
  });

  // Stepping 1 ms at a time from 1970 would take 10¹² steps: the test would time out.
  it('steps over a start long past at once, whatever the period', () => {
    const tiny = firstOccurrence(cycle('R/1970-01-01T00:00:00Z/PT0.001S'), now);
    expect(tiny).toEqual({ dueAt: now + 1, repetitions: -1 });
    // More calendar steps past than the limit: the cycle runs from now.
    expect(firstOccurrence(cycle('R/1900-01-01T00:00:00Z/P1M'), now)).toEqual({
      dueAt: Date.UTC(2026, 3, 2, 6, 37),
      repetitions: -1,
    });
  });

  it('occurrenceAfter: the next occurrence in phase, or null when the repetitions are done', () => {
    const twoDaily = cycle('R2/2026-01-05T01:00:00Z/P1D');
    expect(occurrenceAfter(twoDaily, Date.UTC(2026, 0, 5, 1), 1)).toBe(Date.UTC(2026, 0, 6, 1));
    expect(occurrenceAfter(twoDaily, Date.UTC(2026, 0, 6, 1), 2)).toBeNull();
    expect(occurrenceAfter(cycle('R2/PT1H'), 0, 1)).toBe(3_600_000);
    expect(occurrenceAfter(cycle('R2/PT1H'), 3_600_000, 2)).toBeNull();
  });
});
