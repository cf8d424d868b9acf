/**
 * When the sweep next has work on a case (stored as `sweepAt`, indexed): the first instant a 容缺
 * material falls overdue or a clock (the case's, an item's, an open special step's) changes
 * colour, as known at the case's save. The sweep then
 * reads only the cases due by now from the index, instead of every open case's clocks on every
 * tick (a centre with 50,000 open cases read 50,000 sets of clock fields every five seconds).
 *
 * What a save cannot know — a calendar loaded or changed later, a clock whose deadline lies in a
 * year the calendar does not cover yet, a case written by an older version without the field — the
 * sweep's periodic full pass still finds (Centre.sweep).
 */
import type { LimitState, TimeLimits } from './clock.js';
import { itemLimit, limitState, openSpecialStep, specialStepLimit } from './case-clock.js';
import type { Application } from './types.js';

/** Cases the sweep looks at: those still running (their clocks, their 容缺 materials). */
export const SWEPT_STATES: readonly Application['status'][] = [
  'in-progress',
  'awaiting-supplement',
  'results-ready',
];

/**
 * The earliest instant the sweep has something to do on `app` (`now` when it already has), or
 * undefined when nothing will come due without another save (closed, paused, every clock red).
 * A clock whose next change its arithmetic cannot tell (no nextChangeAt) counts as due now.
 */
export function sweepDueAt(limits: TimeLimits, app: Application, now: number): number | undefined {
  return firstDue(limits, app, now, now);
}

/**
 * Whether the sweep has work on `app` now: a 容缺 material overdue, or a clock whose colour
 * differs from the one recorded. A clock that cannot tell its next change has none until it does.
 */
export function sweepHasWork(limits: TimeLimits, app: Application, now: number): boolean {
  return (firstDue(limits, app, now, Infinity) ?? Infinity) <= now;
}

/** sweepDueAt, with `untold` the instant a clock without nextChangeAt counts as due. */
function firstDue(limits: TimeLimits, app: Application, now: number, untold: number): number | undefined {
  if (!SWEPT_STATES.includes(app.status)) return undefined;
  let due = Infinity;
  for (const m of app.materials)
    // Overdue once `dueAt < now` (overdueDeferrals): the instant after it.
    if (m.deferral?.status === 'pending') due = Math.min(due, m.deferral.dueAt + 1);
  const clockDue = (state: LimitState, recorded: LimitState['status'] | undefined): number =>
    state.status !== recorded
      ? now
      : state.nextChangeAt === undefined
        ? untold
        : (state.nextChangeAt ?? Infinity);
  if (app.acceptedAt !== undefined)
    due = Math.min(due, clockDue(limitState(limits, app, now), app.timeStatus));
  for (const item of app.items) {
    if (item.status !== 'reviewing' && item.status !== 'needs-supplement') continue;
    if (item.startedAt !== undefined)
      due = Math.min(due, clockDue(itemLimit(limits, app, item, now), item.timeStatus ?? 'normal'));
    const step = openSpecialStep(item);
    if (step)
      due = Math.min(
        due,
        clockDue(specialStepLimit(limits, app, item, step, now), step.timeStatus ?? 'normal'),
      );
  }
  return Number.isFinite(due) ? due : undefined;
}

/**
 * Stores `sweepAt` on the case record (a stored-only field, like `agentUserId`): null when nothing
 * will come due (left out of the index's due reads), absent only on records of older versions.
 */
export function stampSweepAt(limits: TimeLimits, app: Application, now: number): void {
  (app as Application & { sweepAt?: number | null }).sweepAt = sweepDueAt(limits, app, now) ?? null;
}
