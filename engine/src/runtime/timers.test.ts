/**
 * addDuration's arithmetic for fixed-length units must give exactly what Temporal gives in UTC,
 * and everything it does not handle itself must still go to Temporal (same result, same errors).
 * parseDate is memoized: each value is parsed once, within a bound.
 */
import { jest } from '@jest/globals';
import { Temporal } from 'temporal-polyfill';
import { addDuration, parseDate } from './timers.js';

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
