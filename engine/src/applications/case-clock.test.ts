/** An item's own clock (itemLimit): which of the case's pauses move its deadline, and whose calendar it counts. */
import {
  BUILTIN_CALENDAR_DIR,
  parseCalendarFile,
  readCalendarFiles,
  WorkingCalendar,
} from '../jobs/calendar/index.js';
import { itemColourChange, itemLimit, limitState } from './case-clock.js';
import type { LimitClock, TimeLimits } from './clock.js';
import type { Application, ItemCase, Pause } from './types.js';
import { workingTimeLimits } from './working-time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const accepted = Date.UTC(2026, 10, 23, 1, 0); // a Monday morning in CST

const caseWith = (pauses: Pause[], item: Partial<ItemCase>) => {
  const it = {
    item: 'new-taxpayer',
    department: 'tax',
    status: 'approved',
    limitDays: 1,
    startedAt: accepted,
    ...item,
  };
  return {
    app: { acceptedAt: accepted, pauses, items: [it] } as unknown as Application,
    item: it as ItemCase,
  };
};

/** The pauses itemLimit hands to the clock. */
const pausesSeen = (pauses: Pause[], item: Partial<ItemCase>): readonly Pause[] => {
  let seen: LimitClock | undefined;
  const limits: TimeLimits = {
    state: (clock) => ((seen = clock), { deadline: 0, remainingWorkingDays: 0, status: 'normal' }),
    addWorkingDays: (from) => from,
  };
  const c = caseWith(pauses, item);
  itemLimit(limits, c.app, c.item, accepted + 30 * DAY);
  return seen!.pauses;
};

describe('itemLimit', () => {
  const decidedAt = accepted + 3 * DAY;

  it('ignores supplement pauses that begin after a decided item was decided', () => {
    const later: Pause = { from: decidedAt + HOUR, to: decidedAt + 14 * DAY, reason: 'supplement' };
    const open: Pause = { from: decidedAt + 2 * HOUR, reason: 'supplement' };
    expect(pausesSeen([later, open], { decidedAt })).toEqual([]);
  });

  it('counts a pause running across the decision only up to the decision', () => {
    const before: Pause = { from: accepted + HOUR, to: accepted + 2 * HOUR, reason: 'supplement' };
    const across: Pause = { from: decidedAt - DAY, to: decidedAt + 14 * DAY, reason: 'supplement' };
    const stillOpen: Pause = { from: decidedAt - HOUR, reason: 'supplement' };
    expect(pausesSeen([before, across, stillOpen], { decidedAt })).toEqual([
      before,
      { ...across, to: decidedAt },
      { ...stillOpen, to: decidedAt },
    ]);
  });

  it('stops only the clocks of the items a supplement notice asks for (and every one for a pause recorded before that was kept)', () => {
    const forTax: Pause = {
      from: accepted + HOUR,
      to: accepted + 2 * DAY,
      reason: 'supplement',
      items: ['new-taxpayer'],
    };
    const forBank: Pause = {
      from: accepted + 3 * HOUR,
      to: accepted + 3 * DAY,
      reason: 'supplement',
      items: ['bank-appointment'],
    };
    const older: Pause = { from: accepted + 4 * DAY, to: accepted + 5 * DAY, reason: 'supplement' };
    expect(pausesSeen([forTax, forBank, older], { status: 'reviewing' })).toEqual([forTax, older]);
  });

  it('keeps every supplement pause of an undecided item', () => {
    const pauses: Pause[] = [
      { from: accepted + HOUR, to: accepted + 2 * DAY, reason: 'supplement' },
      { from: accepted + 5 * DAY, reason: 'supplement' },
    ];
    expect(pausesSeen(pauses, { status: 'reviewing' })).toEqual(pauses);
  });

  it('does not move a late decision back within the deadline when another item pauses afterwards', () => {
    const limits = workingTimeLimits();
    const { app, item } = caseWith([], { decidedAt });
    const deadline = itemLimit(limits, app, item, decidedAt).deadline;
    expect(decidedAt).toBeGreaterThan(deadline); // 1 working day, decided on Thursday: late
    app.pauses.push({ from: decidedAt + HOUR, to: decidedAt + 14 * DAY, reason: 'supplement' });
    expect(itemLimit(limits, app, item, decidedAt + 14 * DAY).deadline).toBe(deadline);
  });
});

describe('the calendar an item’s clock counts', () => {
  // Zhuhai (440400) has a local day off on Wednesday 2026-11-25; Guangzhou (440100) works.
  const zhuhaiDayOff = parseCalendarFile(
    {
      region: '440400',
      inherits: 'CN',
      years: { '2026': { holidays: [{ name: 'local', from: '2026-11-25', to: '2026-11-25' }] } },
    },
    '440400.json',
  );
  const limits = workingTimeLimits(
    new WorkingCalendar([...readCalendarFiles([BUILTIN_CALENDAR_DIR]), zhuhaiDayOff]),
  );
  const cstDay = (t: number) => new Date(t + 8 * HOUR).toISOString().slice(0, 10);
  /** A case received in `received`, its item (3 working days from Monday) decided by an office in `office`. */
  const crossRegion = (received: string, office?: string) => {
    const { app, item } = caseWith([], {
      status: 'reviewing',
      limitDays: 3,
      ...(office ? { decidingDepartmentRegion: office, decidingRegion: office } : {}),
    });
    app.region = received;
    app.promisedDays = 3;
    return { app, item };
  };

  it('is the deciding office’s: a Zhuhai office skips its day off for a case received in Guangzhou', () => {
    const { app, item } = crossRegion('440103', '440402');
    // Tue, (Wed off in Zhuhai), Thu, Fri
    expect(cstDay(itemLimit(limits, app, item, accepted).deadline - 1)).toBe('2026-11-27');
    // the whole case's promise is the receiving centre's: Tue, Wed, Thu
    expect(cstDay(limitState(limits, app, accepted).deadline - 1)).toBe('2026-11-26');
  });

  it('is the deciding office’s: a Guangzhou office works on Zhuhai’s day off, so its item turns red on time', () => {
    const { app, item } = crossRegion('440402', '440103');
    expect(cstDay(itemLimit(limits, app, item, accepted).deadline - 1)).toBe('2026-11-26');
    const fridayMorning = Date.UTC(2026, 10, 27, 1);
    expect(itemColourChange(limits, app, item, fridayMorning)).toBe('red');
  });

  it('falls back to the receiving region when the item has no deciding office', () => {
    const { app, item } = crossRegion('440402');
    expect(cstDay(itemLimit(limits, app, item, accepted).deadline - 1)).toBe('2026-11-27');
  });
});
