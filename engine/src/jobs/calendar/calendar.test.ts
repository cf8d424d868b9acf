import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUILTIN_CALENDAR_DIR,
  CalendarDataError,
  addWorkingDays,
  calendarDirs,
  dayOf,
  formatDay,
  isWorkingDay,
  isoWeekday,
  loadCalendar,
  parseDay,
  workingDaysBetween,
  type CalendarFile,
} from './index.js';

/** An instant given as CST wall-clock time. */
const cst = (local: string) => Date.parse(`${local}+08:00`);
/** The deadline instant expressed as the CST date whose end it is. */
const dueDate = (deadline: number) => formatDay(dayOf(deadline - 1));

const cal = loadCalendar({ dirs: [BUILTIN_CALENDAR_DIR] });

function fixtureDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'onething-calendar-'));
  for (const [name, json] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(json));
  return dir;
}

describe('CST days', () => {
  it('puts 16:00 UTC at the start of the next CST date', () => {
    expect(formatDay(dayOf(Date.parse('2025-01-24T15:59:59.999Z')))).toBe('2025-01-24');
    expect(formatDay(dayOf(Date.parse('2025-01-24T16:00:00Z')))).toBe('2025-01-25');
  });

  it('knows weekdays and rejects impossible dates', () => {
    expect(isoWeekday(parseDay('2025-01-26')!)).toBe(7);
    expect(isoWeekday(parseDay('2025-02-08')!)).toBe(6);
    expect(isoWeekday(parseDay('1970-01-01')!)).toBe(4);
    expect(parseDay('2025-02-29')).toBeNull();
    expect(parseDay('2025-1-5')).toBeNull();
  });
});

describe('shipped mainland China data', () => {
  it('has the 2025 Spring Festival: Jan 28–Feb 4 off, Sunday Jan 26 and Saturday Feb 8 working', () => {
    for (const d of ['2025-01-28', '2025-01-29', '2025-01-31', '2025-02-03', '2025-02-04'])
      expect(cal.isWorkingDay(d)).toBe(false);
    expect(cal.isWorkingDay('2025-01-26')).toBe(true);
    expect(cal.isWorkingDay('2025-02-08')).toBe(true);
    expect(cal.isWorkingDay('2025-01-25')).toBe(false); // an ordinary Saturday
    expect(cal.isWorkingDay('2025-02-05')).toBe(true);
  });

  it('has the other 2025 holidays and adjusted working days', () => {
    for (const d of [
      '2025-01-01',
      '2025-04-04',
      '2025-05-02',
      '2025-05-05',
      '2025-06-02',
      '2025-10-06',
      '2025-10-08',
    ])
      expect(cal.isWorkingDay(d)).toBe(false);
    for (const d of ['2025-04-27', '2025-09-28', '2025-10-11']) expect(cal.isWorkingDay(d)).toBe(true);
  });

  it('has the 2026 arrangements of the November 2025 notice', () => {
    for (const d of [
      '2026-01-02',
      '2026-02-16',
      '2026-02-20',
      '2026-02-23',
      '2026-04-06',
      '2026-05-05',
      '2026-06-19',
      '2026-09-25',
      '2026-10-07',
    ])
      expect(cal.isWorkingDay(d)).toBe(false);
    for (const d of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'])
      expect(cal.isWorkingDay(d)).toBe(true);
  });

  it('counts the working days of each year (hand count: 365 − 104 weekend − weekday holidays + 调休)', () => {
    // 2025: 18 weekday holidays, 5 adjusted days; 2026: 19 and 6.
    expect(cal.workingDaysBetween('2024-12-31', '2025-12-31')).toBe(248);
    expect(cal.workingDaysBetween('2025-12-31', '2026-12-31')).toBe(248);
    expect(cal.covers(2025) && cal.covers(2026)).toBe(true);
    expect(cal.covers(2027)).toBe(false);
  });
});

describe('addWorkingDays', () => {
  it('skips the Spring Festival but counts the adjusted Sunday (3 days from Friday Jan 24, 2025)', () => {
    // Sun Jan 26 (调休) = 1, Mon Jan 27 = 2, Jan 28–Feb 4 off, Wed Feb 5 = 3.
    const deadline = cal.addWorkingDays(cst('2025-01-24T10:00'), 3);
    expect(deadline).toBe(cst('2025-02-06T00:00'));
    expect(dueDate(deadline)).toBe('2025-02-05');
  });

  it('never counts the start day, whatever the hour: 15:00 + 1 working day = end of the next working day', () => {
    expect(dueDate(cal.addWorkingDays(cst('2025-03-07T15:00'), 1))).toBe('2025-03-10'); // Friday → Monday
    expect(dueDate(cal.addWorkingDays(cst('2025-03-07T08:00'), 1))).toBe('2025-03-10');
    expect(dueDate(cal.addWorkingDays(cst('2025-03-08T11:00'), 1))).toBe('2025-03-10'); // started on a Saturday
  });

  it('uses the CST date, not the UTC date, of the start instant', () => {
    // 2025-01-24T16:30Z is Saturday 00:30 in Beijing, so day 1 is the adjusted Sunday.
    expect(dueDate(cal.addWorkingDays(Date.parse('2025-01-24T16:30:00Z'), 1))).toBe('2025-01-26');
    expect(dueDate(cal.addWorkingDays(Date.parse('2025-01-24T15:30:00Z'), 1))).toBe('2025-01-26');
    expect(dueDate(cal.addWorkingDays(Date.parse('2025-01-24T15:30:00Z'), 2))).toBe('2025-01-27');
  });

  it('crosses National Day 2025 and both adjusted days', () => {
    expect(dueDate(cal.addWorkingDays(cst('2025-09-26T09:00'), 1))).toBe('2025-09-28');
    expect(dueDate(cal.addWorkingDays(cst('2025-09-30T09:00'), 1))).toBe('2025-10-09');
    expect(dueDate(cal.addWorkingDays(cst('2025-10-09T09:00'), 2))).toBe('2025-10-11');
  });

  it('crosses the 2026 New Year and Spring Festival', () => {
    expect(dueDate(cal.addWorkingDays(cst('2025-12-31T17:00'), 1))).toBe('2026-01-04');
    expect(dueDate(cal.addWorkingDays(cst('2026-02-13T17:00'), 1))).toBe('2026-02-14');
    expect(dueDate(cal.addWorkingDays(cst('2026-02-13T17:00'), 2))).toBe('2026-02-24');
  });

  it('ends an instant item (0 days) with its start day and refuses negative or fractional days', () => {
    expect(cal.addWorkingDays(cst('2025-03-05T10:00'), 0)).toBe(cst('2025-03-06T00:00'));
    expect(() => cal.addWorkingDays(cst('2025-03-05T10:00'), -1)).toThrow(RangeError);
    expect(() => cal.addWorkingDays(cst('2025-03-05T10:00'), 1.5)).toThrow(RangeError);
  });

  it('falls back to weekends only in a year without data', () => {
    expect(dueDate(cal.addWorkingDays(cst('2027-01-29T10:00'), 1))).toBe('2027-02-01');
  });
});

describe('workingDaysBetween', () => {
  it('counts the Spring Festival week as no working days', () => {
    expect(cal.workingDaysBetween(cst('2025-01-27T12:00'), cst('2025-02-04T12:00'))).toBe(0);
    expect(cal.workingDaysBetween(cst('2025-01-27T12:00'), cst('2025-02-07T12:00'))).toBe(3);
    expect(cal.workingDaysBetween(cst('2025-02-07T12:00'), cst('2025-01-27T12:00'))).toBe(-3);
    expect(cal.workingDaysBetween('2026-02-13', '2026-02-28')).toBe(6); // Feb 14, 24, 25, 26, 27, 28
  });

  it('inverts addWorkingDays for every start in 2025–2026 and limits up to 25', () => {
    for (let day = parseDay('2025-01-01')!; day <= parseDay('2026-12-01')!; day += 3) {
      const start = cst(`${formatDay(day)}T${day % 2 ? '09:30' : '23:59'}`);
      for (const n of [0, 1, 3, 10, 25])
        expect(cal.workingDaysBetween(start, cal.addWorkingDays(start, n) - 1)).toBe(n);
    }
  });
});

describe('regions and replaceable files', () => {
  const local: CalendarFile = {
    region: 'TEST-LOCAL',
    inherits: 'CN',
    years: {
      // Fixture days, not real local arrangements.
      '2025': { holidays: [{ from: '2025-03-03', to: '2025-03-04' }], workdays: [{ date: '2025-03-08' }] },
    },
  };

  it('inherits the national calendar and adds local days', () => {
    const c = loadCalendar({ dirs: [BUILTIN_CALENDAR_DIR, fixtureDir({ 'TEST-LOCAL.json': local })] });
    expect(c.isWorkingDay('2025-03-03', 'TEST-LOCAL')).toBe(false);
    expect(c.isWorkingDay('2025-03-03')).toBe(true);
    expect(c.isWorkingDay('2025-03-08', 'TEST-LOCAL')).toBe(true);
    expect(c.isWorkingDay('2025-01-29', 'TEST-LOCAL')).toBe(false);
    expect(c.isWorkingDay('2025-01-26', 'TEST-LOCAL')).toBe(true);
    expect(dueDate(c.addWorkingDays(cst('2025-02-28T10:00'), 1, 'TEST-LOCAL'))).toBe('2025-03-05');
    expect(() => c.isWorkingDay('2025-03-03', 'NOWHERE')).toThrow(
      /no working-day calendar for region "NOWHERE"/,
    );
  });

  it('lets a deployment directory replace a shipped file whole (ONETHING_CALENDAR_DIR)', () => {
    const dir = fixtureDir({
      'CN.json': {
        region: 'CN',
        years: { '2027': { holidays: [{ from: '2027-02-08', to: '2027-02-10' }] } },
      },
    });
    const dirs = calendarDirs({ ONETHING_CALENDAR_DIR: dir });
    expect(dirs).toEqual([BUILTIN_CALENDAR_DIR, dir]);
    const c = loadCalendar({ dirs });
    expect(c.isWorkingDay('2027-02-09')).toBe(false);
    expect(c.isWorkingDay('2025-01-29')).toBe(true); // the shipped 2025 data is gone with the file
  });

  /** The problems a load reports; fails the test when the load succeeds. */
  function problemsOf(files: Record<string, unknown>): string {
    try {
      loadCalendar({ dirs: [fixtureDir(files)] });
    } catch (err) {
      if (err instanceof CalendarDataError) return err.problems.join('\n');
      throw err;
    }
    throw new Error('the calendar loaded although its data is invalid');
  }

  it('reports every malformed file and entry at once', () => {
    const text = problemsOf({
      'CN.json': {
        region: 'CN',
        years: { '2025': { holidays: [{ from: '2025-02-30', to: '2025-03-01' }] } },
      },
      'X.json': { region: 'Y', years: {} },
      'Z.json': {
        region: 'Z',
        weekend: [1, 2, 3, 4, 5, 6, 7],
        years: { '2025': { workdays: [{ date: 'soon' }] } },
      },
    });
    expect(text).toMatch(/CN\.json\.years\.2025\.holidays\[0\]: "from" and "to" must be dates/);
    expect(text).toMatch(/X\.json: "region" is "Y" but the file name says "X"/);
    expect(text).toMatch(/Z\.json\.weekend: leaves no working weekday/);
    expect(text).toMatch(/Z\.json\.years\.2025\.workdays\[0\]: "date" must be a date/);
  });

  it('reports every contradiction between well-formed files at once', () => {
    const text = problemsOf({
      'CN.json': {
        region: 'CN',
        years: {
          '2025': {
            holidays: [{ from: '2025-10-01', to: '2025-10-08' }],
            workdays: [{ date: '2025-10-02' }, { date: '2025-09-29' }],
          },
        },
      },
      'LOOP-A.json': { region: 'LOOP-A', inherits: 'LOOP-B', years: {} },
      'LOOP-B.json': { region: 'LOOP-B', inherits: 'LOOP-A', years: {} },
      'ORPHAN.json': { region: 'ORPHAN', inherits: 'MISSING', years: {} },
    });
    expect(text).toMatch(/2025-10-02 is listed both as a holiday and as a workday/);
    expect(text).toMatch(/workday 2025-09-29 is not a weekend day/);
    expect(text).toMatch(/inheritance cycle: LOOP-A → LOOP-B → LOOP-A/);
    expect(text).toMatch(/ORPHAN: inherits unknown region "MISSING"/);
  });
});

describe('module functions on the default calendar', () => {
  it('use the shipped data', () => {
    expect(isWorkingDay('2025-01-26')).toBe(true);
    expect(isWorkingDay(cst('2025-01-29T10:00'))).toBe(false);
    expect(dueDate(addWorkingDays(new Date(cst('2025-01-24T10:00')), 3))).toBe('2025-02-05');
    expect(workingDaysBetween('2025-09-30', '2025-10-09')).toBe(1);
  });
});
