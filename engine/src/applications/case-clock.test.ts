/** An item's own clock (itemLimit): which of the case's pauses move its deadline. */
import { itemLimit } from './case-clock.js';
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
